"""The verdict area: what the volunteer reads from two metres.

Each outcome has its own colour, its own shape and its own word, so it is told apart
without colour vision: allow is a green circle with a tick, deny a red octagon (a stop
sign) with a cross, retest an amber triangle with "!", "record on paper" a grey sheet, and
a program error (a bug) a violet square with "?": never the paper sheet, which would hide it.
A volunteer's slip (a reading to take again, a reason to pick, a mistyped number: kiosk.model
`is_slip`) is "action needed": a calm blue with a "do it again" arrow, never the red octagon.

The panel's colour is the verdict's; `look_changed` lets the window flood its edges with it.
A deny (and an action needed, a retest, a notice) clears itself after `deny_clear_s`
(the setting gate.deny_clear_s) with the seconds left on the panel; an allow after two seconds.

Words: the verdict's sentence, the card kinds and the exit reasons come from the one
catalogue (kiosk/messages.py), rendered in the language showing now (`screen_lang`); the
panel's own chrome (titles, buttons) is tr(). A language switch re-renders what is shown.
"""
from __future__ import annotations

import enum

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.errors import GatepostError
from kiosk.messages import log_text, verdict_text
from kiosk.model import Decision, Verdict, is_slip
from ui.i18n import readable, screen_lang
from ui.sizing import BASE_SIDE, KEY_PX, set_points


class Look(enum.StrEnum):
    IDLE = "idle"
    ALLOW = "allow"
    DENY = "deny"
    RETEST = "retest"
    PAPER = "paper"      # the database could not record: never green
    NOTICE = "notice"    # bad input: a calm sentence, nothing recorded
    BUG = "bug"          # a program error: call the administrator (a crash report is kept)
    ACTION = "action"    # a volunteer's slip: recorded as a deny, shown as what to do next


# background, text
COLOURS = {
    Look.IDLE: ("#263238", "#eceff1"),
    Look.ALLOW: ("#0b5d27", "#ffffff"),  # white on it 7.9:1 (WCAG AAA), still a green
    Look.DENY: ("#9c0a0a", "#ffffff"),   # 8.4:1, still a red
    Look.RETEST: ("#ffb300", "#1a1a1a"),
    Look.PAPER: ("#3b4d55", "#ffffff"),
    Look.NOTICE: ("#37474f", "#ffffff"),
    Look.BUG: ("#4a148c", "#ffffff"),
    Look.ACTION: ("#0b3d91", "#ffffff"),
}
# The window's edge band in each look (idle: the window's own dark background).
FLOOD = {look: background for look, (background, _text) in COLOURS.items()} | {Look.IDLE: "#102027"}
TIMED_LOOKS = (Look.DENY, Look.ACTION, Look.RETEST, Look.NOTICE)  # cleared after deny_clear_s


EXIT_REASONS = ("medical", "funeral", "volunteer", "other")

# One style sheet, chosen by the "look" property: re-polishing is cheap, while a new
# setStyleSheet per verdict re-parses and re-polishes the whole panel (tens of ms).
PANEL_STYLE = "".join(
    f'#verdict[look="{look.value}"] {{ background: {background}; border-radius: 16px; }} '
    f'#verdict[look="{look.value}"] QLabel {{ color: {text}; }} '
    for look, (background, text) in COLOURS.items())


