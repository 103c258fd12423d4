"""Start the gate screen: `kiosk gui` and `kiosk demo` end here."""
from __future__ import annotations

import faulthandler
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk import messages
from kiosk.app import (
    INTEGRITY_PERIOD_S,
    backup_in_background,
    check_in_background,
    checkpoint_in_background,
    start_gate_process,
    sync_in_background,
)
from kiosk.clock import Clock, SystemClock
from scanners.sources import SourceFactory, open_source
from ui.adminclient import AdminClient
from ui.camera import CameraFeed
from ui.crash import CrashReports, log_dir
from ui.gate_screen import GateWindow
from ui.gateclient import GateClient
from ui.i18n import Language, apply_cjk_font
from ui.integrity_timer import IntegrityTimer
from ui.maintenance import MaintenanceTimer
from ui.sound import Sounds
from ui.sync_timer import SyncTimer
from ui.wedge import WedgeFilter

log = logging.getLogger("gate")


class GateApp:
    """Everything the gate screen runs on, built and torn down in one place.

    The start-up checks run once (kiosk.app.start_gate_process); then each lane opens its
    own Gate on its own thread: the gate lane (scans, status) and the admin lane (the admin
    screens, their exports). The GUI thread holds no connection.
    """

    def __init__(self, db_path: Path, lang: str = "zh", camera: str | SourceFactory | None = None,
                 clock: Clock | None = None, sounds: Sounds | None = None):
        self.app = QApplication.instance() or QApplication(sys.argv[:1] or ["kiosk"])
        self.font_family = apply_cjk_font(self.app)
        self.language = Language(self.app)
        self.language.set(lang)
        clock = clock or SystemClock()
        self.crash_reports = CrashReports(log_dir(db_path))  # a bug: its report, told next start
        self.crash_reports.install()
        # Fails here (NotInitialised, StartupFailed) before any window.
        self.process = process = start_gate_process(db_path, lang, clock)
        # Warnings of the start-up checks (a clock behind the newest event, a backup
        # that could not be written): shown once when the screen opens.
        self.warnings = [messages.startup_message(f.key, lang, **f.fields) for f in process.findings]
        crashes = self.crash_reports.untold()
        if crashes:
            self.warnings.append(messages.startup_message(
                "crash_reports", lang, count=len(crashes), path=self.crash_reports.directory))
            self.crash_reports.mark_told(crashes)
        self.client = GateClient(process.open_gate_lane, crash_reports=self.crash_reports)
        self.admin_client = AdminClient(lambda: process.open_worker(self.language.code),
                                        process.today, process.path)
        factory = open_source(camera) if isinstance(camera, str) else camera
        self.camera = CameraFeed(factory) if factory is not None else None
        self.sounds = sounds or Sounds()
        self.window = GateWindow(self.client, clock.now, self.language, self.sounds, self.camera,
                                 process.community, process.timezone, admin_client=self.admin_client)
        self.sync_timer = SyncTimer(
            lambda cancelled: sync_in_background(db_path, self.language.code, clock, cancelled),
            process.sync_interval_s, parent=self.window)
        self.sync_timer.synced.connect(lambda _report: self.client.refresh())
        self.sync_timer.failed.connect(lambda _sentence: self.client.refresh())
        # A damaged file stops verdicts within the hour, and after a sync that wrote to it.
        self.integrity_timer = IntegrityTimer(lambda full: check_in_background(db_path, full),
                                              INTEGRITY_PERIOD_S, parent=self.window)
        self.integrity_timer.damaged.connect(self._on_damaged)
        self.sync_timer.synced.connect(lambda _report: self.integrity_timer.check_now(full=False))
        # The WAL checkpoint and the daily backup, off the gate lane (the first backup of
        # the day now, while the window opens: it no longer holds the window back).
        self.maintenance = MaintenanceTimer(lambda: checkpoint_in_background(db_path),
                                            lambda: backup_in_background(db_path, process.today()),
                                            parent=self.window)
        self.backup_box: QMessageBox | None = None  # a backup not written: told, until closed
        self.maintenance.damaged.connect(self._on_damaged)
        self.maintenance.warned.connect(self._on_backup_warning)
        self.maintenance.backup_now()
        self.wedge = WedgeFilter(parent=self.app)
        self.wedge.scanned.connect(self._on_wedge)
        self.app.installEventFilter(self.wedge)
        self.app.aboutToQuit.connect(self.close)

    def _on_damaged(self, findings) -> None:
        """The worker's gate refuses every scan from now on (queued behind any scan already
        submitted), and the screen says record on paper, with what to do."""
        first = findings[0]
        self.client.call(lambda gate: gate.mark_damaged(first))
        self.window.show_damage(messages.startup_message(first.key, self.language.code, **first.fields))

    def _on_backup_warning(self, findings) -> None:
        """A backup that could not be written (a full disk): told, the gate scans on."""
        if self.backup_box is not None and self.backup_box.isVisible():
            return  # still on screen from the last try
        text = "\n\n".join(messages.startup_message(f.key, self.language.code, **f.fields)
                            for f in findings)
        self.backup_box = QMessageBox(QMessageBox.Icon.Warning, "Gatepost", text, parent=self.window)
        self.backup_box.open()

    def _on_wedge(self, payload: str) -> None:
        guard = self.camera.guard if self.camera is not None else None
        if guard is None or guard.accept(payload):  # one card, one scan, whichever path saw it
            self.window.submit_scan(payload, "wedge")

    def show(self, fullscreen: bool = False) -> None:
        if fullscreen:
            self.window.set_kiosk_mode(True)
        else:
            self.window.fit_to_screen()
        if self.camera is not None:
            self.camera.start()
        self.window.ask_sign_in()  # the start of a shift: who is on duty (ui/sign_in.py)
        if self.warnings:  # open(), not exec(): the gate keeps scanning behind it
            self.warning_box = QMessageBox(QMessageBox.Icon.Warning, "Gatepost",
                                           "\n\n".join(self.warnings), parent=self.window)
            self.warning_box.open()

    def close(self) -> None:
        self.app.removeEventFilter(self.wedge)
        self.sync_timer.stop()
        self.integrity_timer.stop()
        self.maintenance.stop()
        if self.camera is not None:
            self.camera.stop()
        self.client.close()
        self.admin_client.close()
        self.sounds.close()
        self.language.close()
        self.crash_reports.close()


def run_gui(db_path: Path, lang: str = "zh", camera: str | SourceFactory | None = None,
            fullscreen: bool = False, prepare: Callable[[GateApp], None] | None = None) -> int:
    """Show the gate screen until it is closed; the exit code of the Qt event loop."""
    faulthandler.enable()
    gate_app = GateApp(db_path, lang, camera)
    if prepare is not None:
        prepare(gate_app)
    gate_app.show(fullscreen)
    return gate_app.app.exec()
