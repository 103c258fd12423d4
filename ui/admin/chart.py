"""A small bar chart of the day's exits and entries per hour, drawn with QPainter.

It shows what the export's summary page shows (data.export.daylog.hourly): two bars an
hour, side by side, in colours that also differ in lightness, and a red mark under the
hour axis at each fever reading. The widget only draws the numbers it is given.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.chart_style import ENTRY_RGB, EXIT_RGB, FEVER_RGB, scale_step
from ui.admin.texts import shared

HOURS = 24
EXIT_COLOUR = QColor(*EXIT_RGB)  # the printed summary's colours
ENTRY_COLOUR = QColor(*ENTRY_RGB)
FEVER_COLOUR = QColor(*FEVER_RGB)


class HourlyChart(QWidget):
    """Exits and entries per local hour of one day; fever readings as red marks."""

    def __init__(self, lang: str, parent=None):
        super().__init__(parent)
        self.lang = lang
        self.counts: list[tuple[int, int]] = [(0, 0)] * HOURS
        self.fevers: list[float] = []
        self.loading = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(170)

    def sizeHint(self) -> QSize:
        return QSize(760, 190)

    def set_counts(self, counts: list[tuple[int, int]], fevers: list[float]) -> None:
        self.counts, self.fevers = list(counts), list(fevers)
        self.loading = False
        self.setToolTip(self.summary())
        self.update()

    def set_loading(self) -> None:
        """Empty axes and "Loading…" until the next counts arrive."""
        self.counts, self.fevers, self.loading = [(0, 0)] * HOURS, [], True
        self.setToolTip("")
        self.update()

    def set_lang(self, lang: str) -> None:
        self.lang = lang
        if not self.loading:
            self.setToolTip(self.summary())
        self.update()

    def summary(self) -> str:
        """The day's totals in words (the tooltip)."""
        exits = sum(e for e, _ in self.counts)
        entries = sum(i for _, i in self.counts)
        return f"{shared('exits', self.lang)}: {exits}    {shared('entries', self.lang)}: {entries}"

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        line = metrics.height()
        width, height = self.width(), self.height()
        painter.fillRect(self.rect(), self.palette().base())
        text_pen = QPen(self.palette().text().color())
        painter.setPen(text_pen)
        painter.drawText(QPointF(6, line), shared("per_hour", self.lang))
        self._legend(painter, width - 6, line)

        left = 10 + metrics.horizontalAdvance("0000")
        top, bottom = line * 2.2, height - line * 2.4
        right = width - 10
        plot_h = max(bottom - top, 1.0)
        largest = max([max(pair) for pair in self.counts] + [1])
        step = scale_step(largest)
        top_value = step * -(-largest // step)
        for value in range(0, top_value + 1, step):
            y = bottom - plot_h * value / top_value
            painter.setPen(QPen(QColor(205, 205, 205), 1))
            painter.drawLine(QPointF(left, y), QPointF(right, y))
            painter.setPen(text_pen)
            label = str(value)
            label_x = left - 4 - metrics.horizontalAdvance(label)
            painter.drawText(QPointF(label_x, y + metrics.ascent() / 2 - 1), label)
        slot = (right - left) / HOURS
        bar = slot * 0.38
        outline = QPen(QColor(40, 40, 40), 1)
        for hour, (exits, entries) in enumerate(self.counts):
            x = left + hour * slot + slot * 0.12
            for offset, count, colour in ((0.0, exits, EXIT_COLOUR), (bar, entries, ENTRY_COLOUR)):
                if count:
                    bar_h = plot_h * count / top_value
                    painter.setPen(outline)
                    painter.setBrush(colour)
                    painter.drawRect(QRectF(x + offset, bottom - bar_h, bar, bar_h))
            painter.setPen(text_pen)
            label = str(hour)
            painter.drawText(QPointF(left + (hour + 0.5) * slot - metrics.horizontalAdvance(label) / 2,
                                     bottom + metrics.ascent() + 2), label)
        painter.setPen(QPen(text_pen.color(), 1.5))
        painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        for when in self.fevers:
            self._fever_mark(painter, left + when / HOURS * (right - left), bottom + line * 1.7)
        if self.loading:
            painter.setPen(text_pen)
            painter.drawText(QRectF(left, top, right - left, plot_h), Qt.AlignmentFlag.AlignCenter,
                             self.tr("Loading…"))

    def _legend(self, painter: QPainter, right: float, baseline: float) -> None:
        metrics = painter.fontMetrics()
        box = metrics.ascent() * 0.8
        x = right
        items = [("exits", EXIT_COLOUR), ("entries", ENTRY_COLOUR)]
        if self.fevers:
            label = shared("fever_mark", self.lang)
            x -= metrics.horizontalAdvance(label)
            painter.drawText(QPointF(x, baseline), label)
            x -= box + 4
            self._fever_mark(painter, x + box / 2, baseline - box / 2)
            x -= 12
        pen = painter.pen()
        for key, colour in reversed(items):
            label = shared(key, self.lang)
            x -= metrics.horizontalAdvance(label)
            painter.drawText(QPointF(x, baseline), label)
            x -= box + 4
            painter.setPen(QPen(QColor(40, 40, 40), 1))
            painter.setBrush(colour)
            painter.drawRect(QRectF(x, baseline - box, box, box))
            painter.setPen(pen)
            x -= 12

    @staticmethod
    def _fever_mark(painter: QPainter, cx: float, cy: float) -> None:
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(FEVER_COLOUR)
        triangle = [QPointF(cx - 5, cy + 4), QPointF(cx + 5, cy + 4), QPointF(cx, cy - 5)]
        painter.drawPolygon(QPolygonF(triangle))
        painter.restore()
