"""Parcels waiting at the gate (issue 17): each delivery a volunteer reported for a flat,
until a lead taps 已领取 / Collected. A lead sees only their buildings' parcels.

Signals:
    loaded(): the newest list is on screen.
    collected(str): a parcel (its report id) was handed over and recorded.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.operators import Operator
from kiosk.reports import WaitingParcel
from ui.admin.tabs import _log_failure, _reason, _Tab
from ui.admin.texts import screen_lang
from ui.adminclient import AdminClient

log = logging.getLogger("gate")


class ParcelsTab(_Tab):
    """One row a parcel (flat, time, note) with a big one-tap "Collected" button."""

    loaded = Signal()
    collected = Signal(str)

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.lang = screen_lang()
        # Dark on light whatever window it sits in (the gate screen's labels are light on dark).
        self.setStyleSheet("QLabel { color: #102027; font-size: 14pt; }")
        self.parcels: list[WaitingParcel] = []
        self.buttons: dict[str, QPushButton] = {}  # report id → its Collected button
        self.count = QLabel()
        self.count.setObjectName("parcel_count")
        self.message = QLabel()
        self.message.setObjectName("parcel_message")
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.count)
        bar.addWidget(self.message, 1)
        bar.addWidget(self.refresh_button)
        self.rows = QVBoxLayout()
        self.rows.addStretch(1)
        holder = QWidget()
        holder.setLayout(self.rows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh()

    def refresh(self) -> None:
        buildings = self.operator.visible_buildings(None)

        def failed(error: BaseException) -> None:
            _log_failure(error)
            self.loaded.emit()

        self.client.call(lambda services: services.waiting_parcels(buildings), self._show, failed)

    def _show(self, parcels: list[WaitingParcel]) -> None:
        self.parcels = parcels
        while self.rows.count() > 1:  # the stretch at the end stays
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons = {}
        for parcel in parcels:
            self.rows.insertWidget(self.rows.count() - 1, self._row(parcel))
        self.count.setText(self.tr("%1 parcels waiting at the gate").replace("%1", str(len(parcels))))
        self.loaded.emit()

    def _row(self, parcel: WaitingParcel) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        flat = QLabel(parcel.flat)
        flat.setStyleSheet("font-size: 20pt; font-weight: bold;")
        when = QLabel(parcel.at_local.strftime("%m-%d %H:%M"))
        when.setStyleSheet("font-size: 14pt;")
        note = QLabel(parcel.note)
        note.setStyleSheet("font-size: 14pt;")
        note.setWordWrap(True)
        button = QPushButton(self.tr("Collected"))
        button.setObjectName("collected")
        button.setMinimumSize(150, 52)
        button.clicked.connect(lambda _=False, p=parcel.id: self.collect(p))
        self.buttons[parcel.id] = button
        line.addWidget(flat)
        line.addWidget(when)
        line.addWidget(note, 1)
        line.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
        return row

    def collect(self, report_id: str) -> None:
        """One tap: the parcel is handed over (recorded with an audit line), then the list again."""
        button = self.buttons.get(report_id)
        if button is not None:
            button.setEnabled(False)  # one tap is one hand-over
        operator = self.operator

        def done(_result) -> None:
            self.message.setText(self.tr("Done"))
            self.collected.emit(report_id)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.message.setText(self.tr("Not done: %1").replace("%1", _reason(error, self.lang)))
            self.refresh()

        self.client.call(lambda services: services.collect_parcel(report_id, operator), done, failed)
