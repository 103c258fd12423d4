"""The camera preview, with a framing guide that shows where to hold the card, and a calm
message in its place when there is no camera."""
from __future__ import annotations

import enum

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class CameraState(enum.StrEnum):
    STARTING = "starting"
    LIVE = "live"
    MISSING = "missing"   # no camera, or it was unplugged: the other paths keep working
    OFF = "off"           # no camera configured (wedge and typed entry only)


class CameraPreview(QWidget):
    """Paints the newest frame scaled to fit, and the guide on top.

    Signals:
        frame_painted(float): a frame reached the screen (its `seen_at`, perf_counter seconds).
    """

    frame_painted = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.state = CameraState.STARTING
        self._image: QImage | None = None
        self._image_seen_at = 0.0
        self.frames_painted = 0
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def set_frame(self, image: QImage, seen_at: float = 0.0) -> None:
        self._image = image
        self._image_seen_at = seen_at
        if self.state is not CameraState.LIVE:
            self.state = CameraState.LIVE
        self.update()

    def set_state(self, state: CameraState) -> None:
        self.state = state
        if state is not CameraState.LIVE:
            self._image = None
        self.update()

    def message(self) -> str:
        if self.state is CameraState.MISSING:
            return self.tr("No camera. Use the hand scanner or type the card number.")
        if self.state is CameraState.OFF:
            return self.tr("Camera off. Use the hand scanner or type the card number.")
        if self.state is CameraState.STARTING:
            return self.tr("Starting the camera…")
        return self.tr("Hold the QR code inside the frame")

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101010"))
        if self._image is not None and self.state is CameraState.LIVE:
            scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF((self.width() - scaled.width()) / 2, (self.height() - scaled.height()) / 2,
                            scaled.width(), scaled.height())
            p.drawImage(target, self._image)
            self._draw_guide(p)
            self.frames_painted += 1
            if self._image_seen_at:
                self.frame_painted.emit(self._image_seen_at)
        font = QFont()
        font.setPointSize(18 if self.state is CameraState.LIVE else 22)
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        box = self.rect().adjusted(16, 16, -16, -16)
        live = self.state is CameraState.LIVE
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
        flags |= Qt.AlignmentFlag.AlignBottom if live else Qt.AlignmentFlag.AlignVCenter
        if self.state is CameraState.LIVE:
            band = QRectF(0, self.height() - 56, self.width(), 56)
            p.fillRect(band, QColor(0, 0, 0, 150))
        p.drawText(box, flags, self.message())
        p.end()

    def _draw_guide(self, p: QPainter) -> None:
        """Four corner brackets around a centred square: where the card's code goes."""
        side = min(self.width(), self.height()) * 0.62
        x, y = (self.width() - side) / 2, (self.height() - side) / 2 - 14
        arm = side * 0.22
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#00e676"), 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for cx, cy, dx, dy in ((x, y, 1, 1), (x + side, y, -1, 1), (x, y + side, 1, -1),
                               (x + side, y + side, -1, -1)):
            p.drawLine(int(cx), int(cy), int(cx + dx * arm), int(cy))
            p.drawLine(int(cx), int(cy), int(cx), int(cy + dy * arm))

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.update()
        super().changeEvent(event)