class VerdictIcon(QWidget):
    """A large shape drawn for the current look (no image files, crisp at any size)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.look = Look.IDLE
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setProperty(BASE_SIDE, 180)  # at the reference size: ui.sizing scales it
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
        elif self.look is Look.ACTION:
            # "Do it again": an open circle with an arrowhead, nothing like the octagon.
            ring = box.adjusted(side * .16, side * .16, -side * .16, -side * .16)
            p.drawArc(ring, 100 * 16, 290 * 16)
            tip = QPointF(c.x() + r * .12, ring.top())
            p.drawPolyline(QPolygonF([QPointF(tip.x() - r * .26, tip.y() - r * .22), tip,
                                      QPointF(tip.x() - r * .22, tip.y() + r * .26)]))
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
        look_changed(str): the look now shown (a `Look` value): the window floods its edges.
    """

    override_requested = Signal(object)
    reason_chosen = Signal(str)
    dismissed = Signal()
    look_changed = Signal(str)

    ALLOW_CLEARS_MS = 2000
    DENY_CLEARS_S = 30  # the default of gate.deny_clear_s, until the first snapshot says

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("verdict")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(PANEL_STYLE)
        self.look = Look.IDLE
        self.verdict: Verdict | None = None
        self.source = ""  # where the verdict's scan came from (camera, wedge, typed): a typo is a slip
        self.deny_clear_s = self.DENY_CLEARS_S  # 0: a deny stays until tapped or the next scan
        self.seconds_left = 0
        self._notice: str | GatepostError = ""
        self._paper: str | None = None
        self._clear_timer = QTimer(self, singleShot=True, interval=self.ALLOW_CLEARS_MS)
        self._clear_timer.timeout.connect(self.clear)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self.tick_countdown)

        self.icon = VerdictIcon()
        self.title = self._label(60, bold=True, name="verdict_title")
        self.reason = self._label(34, name="verdict_reason")
        self.todo = self._label(28, bold=True, name="verdict_todo")  # action needed: what to do
        self.details = self._label(28, name="verdict_details")
        self.quota = self._label(26, name="verdict_quota")
        self.note = self._label(22, name="verdict_note")
        self.countdown = self._label(18, name="verdict_countdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignRight)

        self.override_button = QPushButton()
        self.override_button.setObjectName("override")
        set_points(self.override_button, 22, bold=True)
        self.override_button.setMinimumHeight(64)
        self.override_button.clicked.connect(self._on_override_clicked)
        self.reason_buttons: dict[str, QPushButton] = {}
        reasons = QGridLayout()  # two by two: room for the words on the narrowest screen
        for i, code in enumerate(EXIT_REASONS):
            button = QPushButton()
            button.setObjectName(f"reason_{code}")
            set_points(button, 22, bold=True)
            button.setMinimumSize(KEY_PX, 64)
            # The words decide nothing about the width: four equal keys across the panel.
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setProperty("reason", code)
            button.clicked.connect(self._on_reason_clicked)
            self.reason_buttons[code] = button
            reasons.addWidget(button, i // 2, i % 2)

        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(self.countdown)
        layout.addStretch(1)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addWidget(self.todo)
        layout.addWidget(self.details)
        layout.addWidget(self.quota)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addLayout(reasons)
        layout.addWidget(self.override_button)
        self.retranslate()
        self.clear()

    def hasHeightForWidth(self) -> bool:
        """Its height is the window's to give (see ui.gate_screen.Panel): the words wrap in it."""
        return False

    # Slots return None: a PySide6 slot that returns a bool (emit does) corrupts its refcount.
    def _on_override_clicked(self) -> None:
        self.override_requested.emit(self.verdict)

    def _on_reason_clicked(self) -> None:
        self.reason_chosen.emit(self.sender().property("reason"))

    def _label(self, points: int, bold: bool = False, name: str = "") -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        set_points(label, points, bold)
        label.setWordWrap(True)
        # Long words wrap; they never widen the panel (the layout test checks nothing is cut).
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        return label

    # -- what is shown ----------------------------------------------------------------

    def show_verdict(self, verdict: Verdict, source: str = "") -> None:
        self.verdict = verdict
        self.source = source
        if self.is_slip(verdict, source):
            look = Look.ACTION
        else:
            look = {Decision.ALLOW: Look.ALLOW, Decision.DENY: Look.DENY,
                    Decision.RETEST: Look.RETEST}[verdict.decision]
        self._set_look(look)
        if verdict.allowed:
            self._clear_timer.start()
        else:
            self._clear_timer.stop()

    @staticmethod
    def is_slip(verdict: Verdict, source: str = "") -> bool:
        """A slip the volunteer puts right (kiosk.model.is_slip), not a rule's denial."""
        return verdict.decision is Decision.DENY and is_slip(verdict.reason, source)

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

    def tick_countdown(self) -> None:
        """One second less on a deny's countdown; at none left, back to "scan a card"."""
        self.seconds_left -= 1
        if self.seconds_left <= 0:
            self.clear()
        else:
            self._show_countdown()

    def _set_look(self, look: Look) -> None:
        self.look = look
        self.setProperty("look", look.value)
        style = self.style()
        for widget in (self, *self.findChildren(QLabel)):
            style.unpolish(widget)
            style.polish(widget)
        self.icon.set_look(look)
        if look in TIMED_LOOKS and self.deny_clear_s > 0:
            self.seconds_left = self.deny_clear_s
            self._countdown.start()
        else:
            self.seconds_left = 0
            self._countdown.stop()
        self._fill()
        self.look_changed.emit(look.value)

    def _show_countdown(self) -> None:
        self.countdown.setText(self.tr("Clears in %1 s").replace("%1", str(self.seconds_left))
                               if self.seconds_left > 0 else "")

    def _fill(self) -> None:
        v = self.verdict
        look = self.look
        titles = {Look.IDLE: self.tr("Scan a card"), Look.ALLOW: self.tr("GO AHEAD"),
                  Look.DENY: self.tr("STOP"), Look.RETEST: self.tr("RETEST"),
                  Look.PAPER: self.tr("Record on paper"), Look.NOTICE: self.tr("Check the input"),
                  Look.BUG: self.tr("Program error"), Look.ACTION: self.tr("Action needed")}
        if v is not None and v.reason == "reason_required":
            titles[look] = self.tr("Choose a reason")
        self.title.setText(titles[look])
        lang = screen_lang()
        notice = self._notice
        typo = bool(v and v.reason == "not_a_card" and look is Look.ACTION)
        if typo:  # a typed number, not a card shown: it says nothing about the card's community
            reason = self.tr("This number is not a card number.")
        elif v:
            reason = readable(verdict_text(v, lang))
        else:
            reason = {
                Look.IDLE: self.tr("Measure the temperature, then show the QR code to the camera"),
                Look.PAPER: self._paper or self.tr("The gate could not save this scan. Write it on the "
                                                   "paper log and call the administrator."),
                Look.NOTICE: notice.message(lang) if isinstance(notice, GatepostError) else notice,
                Look.BUG: self.tr("A program error: this scan has no verdict. Call the administrator; "
                                  "the error is saved in a crash report for them."),
            }.get(look, "")
        self.reason.setText(reason)
        self.todo.setText(self._todo(v) if v and look is Look.ACTION else "")
        self.todo.setVisible(bool(self.todo.text()))
        self.details.setText(self._details(v) if v else "")
        self.quota.setText(self._quota(v) if v else "")
        self.note.setText(self.tr("(scanned again: already recorded)") if v and v.duplicate else "")
        for label in (self.details, self.quota, self.note):
            label.setVisible(bool(label.text()))
        reason_needed = bool(v and v.reason == "reason_required")
        for button in self.reason_buttons.values():
            button.setVisible(reason_needed)
        self.override_button.setVisible(bool(v and v.overridable))
        self._show_countdown()

    def _todo(self, v: Verdict) -> str:
        """Exactly what the volunteer does now, for each slip (a missing reason: the title and
        the verdict's sentence say it, over the reason keys)."""
        todo = {
            "temperature_required": self.tr("Measure the temperature, type it on the keypad, scan again."),
            "temperature_implausible": self.tr("Measure again, type the new reading, scan again."),
            "temperature_unit": self.tr("Set the thermometer to °C, measure again, scan again."),
            "temperature_low": self.tr("Let the person warm up a minute, measure again, scan again."),
            "not_a_card": self.tr("Compare the number with the card, correct it in the field and "
                                  "tap Check again."),
        }
        return todo.get(v.reason, "")

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
