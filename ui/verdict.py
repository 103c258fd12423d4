"""The verdict area: what the volunteer reads from two metres.

Each outcome has its own colour, its own shape and its own word, so it is told apart
without colour vision: allow is a green circle with a tick, deny a red octagon (a stop
sign) with a cross, retest an amber triangle with "!", "record on paper" a grey sheet, and
a program error (a bug) a violet square with "?": never the paper sheet, which would hide it.

Words: the verdict's sentence, the card kinds and the exit reasons come from the one
catalogue (kiosk/messages.py), rendered in the language showing now (`screen_lang`); the
panel's own chrome (titles, buttons) is tr(). A language switch re-renders what is shown.
"""
from __future__ import annotations

import enum

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.errors import GatepostError
from kiosk.messages import log_text, verdict_text
from kiosk.model import Decision, Verdict
from ui.i18n import screen_lang


class Look(enum.StrEnum):
    IDLE = "idle"
    ALLOW = "allow"
    DENY = "deny"
    RETEST = "retest"
    PAPER = "paper"      # the database could not record: never green
    NOTICE = "notice"    # bad input: a calm sentence, nothing recorded
    BUG = "bug"          # a program error: call the administrator (a crash report is kept)


# background, text
COLOURS = {
    Look.IDLE: ("#263238", "#eceff1"),
    Look.ALLOW: ("#1b7f3b", "#ffffff"),
    Look.DENY: ("#b71c1c", "#ffffff"),
    Look.RETEST: ("#ffb300", "#1a1a1a"),
    Look.PAPER: ("#455a64", "#ffffff"),
    Look.NOTICE: ("#37474f", "#ffffff"),
    Look.BUG: ("#4a148c", "#ffffff"),
}

EXIT_REASONS = ("medical", "funeral", "volunteer", "other")

# One style sheet, chosen by the "look" property: re-polishing is cheap, while a new
# setStyleSheet per verdict re-parses and re-polishes the whole panel (tens of ms).
PANEL_STYLE = "".join(
    f'#verdict[look="{look.value}"] {{ background: {background}; border-radius: 16px; }} '
    f'#verdict[look="{look.value}"] QLabel {{ color: {text}; }} '
    for look, (background, text) in COLOURS.items())


def _readable(text: str) -> str:
    """The service writes "℃" (U+2103), which WenQuanYi Micro Hei, the CJK font on a fresh
    Debian kiosk, does not have: it would show as a gap. "°C" is in every font."""
    return text.replace("℃", " °C")


