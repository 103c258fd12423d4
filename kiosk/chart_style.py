"""The exits-per-hour chart's look, shared by the printed summary (data/export/pdf.py) and
the admin screen (ui/admin/chart.py), so a lead sees the same picture on paper and on
screen. Plain values only: each side draws with its own tools.
"""
from __future__ import annotations

EXIT_RGB = (31, 78, 140)      # dark blue, solid: dark grey in black-and-white print
ENTRY_RGB = (246, 178, 107)   # light orange with a dark outline: light grey in print
FEVER_RGB = (200, 30, 30)


def scale_step(largest: int) -> int:
    """A round step (1, 2, 5, 10, 20, 50 ...) that gives at most 5 gridlines up to `largest`."""
    step = 1
    while largest / step > 5:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if largest / step <= 5:
                break
    return step
