"""The daily log as a PDF a lead prints and signs: a one-page summary, then the log.

fpdf2 with a CJK font found at run time (data.export.fonts). Every page carries its
number ("page 3 of 12"); the summary ends with a line for the lead's signature.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

from data.export.daylog import HOURS, WIDTHS, Summary, building_label, report_cells, report_heads
from data.export.fonts import cjk_font
from kiosk.chart_style import ENTRY_RGB, EXIT_RGB, FEVER_RGB, scale_step
from kiosk.messages import log_text

MARGIN = 12.0
ROW_H = 4.6
FONT = "cjk"


class _LogPdf(FPDF):
    def __init__(self, lang: str, heading: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.lang = lang
        self.heading = heading
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.add_font(FONT, fname=str(cjk_font()))
        self.set_font(FONT, size=9)

    def footer(self) -> None:
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.text(MARGIN, self.h - 6, self.heading)
        # cell(), not text(): only cell() substitutes the total-pages alias "{nb}".
        label = log_text("page", self.lang, page=self.page_no(), pages=self.str_alias_nb_pages)
        self.set_xy(MARGIN, self.h - 9)
        self.cell(self.w - 2 * MARGIN, 4, label, align="R")
        self.set_text_color(0)


def write_pdf(path: Path, headers: list[str], columns: tuple[str, ...], rows: Iterable[Sequence[Any]],
              summary: Summary, title: str, scope_line: str, exported_line: str, lang: str) -> None:
    pdf = _LogPdf(lang, title)
    _summary_page(pdf, summary, title, scope_line, exported_line, lang)
    _lead_pages(pdf, summary, lang)
    _log_pages(pdf, headers, columns, rows)
    pdf.output(str(path))


def _summary_page(pdf: _LogPdf, summary: Summary, title: str, scope_line: str, exported_line: str,
                  lang: str) -> None:
    pdf.add_page()
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(0, 6, scope_line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(90)
    pdf.cell(0, 6, exported_line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)
    pdf.set_font(FONT, size=12)
    counts = "    ".join(f"{log_text(k, lang)}: {v}" for k, v in (
        ("scans", summary.scans), ("exits_passages", summary.exits),
        ("exits_households", summary.exit_households), ("entries", summary.entries),
        ("slips_short", summary.slip_count), ("outsiders", summary.outsiders)))
    pdf.cell(0, 8, counts, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    top = pdf.get_y()
    half = (pdf.w - 2 * MARGIN) / 2
    chart_bottom = _hour_chart(pdf, MARGIN, top, half - 8, CHART_H, summary.hourly, summary.fever_hours, lang)
    shown = summary.denials[:DENIAL_LINES]
    _list(pdf, MARGIN, chart_bottom + 2, f"{log_text('rule_denials', lang)} ({summary.denial_count})",
          [f"{log_text(reason, lang)}: {count}" for reason, count in shown], lang,
          more=sum(count for _, count in summary.denials[DENIAL_LINES:]))
    fevers = [f"{f.date} {f.time}  {f.flat}  {_temp(f.first)} → {_temp(f.second) or '—'}  "
              f"{log_text(_outcome_key(f.outcome), lang)}" for f in summary.fevers[:FEVER_LINES]]
    y = _list(pdf, MARGIN + half, top, f"{log_text('fevers', lang)} ({summary.fever_count})", fevers, lang,
              more=summary.fever_count - len(fevers))
    overrides = [f"{d} {t}  {flat}  {op}: {reason}"
                 for d, t, flat, op, reason in summary.overrides[:OVERRIDE_LINES]]
    y = _list(pdf, MARGIN + half, y + 3, f"{log_text('overrides', lang)} ({summary.override_count})",
              overrides, lang, more=summary.override_count - len(overrides))
    slips = [f"{log_text(reason, lang)}: {count}" for reason, count in summary.slips[:SLIP_LINES]]
    _list(pdf, MARGIN + half, y + 3, f"{log_text('slips', lang)} ({summary.slip_count})", slips, lang,
          more=sum(count for _, count in summary.slips[SLIP_LINES:]))

    pdf.set_font(FONT, size=12)
    pdf.text(MARGIN, pdf.h - 22, log_text("signature", lang))


# The chart's colours differ in lightness too, and the bars of an hour stand side by side
# (exits left, entries right): a black-and-white print still tells them apart.
GRID = (205, 205, 205)
CHART_H = 66.0        # mm from the chart's heading to below its hour labels and fever marks
DENIAL_LINES = 10     # what fits between the chart and the signature line
FEVER_LINES, OVERRIDE_LINES, SLIP_LINES = 8, 5, 4  # the right column, down to the signature line


def _hour_chart(pdf: _LogPdf, x: float, y: float, width: float, height: float,
                hourly: list[tuple[int, int]], fever_hours: list[float], lang: str) -> float:
    """Exits and entries per local hour as paired bars, fever readings as red marks under the
    hour axis; a heading, a count scale and a legend. Returns the y below it."""
    pdf.set_font(FONT, size=11)
    pdf.text(x, y + 5, log_text("per_hour", lang))
    # the legend, right-aligned on the heading's line
    pdf.set_font(FONT, size=8)
    items = [(EXIT_RGB, log_text("exits", lang)), (ENTRY_RGB, log_text("entries", lang))]
    legend_x = x + width
    if fever_hours:
        label = log_text("fever_mark", lang)
        legend_x -= pdf.get_string_width(label) + 5
        _fever_mark(pdf, legend_x + 1.5, y + 4.6)
        pdf.text(legend_x + 4, y + 5, label)
    for colour, label in reversed(items):
        legend_x -= pdf.get_string_width(label) + 9
        pdf.set_fill_color(*colour)
        pdf.set_draw_color(60)
        pdf.rect(legend_x, y + 2.4, 3.2, 3.2, style="DF")
        pdf.text(legend_x + 4.2, y + 5, label)

    label_w = 8.0  # room for the count scale's numbers
    plot_x, plot_w = x + label_w, width - label_w
    plot_top, plot_bottom = y + 12.5, y + height - 12
    plot_h = plot_bottom - plot_top
    largest = max([max(pair) for pair in hourly] + [1])
    step = scale_step(largest)
    top_value = step * -(-largest // step)  # the first gridline at or above the tallest bar
    pdf.set_line_width(0.15)
    pdf.set_font(FONT, size=7)
    for value in range(0, top_value + 1, step):
        gy = plot_bottom - plot_h * value / top_value
        pdf.set_draw_color(*GRID)
        pdf.line(plot_x, gy, plot_x + plot_w, gy)
        text = str(value)
        pdf.text(plot_x - 1.2 - pdf.get_string_width(text), gy + 1.0, text)
    slot = plot_w / HOURS
    bar = slot * 0.38
    pdf.set_draw_color(40)
    for hour, (exits, entries) in enumerate(hourly):
        left = plot_x + hour * slot + slot * 0.12
        for offset, count, colour in ((0.0, exits, EXIT_RGB), (bar, entries, ENTRY_RGB)):
            if count:
                bar_h = plot_h * count / top_value
                pdf.set_fill_color(*colour)
                pdf.rect(left + offset, plot_bottom - bar_h, bar, bar_h, style="DF")
        text = str(hour)
        pdf.text(plot_x + (hour + 0.5) * slot - pdf.get_string_width(text) / 2, plot_bottom + 3.6, text)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.3)
    pdf.line(plot_x, plot_bottom, plot_x + plot_w, plot_bottom)
    pdf.line(plot_x, plot_top - 1, plot_x, plot_bottom)
    axis = log_text("hour_axis", lang)
    pdf.text(plot_x + plot_w - pdf.get_string_width(axis), plot_bottom + 7.4, axis)
    pdf.text(x, plot_top - 2.2, log_text("people", lang))
    for when in fever_hours:
        _fever_mark(pdf, plot_x + when / HOURS * plot_w, plot_bottom + 5.6)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(0)  # text is drawn in the fill colour: black again
    pdf.set_draw_color(0)
    return y + height


def _fever_mark(pdf: _LogPdf, cx: float, cy: float) -> None:
    """A small red triangle pointing up at the time of a fever reading."""
    pdf.set_fill_color(*FEVER_RGB)
    pdf.polygon([(cx - 1.3, cy + 1.2), (cx + 1.3, cy + 1.2), (cx, cy - 1.2)], style="F")
    pdf.set_fill_color(0)


def _list(pdf: _LogPdf, x: float, y: float, heading: str, lines: list[str], lang: str,
          more: int = 0) -> float:
    """A heading and its lines from (x, y); returns the y below them."""
    pdf.set_font(FONT, size=11)
    pdf.text(x, y + 5, heading)
    pdf.set_font(FONT, size=9)
    y += 6
    for line in lines or [log_text("none", lang)]:
        y += 5
        pdf.text(x + 3, y, line[:70])
    if more > 0:
        y += 5
        pdf.text(x + 3, y, log_text("more", lang, count=more))
    return y


def _outcome_key(outcome: str) -> str:
    return "fever_confirmed_outcome" if outcome == "fever_confirmed" else outcome


def _lead_pages(pdf: _LogPdf, summary: Summary, lang: str) -> None:
    """What a lead hands in besides the log: per-unit totals, who is out and not back, the
    households not out for N days (for the delivery volunteers), every fever with its outcome,
    the gate's own reports (and at the office, the outsiders refused per gate and day).
    Tables one after the other, each heading kept with at least two of its rows."""
    t = lambda key: log_text(key, lang)  # noqa: E731 (a short alias for the tables below)
    tables: list[tuple[str, list[str], list[int], Sequence[Sequence[Any]] | None]] = [
        (t("units"), [t("col_building"), t("col_unit"), t("col_exits"), t("col_exit_households"),
                      t("col_entries"), t("col_denials"), t("col_fevers")], [24, 16, 22, 22, 22, 18, 18],
         [(building_label(u.building, lang), u.unit, u.exits, u.exit_households, u.entries, u.denials,
           u.fevers) for u in summary.units]),
        (t("out_now"), [t("col_flat"), t("col_kind"), t("col_serial"), t("col_holder"), t("col_since")],
         [28, 20, 28, 16, 28], None if summary.out_now is None else [
             (flat, t(kind), serial, initial, since)
             for flat, kind, serial, initial, since in summary.out_now]),
        (log_text("not_out", lang, days=summary.not_out_days),
         [t("col_flat"), t("col_holder"), t("col_last_exit")], [28, 16, 30], None if summary.not_out is None
         else [(flat, initial, last or t("never")) for flat, initial, last in summary.not_out]),
        (f"{t('fevers')} ({summary.fever_count})",
         [t("col_date"), t("col_time"), t("col_flat"), t("col_temp_first"), t("col_temp_second"),
          t("col_outcome")],
         [24, 14, 26, 18, 18, 60], [(f.date, f.time, f.flat, _temp(f.first), _temp(f.second),
                                     t(_outcome_key(f.outcome))) for f in summary.fevers]),
        (f"{t('reports')} ({summary.report_count})", report_heads(lang, summary.merged),
         [22, 12, *([22] if summary.merged else []), 24, 22, 10, 60, 20, 56],
         [["" if cell is None else cell for cell in report_cells(line, lang, summary.merged)]
          for line in summary.reports]),
    ]
    if summary.outsiders_by_gate is not None:
        tables.append((t("outsiders_sheet"),
                       [t("col_date"), t("col_gate"), t("col_people")], [24, 30, 14],
                       summary.outsiders_by_gate))
    pdf.add_page()
    y = MARGIN
    bottom = pdf.h - MARGIN - 8
    for heading, heads, widths, body in tables:
        if body is None:  # not known here (the office's merged log: no passages)
            continue
        if y + 6 + 3 * ROW_H > bottom:
            pdf.add_page()
            y = MARGIN
        pdf.set_font(FONT, size=11)
        pdf.text(MARGIN, y + 5, heading)
        y += 7
        y = _table_header(pdf, y, heads, widths)
        pdf.set_font(FONT, size=9)
        for row in body or [(t("none"),)]:
            if y + ROW_H > bottom:
                pdf.add_page()
                y = _table_header(pdf, MARGIN, heads, widths)
                pdf.set_font(FONT, size=9)
            x = MARGIN
            for value, width in zip(row, widths, strict=False):
                pdf.text(x + 0.8, y + ROW_H - 1.0, _fit(pdf, str(value), width - 1.6))
                x += width
            y += ROW_H
        y += 5


def _table_header(pdf: _LogPdf, y: float, heads: list[str], widths: list[int]) -> float:
    pdf.set_font(FONT, size=8.5)
    pdf.set_fill_color(221, 228, 238)
    pdf.rect(MARGIN, y, sum(widths), ROW_H + 1, style="F")
    pdf.set_fill_color(0)  # text is drawn in the fill colour: black again
    x = MARGIN
    for text, width in zip(heads, widths, strict=True):
        pdf.text(x + 0.8, y + ROW_H - 0.6, text)
        x += width
    return y + ROW_H + 1


def _fit(pdf: FPDF, cell: str, width: float) -> str:
    """Cut a long note so it does not run into the next column."""
    if pdf.get_string_width(cell) <= width:
        return cell
    while cell and pdf.get_string_width(cell + "…") > width:
        cell = cell[:-1]
    return cell + "…"


def _temp(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _log_pages(pdf: _LogPdf, headers: list[str], columns: tuple[str, ...],
               rows: Iterable[Sequence[Any]]) -> None:
    usable = pdf.w - 2 * MARGIN
    total = sum(WIDTHS[c] for c in columns)
    widths = [usable * WIDTHS[c] / total for c in columns]
    xs, x = [], MARGIN
    for width in widths:
        xs.append(x)
        x += width
    bottom = pdf.h - MARGIN - 6
    y = bottom  # start a page at the first row
    line = _LineWriter(pdf)

    def new_page() -> float:
        pdf.add_page()
        pdf.set_font(FONT, size=8.5)
        pdf.set_fill_color(221, 228, 238)
        pdf.rect(MARGIN, MARGIN, usable, ROW_H + 1, style="F")
        pdf.set_fill_color(0)  # text is drawn in the fill colour: black again for the rows
        for x_pos, text in zip(xs, headers, strict=True):
            pdf.text(x_pos + 0.8, MARGIN + ROW_H - 0.6, text)
        pdf.set_font(FONT, size=8)
        pdf.text(MARGIN, MARGIN, "")  # puts the rows' font on the page for _LineWriter
        return MARGIN + ROW_H + 1

    for row in rows:
        if y + ROW_H > bottom:
            y = new_page()
        y += ROW_H
        cells = []
        for x_pos, value, width in zip(xs, row, widths, strict=True):
            if value is None or value == "":
                continue
            cell = str(value)
            if len(cell) * 1.4 > width - 1.6:  # may not fit: measure (rare, and slow)
                cell = _fit(pdf, cell, width - 1.6)
            cells.append((x_pos + 0.8, cell))
        line.write(y - 1.0, cells)
    if y == bottom:  # no rows at all: still show the header, so the page says "nothing"
        new_page()


class _LineWriter:
    """One PDF text object per log line, the cells placed with relative moves.

    `FPDF.text()` costs about 90 µs a cell (a month is 7 million cells); this writes a
    line's cells in one operator string and caches each distinct text's glyph encoding
    (the log repeats its labels, flats and names endlessly). It leans on two fpdf2
    internals, `current_font.encode_text` and `_out`, pinned with fpdf2 in
    requirements.txt and covered by the PDF tests (text extraction of every column).
    """

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self.encoded: dict[str, str] = {}

    def write(self, y: float, cells: list[tuple[float, str]]) -> None:
        pdf, k = self.pdf, self.pdf.k
        parts = ["BT"]
        previous_x, baseline = 0.0, (pdf.h - y) * k
        font = pdf.current_font
        assert font is not None, "the font is set before the first row"
        for index, (x, text) in enumerate(cells):
            code = self.encoded.get(text)
            if code is None:
                if len(self.encoded) > 100_000:
                    self.encoded.clear()
                code = self.encoded[text] = font.encode_text(text)
            x_pt = x * k
            parts.append(f"{x_pt - previous_x:.2f} {baseline if index == 0 else 0:.2f} Td {code}")
            previous_x = x_pt
        parts.append("ET")
        pdf._out(" ".join(parts))

