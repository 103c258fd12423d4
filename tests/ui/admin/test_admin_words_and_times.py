"""Every word of the admin screens in the chosen language, Qt's own dialogs included, and
every time in the community's time zone whatever the machine's (issue 15)."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox

from ui.admin import open_admin
from ui.dialogs import PinDialog
from ui.filedialogs import save_dialog

from .conftest import DAY, settle, wait_loaded


def flush_language_change() -> None:
    """Qt posts LanguageChange to every widget: deliver it now."""
    QCoreApplication.sendPostedEvents()


@pytest.mark.parametrize("lang, cancel, save", [("zh", "取消", "保存"), ("en", "Cancel", "Save")])
def test_qts_own_buttons_follow_the_language_switch(qtbot, language, lang, cancel, save):
    language.set(lang)
    box = QMessageBox(QMessageBox.Icon.Question, "Gatepost", "?",
                      QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Ok)
    qtbot.addWidget(box)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == cancel
    dialog = save_dialog(None, "Export…", "log.xlsx", ["Excel (*.xlsx)"])
    qtbot.addWidget(dialog)
    buttons = dialog.findChild(QDialogButtonBox)
    texts = {re.sub(r"\(&?\w\)|&", "", b.text()) for b in buttons.buttons()}  # 保存(&S) is 保存
    assert {cancel, save} <= texts


def test_the_fever_setting_reads_degrees_in_a_glyph_every_font_has(admin_window):
    label = next(lbl for lbl, s in admin_window.settings_tab.meanings if s.key == "temperature.fever_c")
    assert "发热阈值（°C）" in label.text() and "℃" not in label.text()


def test_the_audit_log_reads_in_words_in_either_language(qtbot, office, admin_window, language):
    office.gate.change_settings({"quota.window_days": "3"}, office.admin)
    tab = admin_window.audit_tab
    tab.refresh()
    settle(qtbot, office.client)
    assert ("社区办", "修改设置", "quota.window_days", "原值：2；新值：3") in [r[1:] for r in tab.model.rows]
    language.set("en")
    flush_language_change()
    settle(qtbot, office.client)
    assert ("社区办", "setting changed", "quota.window_days", "was: 2; now: 3") in [
        r[1:] for r in tab.model.rows]
    assert ("社区办", "sign-in", "admin", "") in [r[1:] for r in tab.model.rows]


def test_every_time_the_admin_screens_show_is_the_communitys_on_a_new_york_machine(
        qtbot, new_york_machine, office):
    """18:00 in Shanghai is 05:00 in New York: the screens say 18:00."""
    office.gate.report("delivery", "小王", flat="3-2-301", note="药品")
    office.gate.change_settings({"quota.window_days": "3"}, office.admin)
    window = open_admin(office.client, office.admin)
    qtbot.addWidget(window)
    window.log_tab.date.setDate(DAY)
    wait_loaded(qtbot, window.log_tab)
    settle(qtbot, office.client)
    audit = [r for r in window.audit_tab.model.rows if r[2] == "修改设置"]
    assert audit[0][0] == "02-12 18:00:00"
    assert [r[0] for r in window.incidents_tab.model.rows][:2] == ["11:00:00", "11:06:00"]
    assert [r[4] for r in window.out_tab.model.rows] == ["02-12 08:00", "02-12 09:00"]
    parcel_times = [w.text() for w in window.parcels_tab.findChildren(QLabel) if w.text().startswith("02-")]
    assert parcel_times == ["02-12 18:00"]
    window.close()


def test_the_pin_lock_out_names_the_communitys_time_on_a_new_york_machine(qtbot, new_york_machine, office):
    for _ in range(4):
        assert office.gate.authenticate("000000", "lead") is None
    until = office.gate.pin_locked_until()
    dialog = PinDialog("Admin", "PIN")
    qtbot.addWidget(dialog)
    dialog.reject_pin(until)
    assert dialog.error.text() == "PIN码错误次数过多，请在18:00:01后再试"
    assert until.astimezone().hour == 5  # the machine's own clock reads 05:00
