"""Type that follows the window: every widget declares its point size at the reference size
(1600x900, where the gate screen was first drawn) once, and the window scales them all
from its own size in one place (`apply_scale`, called on resize).

Minimum sizes stay in pixels and never scale down: a key is at least a gloved fingertip
(12 mm at 96 dpi) on any screen; only the words grow and shrink.
"""
from __future__ import annotations

import math
from typing import TypeVar

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)

REFERENCE = (1600, 900)  # landscape; portrait screens use it turned (900x1600)
MIN_SCALE, MAX_SCALE = 0.6, 1.6
MIN_TOUCH_PX = math.ceil(12 / 25.4 * 96)  # 46 px: 12 mm at 96 dpi (issue 11)
KEY_PX = 52  # what keys get at least: a margin over the minimum
POINTS = "base_points"  # the widget property that holds a widget's reference point size
BASE_SIDE = "base_side"  # a square widget's side in pixels at the reference size (an icon)
SCALE = "ui_scale"  # the window's property: the scale its words are drawn at now


def scale_for(width: int, height: int) -> float:
    """How much bigger (or smaller) than at the reference size the words are drawn."""
    long_side, short_side = max(width, height), min(width, height)
    scale = min(long_side / REFERENCE[0], short_side / REFERENCE[1])
    return round(max(MIN_SCALE, min(MAX_SCALE, scale)), 2)


def set_points(widget: W, points: float, bold: bool | None = None) -> W:
    """Give `widget` its point size at the reference size (and boldness); returns it."""
    widget.setProperty(POINTS, float(points))
    font = QFont(widget.font())
    font.setPointSizeF(points)
    if bold is not None:
        font.setBold(bold)
    widget.setFont(font)
    return widget


def window_scale(widget: QWidget) -> float:
    """The scale of the window `widget` is in, or of the window a dialog was opened over
    (1.0 when none set one)."""
    current: QWidget | None = widget
    while current is not None:
        scale = current.window().property(SCALE)
        if scale:
            return float(scale)
        current = current.window().parentWidget()
    return 1.0


def dialog_scale(widget: QWidget) -> float:
    """A dialog's words follow the window up, never below the size the dialog was drawn at:
    it is read at arm's length, and at 1.0 it fits a 1024x768 screen."""
    return max(1.0, window_scale(widget))


def apply_scale(root: QWidget, scale: float) -> None:
    """Every widget under `root` in its window that declared its points gets them times
    `scale` (a dialog open over the window keeps the scale it was opened at)."""
    for widget in (root, *root.findChildren(QWidget)):
        if widget.window() is not root.window():
            continue
        points = widget.property(POINTS)
        if points:
            font = QFont(widget.font())
            font.setPointSizeF(max(7.0, points * scale))
            widget.setFont(font)
        side = widget.property(BASE_SIDE)
        if side:
            widget.setFixedSize(round(side * scale), round(side * scale))
