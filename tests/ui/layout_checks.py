"""What a screen must never do, checked on whatever widgets it has (found by findChildren,
so a button another change adds is checked too): lie outside its window, overlap another
control, clip its own text, or be smaller than a gloved fingertip (issue 11)."""
from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionFrame,
    QWidget,
)

MIN_TOUCH_MM = 12
MIN_TOUCH_PX = math.floor(MIN_TOUCH_MM / 25.4 * 96)  # 45 px at 96 dpi


def _in_window(widget: QWidget) -> QRect:
    top = widget.window()
    return QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())


def _inside_scroll_area(widget: QWidget) -> bool:
    """A table's own parts (headers, corner, viewport) scroll: not the screen's layout."""
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


OVERLAYS = ("name_picker",)  # panels shown over the whole screen: what lies under them is not touched


def shown_widgets(root: QWidget) -> list[QWidget]:
    """The visible widgets of `root`'s own window (not of dialogs it owns); while an overlay
    is up, only the overlay's."""
    shown = [w for w in root.findChildren(QWidget)
             if w.isVisible() and w.window() is root.window() and not _inside_scroll_area(w)]
    overlays = [w for w in shown if w.objectName() in OVERLAYS]
    if overlays:
        shown = [w for w in shown if any(o is w or o.isAncestorOf(w) for o in overlays)]
    return shown


def _controls(root: QWidget) -> list[QWidget]:
    return [w for w in shown_widgets(root) if isinstance(w, (QAbstractButton, QLineEdit))]


def button_text_rect(button: QPushButton) -> QRect:
    """Where the style lets a push button draw its text (style sheet padding included)."""
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    return button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)


def _line_option(edit: QLineEdit) -> QStyleOptionFrame:
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    return option


def problems(root: QWidget, touch: bool = True) -> list[str]:
    """Everything wrong with `root`'s window as it is now, one sentence each."""
    found: list[str] = []
    window = root.window()
    bounds = window.rect()
    for w in shown_widgets(root):
        name = w.objectName() or type(w).__name__
        where = _in_window(w)
        if not bounds.contains(where):
            found.append(f"{name} {where.getRect()} lies outside the window {bounds.getRect()}")
        parent = w.parentWidget()
        if parent is not None and parent is not window and not parent.rect().contains(w.geometry()):
            found.append(f"{name} {w.geometry().getRect()} is cut off by its parent "
                         f"{parent.objectName() or type(parent).__name__} {parent.rect().getRect()}")
        if isinstance(w, QPushButton) and w.text():
            room = button_text_rect(w)
            text = QFontMetrics(w.font()).boundingRect(QRect(0, 0, 10_000, 10_000),
                                                       Qt.TextFlag.TextShowMnemonic, w.text())
            if text.width() > room.width() or text.height() > room.height():
                found.append(f"button {name} {w.text()!r} needs {text.width()}x{text.height()}, "
                             f"has {room.width()}x{room.height()}")
        if isinstance(w, QLabel) and w.text():
            room = w.contentsRect()
            if w.wordWrap():
                needed_height = w.heightForWidth(w.width())
                if needed_height > w.height():
                    found.append(f"label {name} {w.text()[:30]!r} needs {needed_height} px high, "
                                 f"has {w.height()}")
            elif w.textFormat() != Qt.TextFormat.RichText:
                text = QFontMetrics(w.font()).boundingRect(QRect(0, 0, 10_000, 10_000), 0, w.text())
                if text.width() > room.width() + 1:
                    found.append(f"label {name} {w.text()[:30]!r} needs {text.width()} px wide, "
                                 f"has {room.width()}")
        if isinstance(w, QLineEdit) and (w.text() or w.placeholderText()):
            words = w.text() or w.placeholderText()
            needed = QFontMetrics(w.font()).horizontalAdvance(words)
            room = w.style().subElementRect(QStyle.SubElement.SE_LineEditContents, _line_option(w), w)
            if needed > room.width():
                found.append(f"field {name} {words!r} needs {needed} px, has {room.width()}")
        small = min(w.width(), w.height()) < MIN_TOUCH_PX
        if touch and isinstance(w, (QAbstractButton, QLineEdit)) and small:
            found.append(f"{name} {w.width()}x{w.height()} is under {MIN_TOUCH_MM} mm ({MIN_TOUCH_PX} px)")
    controls = _controls(root)
    for i, a in enumerate(controls):
        for b in controls[i + 1:]:
            if a.isAncestorOf(b) or b.isAncestorOf(a):
                continue
            if _in_window(a).intersects(_in_window(b)):
                found.append(f"{a.objectName() or type(a).__name__} and "
                             f"{b.objectName() or type(b).__name__} overlap")
    return found
