"""PySide6 6.12.0 on CPython 3.11 took one reference from None on every call of a Qt
method that returns nothing (`update()`, `stop()`, `processEvents()`): a gate screen
aborted with "none_dealloc" within minutes. We pin 6.11.3, which does not; this test
keeps an upgrade from bringing the bug back."""
from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget


def test_void_qt_calls_leave_none_true_and_false_counts_alone(qtbot, qapp):
    widget, timer = QWidget(), QTimer()
    qtbot.addWidget(widget)
    before = [sys.getrefcount(obj) for obj in (None, True, False)]
    for _ in range(2000):
        widget.update()
        timer.stop()
        qapp.processEvents()
        widget.isVisible()
    drained = [b - sys.getrefcount(obj) for b, obj in zip(before, (None, True, False), strict=True)]
    assert all(d < 50 for d in drained), f"references lost from None/True/False: {drained}"