class VerdictIcon(QWidget):
    """A large shape drawn for the current look (no image files, crisp at any size)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.look = Look.IDLE
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(180, 180)

    def set_look(self, look: Look) -> None:
        self.look = look
        self.update()

    def paintEvent(self, _event) -> None:
        if self.look is Look.IDLE or self.look is Look.NOTICE:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 8
        box = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        fg = QColor(COLOURS[self.look][1])
        p.setPen(QPen(fg, side * 0.07, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        c, r = box.center(), side / 2
        if self.look is Look.ALLOW:
            p.drawEllipse(box.adjusted(6, 6, -6, -6))
            p.drawPolyline(QPolygonF([QPointF(c.x() - r * .45, c.y()),
                                      QPointF(c.x() - r * .12, c.y() + r * .35),
                                      QPointF(c.x() + r * .5, c.y() - r * .35)]))
        elif self.look is Look.DENY:
            octagon = QPolygonF([QPointF(c.x() + r * .92 * x, c.y() + r * .92 * y) for x, y in
                                 ((-.41, -1), (.41, -1), (1, -.41), (1, .41), (.41, 1), (-.41, 1),
                                  (-1, .41), (-1, -.41))])
            p.drawPolygon(octagon)
            k = r * .38
            p.drawLine(QPointF(c.x() - k, c.y() - k), QPointF(c.x() + k, c.y() + k))
            p.drawLine(QPointF(c.x() + k, c.y() - k), QPointF(c.x() - k, c.y() + k))
        elif self.look is Look.RETEST:
            p.drawPolygon(QPolygonF([QPointF(c.x(), box.top() + 8),
                                     QPointF(box.right() - 6, box.bottom() - 14),
                                     QPointF(box.left() + 6, box.bottom() - 14)]))
            p.drawLine(QPointF(c.x(), c.y() - r * .25), QPointF(c.x(), c.y() + r * .25))
            p.drawPoint(QPointF(c.x(), c.y() + r * .5))
        elif self.look is Look.BUG:
            p.drawRoundedRect(box.adjusted(side * .12, side * .12, -side * .12, -side * .12), 12, 12)
            font = QFont()
            font.setPixelSize(int(side * .5))
            font.setBold(True)
            p.setFont(font)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, "?")
        elif self.look is Look.PAPER:
            sheet = QPainterPath()
            sheet.addRoundedRect(box.adjusted(side * .2, 6, -side * .2, -6), 8, 8)
            p.drawPath(sheet)
            for i in range(3):
                y = box.top() + side * (.35 + .18 * i)
                p.drawLine(QPointF(box.left() + side * .32, y), QPointF(box.right() - side * .32, y))
        p.end()


class VerdictPanel(QWidget):
    """The big coloured area in the middle of the gate screen.

    Signals:
        override_requested(Verdict): the lead's "let through" button on a deny.
        reason_chosen(str): a special card's exit reason (medical, funeral, volunteer, other).
        dismissed(): the volunteer tapped a verdict away.
    """

    override_requested = Signal(object)
    reason_chosen = Signal(str)
    dismissed = Signal()

    ALLOW_CLEARS_MS = 2000

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("verdict")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(PANEL_STYLE)
        self.look = Look.IDLE
        self.verdict: Verdict | None = None
        self._notice: str | GatepostError = ""
        self._paper: str | None = None
        self._clear_timer = QTimer(self, singleShot=True, interval=self.ALLOW_CLEARS_MS)
        self._clear_timer.timeout.connect(self.clear)

        self.icon = VerdictIcon()
        self.title = self._label(60, bold=True)
        self.title.setWordWrap(False)
        self.reason = self._label(34)
        self.details = self._label(28)
        self.quota = self._label(26)
        self.note = self._label(22)

        button_font = QFont()
        button_font.setPointSize(22)
        button_font.setBold(True)
        self.override_button = QPushButton()
        self.override_button.setObjectName("override")
        self.override_button.setFont(button_font)
        self.override_button.setMinimumHeight(72)
        self.override_button.clicked.connect(self._on_override_clicked)
        self.reason_buttons: dict[str, QPushButton] = {}
        reasons = QHBoxLayout()
        for code in EXIT_REASONS:
            button = QPushButton()
            button.setObjectName(f"reason_{code}")
            button.setFont(button_font)
            button.setMinimumSize(120, 96)
            button.setProperty("reason", code)
            button.clicked.connect(self._on_reason_clicked)
            self.reason_buttons[code] = button
            reasons.addWidget(button)

        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addWidget(self.details)
        layout.addWidget(self.quota)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addLayout(reasons)
        layout.addWidget(self.override_button)
        self.retranslate()
        self.clear()

    # Slots return None: a PySide6 slot that returns a bool (emit does) corrupts its refcount.
    def _on_override_clicked(self) -> None:
        self.override_requested.emit(self.verdict)

    def _on_reason_clicked(self) -> None:
        self.reason_chosen.emit(self.sender().property("reason"))

    def _label(self, points: int, bold: bool = False) -> QLabel:
        label = QLabel()
        font = QFont()
        font.setPointSize(points)
        font.setBold(bold)
        label.setFont(font)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        return label

    # -- what is shown ----------------------------------------------------------------

    def show_verdict(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self._set_look({Decision.ALLOW: Look.ALLOW, Decision.DENY: Look.DENY,
                        Decision.RETEST: Look.RETEST}[verdict.decision])
        if verdict.allowed:
            self._clear_timer.start()
        else:
            self._clear_timer.stop()

    def show_paper(self, sentence: str | None = None) -> None:
        """The scan was not recorded: the volunteer writes it on paper. Stays until the next scan.
        `sentence` replaces the usual words (a damaged database says what to do)."""
        self.verdict = None
        self._paper = sentence
        self._clear_timer.stop()
        self._set_look(Look.PAPER)

    def show_notice(self, notice: str | GatepostError) -> None:
        """Bad input (e.g. a temperature that is not a number) or a refusal: nothing was
        recorded. A GatepostError is told in the language showing, now and after a switch."""
        self.verdict = None
        self._notice = notice
        self._clear_timer.stop()
        self._set_look(Look.NOTICE)

    def show_bug(self) -> None:
        """A program error: no verdict, and the screen says so (not "record on paper", which
        would pass it off as a disk fault). Stays until the next scan."""
        self.verdict = None
        self._clear_timer.stop()
        self._set_look(Look.BUG)

    def clear(self) -> None:
        self.verdict = None
        self._clear_timer.stop()
        self._set_look(Look.IDLE)

    def _set_look(self, look: Look) -> None:
        self.look = look
        self.setProperty("look", look.value)
        style = self.style()
        for widget in (self, self.title, self.reason, self.details, self.quota, self.note):
            style.unpolish(widget)
            style.polish(widget)
        self.icon.set_look(look)
        self._fill()

    def _fill(self) -> None:
        v = self.verdict
        look = self.look
        titles = {Look.IDLE: self.tr("Scan a card"), Look.ALLOW: self.tr("GO AHEAD"),
                  Look.DENY: self.tr("STOP"), Look.RETEST: self.tr("RETEST"),
                  Look.PAPER: self.tr("Record on paper"), Look.NOTICE: self.tr("Check the input"),
                  Look.BUG: self.tr("Program error")}
        if v is not None and v.reason == "reason_required":
            titles[look] = self.tr("Choose a reason")
        self.title.setText(titles[look])
        lang = screen_lang()
        notice = self._notice
        self.reason.setText(_readable(verdict_text(v, lang)) if v else {
            Look.IDLE: self.tr("Measure the temperature, then show the QR code to the camera"),
            Look.PAPER: self._paper or self.tr("The gate could not save this scan. Write it on the "
                                               "paper log and call the administrator."),
            Look.NOTICE: notice.message(lang) if isinstance(notice, GatepostError) else notice,
            Look.BUG: self.tr("A program error: this scan has no verdict. Call the administrator; "
                              "the error is saved in a crash report for them."),
        }.get(look, ""))
        self.details.setText(self._details(v) if v else "")
        self.quota.setText(self._quota(v) if v else "")
        self.note.setText(self.tr("(scanned again: already recorded)") if v and v.duplicate else "")
        reason_needed = bool(v and v.reason == "reason_required")
        for button in self.reason_buttons.values():
            button.setVisible(reason_needed)
        self.override_button.setVisible(bool(v and v.overridable))

    def _details(self, v: Verdict) -> str:
        lang = screen_lang()
        parts = []
        if v.household is not None:
            parts.append(self.tr("Flat %1").replace("%1", v.household.flat))
        if v.card is not None:
            parts.append(log_text(f"card_{v.card.kind.value}", lang))  # as the card prints it
            if v.card.holder_initial:
                parts.append(self.tr("Holder %1").replace("%1", v.card.holder_initial))
        if v.temperature is not None:
            reading = v.temperature.second if v.temperature.second is not None else v.temperature.first
            if reading is not None:
                parts.append(self.tr("%1 °C").replace("%1", f"{reading:.1f}"))
        return "  ·  ".join(parts)

    def _quota(self, v: Verdict) -> str:
        if v.quota is None or v.direction is None or v.direction.value != "out":
            return ""
        return self.tr("Exits this period: %1 of %2").replace("%1", str(v.quota.used)).replace(
            "%2", str(v.quota.limit))

    def retranslate(self) -> None:
        self.override_button.setText(self.tr("Lead: let through (PIN)"))
        for code, button in self.reason_buttons.items():  # as the log names them
            button.setText(log_text(code, screen_lang()))
        self._fill()

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A tap clears a deny (the next scan does too)."""
        if self.look is not Look.IDLE:
            self.clear()
            self.dismissed.emit()
        super().mousePressEvent(event)
