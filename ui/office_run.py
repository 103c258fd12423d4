"""Start the office screen: `kiosk office gui --office URL` ends here (issue 15).

An office admin's PIN (an operator added with `kiosk office operator add --role admin`)
opens it; the PIN is checked on the admin lane (scrypt, about 0.4 s), never on the GUI
thread. The office database has no PIN lock-out table: the pad itself waits after wrong
PINs, as a gate's does (kiosk.operators.wait_after), for as long as it is open.
"""
from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.app import OfficeScreen
from kiosk.operators import Operator, wait_after
from ui.adminclient import AdminClient
from ui.dialogs import PinDialog
from ui.i18n import Language, apply_cjk_font

if TYPE_CHECKING:
    from ui.admin.office_window import OfficeWindow


class OfficeApp:
    """The office screen's parts, built and torn down in one place: the language, the admin
    client (its lane opens the office database), the PIN pad, then the office window."""

    def __init__(self, screen: OfficeScreen, lang: str = "zh"):
        self.app = QApplication.instance() or QApplication(sys.argv[:1] or ["kiosk"])
        self.font_family = apply_cjk_font(self.app)
        self.language = Language(self.app)
        self.language.set(lang)
        self.screen = screen
        self.client = AdminClient(screen.open_worker, screen.today, screen.path)
        self.window: OfficeWindow | None = None
        self.failures = 0
        self.pin_dialog = PinDialog(QCoreApplication.translate("OfficeApp", "Community office"),
                                    QCoreApplication.translate("OfficeApp", "PIN of an office administrator"))
        self.pin_dialog.submitted.connect(self.on_pin)
        self.pin_dialog.rejected.connect(self._quit_without_window)

    def on_pin(self, pin: str, _reason: str) -> None:
        self.client.office_call(lambda office: office.authenticate(pin), self._checked, self._not_checked)

    def _checked(self, operator: Operator | None) -> None:
        if operator is None:
            self.failures += 1
            wait = wait_after(self.failures)
            if wait > dt.timedelta(0):  # the pad closes for the wait, then opens again
                self.pin_dialog.setEnabled(False)
                QTimer.singleShot(int(wait.total_seconds() * 1000), lambda: self.pin_dialog.setEnabled(True))
            self.pin_dialog.reject_pin(None)
            return
        self.open_window(operator)

    def _not_checked(self, error: BaseException) -> None:
        from ui.admin.tabs import _reason

        self.pin_dialog.reject_pin(None)
        self.pin_dialog.error.setText(_reason(error, self.language.code))

    def open_window(self, operator: Operator) -> OfficeWindow:
        from ui.admin.office_window import OfficeWindow  # the tabs load once a PIN is right

        self.pin_dialog.accept_pin()
        window = self.window = OfficeWindow(self.client, operator)
        window.language_toggled.connect(self.language.toggle)
        window.finished.connect(lambda _r: self.app.quit())
        window.show()
        return window

    def _quit_without_window(self) -> None:
        if self.window is None:
            QTimer.singleShot(0, self.app.quit)

    def show(self) -> None:
        self.pin_dialog.open()

    def close(self) -> None:
        self.client.close()
        self.language.close()


def run_office(screen: OfficeScreen, lang: str = "zh") -> int:
    office = OfficeApp(screen, lang)
    office.show()
    try:
        return office.app.exec()
    finally:
        office.close()
