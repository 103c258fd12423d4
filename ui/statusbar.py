"""The status bar: the clock, who is out now, today's exits and fevers, the sync state and
the roster's age, in type large enough to read in passing."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ui.gateclient import Snapshot
from ui.sizing import set_points


class GateStatusBar(QWidget):
    """Shows the last `Snapshot`; the clock ticks on its own from the injected clock."""

    def __init__(self, now: Callable[[], dt.datetime], timezone: dt.tzinfo | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._now = now
        self.timezone = timezone or zoneinfo.ZoneInfo("Asia/Shanghai")
        self.snapshot: Snapshot | None = None
        self.db_failed = False
        self.on_duty = ""  # the volunteer signed in (ui/sign_in.py); "" nobody
        self.labels: dict[str, QLabel] = {}
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(12, 4, 12, 4)
        self.grid.setHorizontalSpacing(16)  # "…待同步" and "名册…" ran together as one phrase
        for name in ("clock", "on_duty", "out_now", "exits_today", "fevers_today", "sync", "roster"):
            label = QLabel()
            label.setObjectName(name)
            set_points(label, 15)
            self.labels[name] = label
        self.set_rows(1)
        self.setStyleSheet("QLabel { color: #eceff1; } #fevers_today[alert=\"true\"] { color: #ffb300; }"
                           " #sync[alert=\"true\"] { color: #ffb300; }"
                           " #on_duty[alert=\"true\"] { color: #ffb300; }")
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.refresh()

    def set_rows(self, rows: int) -> None:
        """One row on a landscape screen; two on a portrait one, where one row is too wide."""
        per_row = -(-len(self.labels) // rows)
        for i, label in enumerate(self.labels.values()):
            self.grid.removeWidget(label)
            self.grid.addWidget(label, i // per_row, i % per_row)

    def set_snapshot(self, snapshot: Snapshot | None) -> None:
        """None: the numbers could not be read (the database failed)."""
        self.db_failed = snapshot is None
        if snapshot is not None:
            self.snapshot = snapshot
        self.refresh()

    def set_on_duty(self, name: str) -> None:
        """Who is on duty; nobody is said in amber (scans still decide)."""
        self.on_duty = name
        self.refresh()

    def _tick(self) -> None:
        self.labels["clock"].setText(self._now().astimezone(self.timezone).strftime("%H:%M:%S"))

    def refresh(self) -> None:
        self._tick()
        s = self.snapshot.status if self.snapshot else {}
        value = lambda key: str(s[key]) if key in s else "—"  # noqa: E731 (local helper)
        duty = self.labels["on_duty"]
        duty.setText(self.tr("On duty: %1").replace("%1", self.on_duty) if self.on_duty
                     else self.tr("Nobody signed in"))
        duty.setProperty("alert", not self.on_duty)
        self.labels["out_now"].setText(self.tr("Out now: %1").replace("%1", value("out_now")))
        self.labels["exits_today"].setText(self.tr("Exits today: %1").replace("%1", value("exits_today")))
        fevers = self.labels["fevers_today"]
        fevers.setText(self.tr("Fevers today: %1").replace("%1", value("fevers_today")))
        fevers.setProperty("alert", bool(s.get("fevers_today")))
        self.labels["sync"].setText(self._sync_text())
        self.labels["roster"].setText(self._roster_text())
        for label in self.labels.values():
            label.style().unpolish(label)
            label.style().polish(label)

    def _sync_text(self) -> str:
        """From gate.sync_summary() (target, last_success, waiting, last_error)."""
        sync = self.labels["sync"]
        summary = self.snapshot.sync if self.snapshot else None
        error = getattr(summary, "last_error", None)
        sync.setProperty("alert", bool(error) or self.db_failed)
        if self.db_failed:
            return self.tr("Database error: record on paper")
        if self.snapshot is None:
            return self.tr("Sync: —")
        waiting = getattr(summary, "waiting", self.snapshot.status.get("unsynced", 0))
        if summary is not None and getattr(summary, "target", None) is None:
            return self.tr("No office set: %1 to sync").replace("%1", str(waiting))
        if error:
            return self.tr("Sync failed, %1 waiting").replace("%1", str(waiting))
        if waiting == 0:
            return self.tr("Synced")
        return self.tr("Not synced: %1").replace("%1", str(waiting))

    def _roster_text(self) -> str:
        """The roster comes down with every successful sync: its age is the last success's."""
        pulled = getattr(self.snapshot.sync, "last_success", None) if self.snapshot else None
        if pulled is None or self.snapshot is None:
            return self.tr("Roster: local")
        hours = int((self.snapshot.now - pulled).total_seconds() // 3600)
        if hours < 1:
            return self.tr("Roster: fresh")
        if hours < 48:
            return self.tr("Roster: %1 h old").replace("%1", str(hours))
        return self.tr("Roster: %1 days old").replace("%1", str(hours // 24))

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)
