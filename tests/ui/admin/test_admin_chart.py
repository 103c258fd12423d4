"""The log tab's chart of exits and entries per hour: its numbers come from the gate's
read side, and it paints them."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from ui.admin import open_admin
from ui.admin.chart import ENTRY_COLOUR, EXIT_COLOUR, FEVER_COLOUR, HourlyChart, scale_step

from .conftest import DAY, wait_loaded


@pytest.fixture
def window(qtbot, office, request):
    window = open_admin(office.client, getattr(office, request.param))
    qtbot.addWidget(window)
    window.log_tab.date.setDate(DAY)
    wait_loaded(qtbot, window.log_tab)
    yield window
    window.close()


def painted(widget) -> bytes:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return bytes(image.constBits())


def has_colour(pixels: bytes, colour) -> bool:
    return bytes((colour.red(), colour.green(), colour.blue())) in pixels


def colour_area(pixels: bytes, colour) -> int:
    """Roughly how many pixels of `colour` (the legend's swatch has some too)."""
    return pixels.count(bytes((colour.red(), colour.green(), colour.blue())))


@pytest.mark.parametrize("window", ["admin"], indirect=True)
def test_the_chart_shows_the_days_exits_per_hour_and_the_fevers(window, qtbot):
    chart = window.log_tab.chart
    qtbot.waitExposed(window)
    assert chart.counts[8] == (1, 0) and chart.counts[9] == (1, 0)
    assert sum(e + i for e, i in chart.counts) == 2  # the fever's retests and the forged code are no passages
    assert chart.fevers == [11.0, 11.1]
    assert chart.toolTip() == "外出: 2    进入: 0"
    assert chart.isVisible() and chart.height() >= chart.minimumHeight()
    pixels = painted(chart)
    assert has_colour(pixels, EXIT_COLOUR) and has_colour(pixels, FEVER_COLOUR)


@pytest.mark.parametrize("window", ["admin"], indirect=True)
def test_the_chart_follows_the_building_and_the_date(window, qtbot):
    tab = window.log_tab
    with_bars = colour_area(painted(tab.chart), EXIT_COLOUR)
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.building.setCurrentIndex(tab.building.findData("5"))
    assert tab.chart.counts[8] == (0, 0) and tab.chart.counts[9] == (1, 0) and tab.chart.fevers == []
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.direction.setCurrentIndex(tab.direction.findData("in"))  # filters the rows, not the chart
    assert tab.chart.counts[9] == (1, 0)
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.date.setDate(DAY.replace(day=13))
    assert tab.chart.counts == [(0, 0)] * 24
    assert colour_area(painted(tab.chart), EXIT_COLOUR) < with_bars / 2  # the legend's swatch only


@pytest.mark.parametrize("window", ["lead"], indirect=True)
def test_a_leads_chart_counts_only_their_buildings(window):
    assert window.log_tab.chart.counts[8] == (1, 0) and window.log_tab.chart.counts[9] == (0, 0)


def test_the_chart_paints_in_english_with_large_numbers(qtbot):
    chart = HourlyChart("en")
    qtbot.addWidget(chart)
    chart.resize(700, 200)
    chart.set_counts([(h * 40, 1000 - h * 40) for h in range(24)], [7.5])
    chart.show()
    qtbot.waitExposed(chart)
    assert chart.toolTip() == "Exits: 11040    Entries: 12960"
    pixels = painted(chart)
    assert has_colour(pixels, EXIT_COLOUR) and has_colour(pixels, ENTRY_COLOUR)


@pytest.mark.parametrize("largest, step", [(0, 1), (1, 1), (5, 1), (6, 2), (10, 2), (11, 5), (26, 10),
                                           (99, 20), (260, 100), (1000, 200)])
def test_the_count_scale_has_round_steps_and_at_most_five_lines(largest, step):
    assert scale_step(largest) == step
    assert largest / step <= 5
