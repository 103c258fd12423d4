"""Workaround for a reference-count bug of PySide6 6.12.0 on CPython 3.11.

Measured here: every call of a Qt method that returns void (`w.update()`, `timer.stop()`,
`app.processEvents()`) takes one reference from `None` without giving it one, and some
paths do the same to `True`/`False`. On CPython 3.12+ those objects are immortal and the
bug is harmless; on 3.11 (Debian 12's Python, our target) the count reaches zero after some
tens of thousands of calls and the interpreter aborts ("Fatal Python error: none_dealloc"):
a gate screen would die within minutes. See tests/ui/test_refguard.py.

Until a PySide6 without the bug is pinned (or Python 3.12+), we lift the three counts far
out of reach: the objects are never meant to be freed, so a large count is harmless, and
`keep_alive()` lifts them again whenever they have drifted below half. No memory is used.
"""
from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger("gate")

LIFT = 1 << 40     # at a million lost references a second: twelve days
FLOOR = LIFT // 2
SINGLETONS = (None, True, False)
NEEDED = sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def keep_alive() -> bool:
    """Lift the singletons' counts if they have drifted low; True when something was lifted."""
    if not NEEDED:
        return False
    lifted = False
    for obj in SINGLETONS:
        if sys.getrefcount(obj) < FLOOR:
            # ob_refcnt is the first field of every CPython 3.11 object.
            ctypes.c_ssize_t.from_address(id(obj)).value += LIFT
            lifted = True
    return lifted
