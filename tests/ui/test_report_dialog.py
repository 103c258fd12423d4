"""The gate's own reports on the gate screen (issue 17): the report button and F6, the
outsider's one tap, a delivery with its flat picked, "record on paper", the mask check's one
tap; and the lead's parcels waiting at the gate, each collected with one tap."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.app import open_gate
from tests.ui.test_gate_screen import RecordingSounds, recorded, scan
from ui.report_dialog import ReportDialog
from ui.run import GateApp


@pytest.fixture
def screen(qtbot, community):
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.operator = "小王"
    gate_app.window.show()
    yield gate_app
    gate_app.close()


def reports(community) -> list[dict]:
    gate = open_gate(community.path, clock=community.clock, checks=False)
    try:
        return gate.store.reports_on(gate.today())
    finally:
        gate.close()


def opened(qtbot, window) -> ReportDialog:
    window.report_button.click()
    dialog = window.report_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: bool(dialog.building.buttons), timeout=5000)  # the flats came in
    return dialog


def test_the_report_button_and_f6_open_the_dialog_with_every_category(qtbot, screen):
    window = screen.window
    assert window.report_button.text() == "报告"
    qtbot.keyClick(window, Qt.Key.Key_F6)
    dialog = window.report_dialog
    assert dialog is not None and dialog.isVisible()
    assert [b.text() for b in dialog.kind.buttons.values()] == [
        "外来人员劝返", "有症状", "拒绝测温", "门口聚集", "物资送达", "其他"]
    assert dialog.outsider_now.text() == "外来人员劝返：立即记录"
    assert not dialog.record.isEnabled()  # nothing picked yet: nothing to record


def test_one_tap_records_an_outsider_refused_with_the_operator_and_counts_it(qtbot, screen, community):
    window = screen.window
    dialog = opened(qtbot, window)
    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        dialog.outsider_now.click()
    assert not dialog.isVisible()
    [row] = reports(community)
    assert (row["kind"], row["count"], row["operator"], row["building"]) == (
        "outsider_refused", 1, "小王", None)
    qtbot.waitUntil(lambda: window.client.lane.pending == 0, timeout=5000)


def test_a_group_of_outsiders_is_one_report_with_its_count(qtbot, screen, community):
    dialog = opened(qtbot, screen.window)
    dialog.kind.pick("outsider_refused")
    assert dialog.count_row.isVisibleTo(dialog) and not dialog.building.isEnabled()
    dialog.count.pick("3")
    dialog.note.setText("无出入证")
    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        dialog.record.click()
    [row] = reports(community)
    assert (row["count"], row["note"]) == (3, "无出入证")


def test_a_delivery_records_the_flat_picked_building_unit_room(qtbot, screen, community):
    dialog = opened(qtbot, screen.window)
    dialog.kind.pick("delivery")
    assert [b.text() for b in dialog.building.buttons.values()] == ["3"]
    dialog.pick_flat("3-1-201")
    assert dialog.flat_label.text() == "房号：3-1-201"
    preset = next(dialog.presets.itemAt(i).widget() for i in range(dialog.presets.count())
                  if dialog.presets.itemAt(i).widget().text() == "药品")
    preset.click()
    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        dialog.record.click()
    [row] = reports(community)
    assert (row["kind"], row["building"], row["unit"], row["room"], row["note"]) == (
        "delivery", "3", "1", "201", "药品")


def test_a_delivery_without_a_flat_is_refused_calmly_and_nothing_is_written(qtbot, screen, community):
    dialog = opened(qtbot, screen.window)
    dialog.kind.pick("delivery")
    dialog.record.click()
    qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=5000)
    assert dialog.status.text() == "物资送达请选择房号" and dialog.isVisible()
    assert reports(community) == []


def test_a_report_that_cannot_be_recorded_says_record_on_paper(qtbot, screen, community):
    window = screen.window
    with qtbot.waitSignal(window.client.lane.idle, timeout=3000):
        window.client.call(lambda gate: gate.store.db.execute("PRAGMA query_only = ON"))
    dialog = opened(qtbot, window)
    dialog.outsider_now.click()
    qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=5000)
    assert dialog.status.text() == "未能记录：请纸质登记" and dialog.isVisible()


def test_the_mask_check_shows_only_when_on_and_goes_with_the_scan(qtbot, screen, community):
    window = screen.window
    assert not window.mask_check.isVisible()
    gate = open_gate(community.path, checks=False)
    gate.store.set_setting("mask.check", "on")
    gate.close()
    window.client.refresh()  # an earlier refresh may answer first: wait for what it shows
    qtbot.waitUntil(window.mask_check.isVisible, timeout=5000)
    assert [b.text() for b in window.mask_check.buttons.values()] == ["戴口罩", "未戴", "免戴"]
    slip = scan(qtbot, screen, community.payloads["life"])
    assert slip.verdict.reason == "mask_unconfirmed" and slip.verdict.slip
    window.mask_check.tap("yes")
    allowed = scan(qtbot, screen, community.payloads["life"])
    assert allowed.verdict.allowed and recorded(community, allowed.verdict.event_id).mask == "yes"
    assert window.mask_check.answer is None  # cleared for the next person


def test_a_lead_sees_their_parcels_and_collects_one_with_one_tap(qtbot, qapp, community):
    from kiosk.model import Household
    from kiosk.operators import Operator, Role
    from ui.admin.deliveries_tab import ParcelsTab
    from ui.adminclient import AdminClient
    from ui.i18n import Language

    language = Language(qapp)
    language.set("zh")
    gate = open_gate(community.path, clock=community.clock, checks=False)
    gate.store.add_households([Household("H000009", "5", "1", "101")],
                              community.clock.now())
    mine = gate.report("delivery", "小王", flat="3-1-101", note="一箱蔬菜")
    gate.report("delivery", "小王", flat="5-1-101", note="别的楼")
    lead = Operator("楼长王", Role.LEAD, ("3",))
    client = AdminClient(lambda: open_gate(community.path, clock=community.clock, checks=False),
                         gate.today, community.path)
    try:
        tab = ParcelsTab(client, lead)
        qtbot.addWidget(tab)
        qtbot.waitUntil(lambda: client.pending == 0, timeout=5000)
        assert [p.flat for p in tab.parcels] == ["3-1-101"]  # only building 3
        assert tab.count.text() == "门口待领物资 1 件"
        with qtbot.waitSignal(tab.collected, timeout=5000):
            tab.buttons[mine.id].click()
        qtbot.waitUntil(lambda: client.pending == 0 and tab.parcels == [], timeout=5000)
        assert gate.audit_entries(limit=1)[0].action == "parcel_collected"
        assert [p.flat for p in gate.waiting_parcels(None)] == ["5-1-101"]
    finally:
        client.close()
        gate.close()
        language.close()


def test_the_report_dialog_speaks_english_when_the_gate_does(qtbot, community):
    gate_app = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    try:
        window = gate_app.window
        assert window.report_button.text() == "Report"
        window.open_report()
        dialog = window.report_dialog
        assert dialog.outsider_now.text() == "Outsider refused: record now"
        assert dialog.kind.buttons["delivery"].text() == "Delivery for a flat"
        dialog.kind.pick("delivery")
        dialog.record.click()
        qtbot.waitUntil(lambda: dialog.status.text() != "", timeout=5000)
        assert dialog.status.text() == "A delivery needs the flat it is for"
    finally:
        gate_app.close()
