"""Is every text readable? The WCAG contrast of what is actually painted: each widget that
shows words (found by findChildren, not from a list kept by hand) is grabbed as it shows,
over its window, and its ink is measured against its ground (issue 11: at least 7:1,
WCAG AAA, for the large-print users a gate has)."""
from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from tests.ui.layout_checks import OVERLAYS

AAA = 7.0


def luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def painted_contrast(image: QImage) -> float:
    """The commonest colour of a picture (its ground) against the one farthest from it in
    luminance (its ink)."""
    colours = Counter(image.pixelColor(x, y).rgb() for x in range(0, image.width(), 2)
                      for y in range(0, image.height(), 2))
    if not colours:
        return float("inf")
    ground = QColor.fromRgb(colours.most_common(1)[0][0])
    far = luminance(ground)
    ink = max((QColor.fromRgb(rgb) for rgb in colours), key=lambda c: abs(luminance(c) - far))
    return contrast(ground, ink)


def _rect_in_window(widget: QWidget) -> QRect:
    """The part of `widget` that shows (a scrolled form's rows may be partly out of view)."""
    shown = widget.visibleRegion().boundingRect()
    return QRect(widget.mapTo(widget.window(), shown.topLeft()), shown.size())


def drawn_contrast(widget: QWidget) -> float:
    """The contrast of `widget` as it is painted now, over its window's background."""
    top = widget.window()
    return painted_contrast(top.grab(_rect_in_window(widget)).toImage())


def _words(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text() or widget.placeholderText()
    if isinstance(widget, (QLabel, QAbstractButton)):
        return widget.text()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    return ""


def text_widgets(root: QWidget) -> list[QWidget]:
    """Every visible widget of `root`'s window that shows words (tab titles included); while
    an overlay panel is up (the sign-in's names), only the overlay's: the rest is under it."""
    found = []
    shown = [w for w in root.window().findChildren(QWidget)
             if w.isVisible() and w.window() is root.window()]
    overlays = [w for w in shown if w.objectName() in OVERLAYS]
    for widget in shown:
        if overlays and not any(o is widget or o.isAncestorOf(widget) for o in overlays):
            continue
        if isinstance(widget, QTabBar) or (_words(widget).strip() and not _in_viewport(widget)):
            found.append(widget)
    return found


def _in_viewport(widget: QWidget) -> bool:
    """A label a view draws over its rows (e.g. "loading") counts; a view's own parts not."""
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QAbstractItemView) and not isinstance(widget, QLabel):
            return True
        parent = parent.parentWidget()
    return False


def low_contrast(root: QWidget, minimum: float = AAA) -> list[str]:
    """One sentence for each text in `root`'s window painted under `minimum`:1."""
    top = root.window()
    picture = top.grab().toImage()
    found = []
    for widget in text_widgets(root):
        if isinstance(widget, QTabBar):
            rects = [QRect(widget.mapTo(top, widget.tabRect(i).topLeft()), widget.tabRect(i).size())
                     for i in range(widget.count())]
            names = [widget.tabText(i) for i in range(widget.count())]
        else:
            rects, names = [_rect_in_window(widget)], [_words(widget)]
        for rect, words in zip(rects, names, strict=True):
            if rect.isEmpty():
                continue
            ratio = painted_contrast(picture.copy(rect))
            if ratio < minimum:
                name = widget.objectName() or type(widget).__name__
                found.append(f"{name} {words[:30]!r}: {ratio:.1f}:1")
    return found
