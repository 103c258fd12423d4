"""Printable card sheets: A4, eight credit-card-size cards a page, with crop marks.

Each card: the QR code (drawn as vectors, error correction M or better, about 0.75 mm a
module so a phone or a gate camera reads it at arm's length), the card kind in words and
in its colour, the flat, the holder's initial only (DESIGN.md section 8), the validity
dates and the human serial with its check character for typed entry.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import segno
from fpdf import FPDF

from data.export.fonts import cjk_font
from data.operators_store import SqliteOperatorStore
from data.outputs import check_output, writing
from data.store import SqliteStore
from kiosk.clock import Clock
from kiosk.messages import log_text
from kiosk.model import Card, CardKind, CardStatus, Household
from kiosk.office import CardOffice
from kiosk.policy import Policy

log = logging.getLogger("export")

CARD_W, CARD_H = 85.6, 53.98  # ISO/IEC 7810 ID-1, mm
COLUMNS, ROWS = 2, 4
GUTTER = 8.0
MARK_GAP, MARK_LEN = 1.0, 2.5  # crop marks start 1 mm off the card and stay in the gutter
QR_SIZE = 40.0  # mm, quiet zone included
KIND_COLOUR = {CardKind.LIFE: (46, 125, 50), CardKind.WORK: (21, 101, 192),
               CardKind.SPECIAL: (216, 67, 21)}
FONT = "cjk"

Progress = Callable[[int, int], None]


def printable_cards(store: SqliteStore, today: dt.date, building: str | None = None
                    ) -> list[tuple[Card, Household]]:
    """Active cards still valid today (or later), ordered by flat and kind."""
    households = {h.id: h for h in store.households(building)}
    cards = [(c, households[c.household_id]) for c in store.cards()
             if c.household_id in households and c.status is CardStatus.ACTIVE and c.valid_to >= today]
    order = {CardKind.LIFE: 0, CardKind.WORK: 1, CardKind.SPECIAL: 2}
    return sorted(cards, key=lambda ch: (ch[1].building, ch[1].unit, ch[1].room, order[ch[0].kind],
                                         ch[0].serial))


def print_cards(store: SqliteStore, office: CardOffice, clock: Clock, out: Path,
                building: str | None = None, lang: str = "zh", operator: str = "",
                progress: Progress | None = None, force: bool = False,
                guarded: tuple[Path, ...] = (),
                cards: list[tuple[Card, Household]] | None = None) -> tuple[int, int]:
    """Write the sheets for a building (or all), or of `cards` when given (the office's
    `--new`); returns (cards, pages). Audited.

    Written through data.outputs (owner-only, never onto the database, its key or its
    backups, nor `guarded` files; an existing file only with `force`): OutputRefused."""
    databases = [p for p in (getattr(store, "path", None), *guarded) if p]  # an office store may have none
    check_output(out, databases, force)  # before the work: a refused path costs nothing
    today = clock.now().astimezone(Policy(store.settings()).timezone).date()
    if cards is None:
        cards = printable_cards(store, today, building)
    if not cards:
        return 0, 0
    community = store.community().name
    sheet = CardSheet(lang, community)
    for done, (card, household) in enumerate(cards, start=1):
        sheet.add(card, household, office.payload(card))
        if progress is not None:
            progress(done, len(cards))
    out = Path(out)
    with writing(out, databases, force) as pending:
        sheet.pdf.output(str(pending.part))
    pages = sheet.pdf.page_no()
    SqliteOperatorStore(store).audit(operator, "cards_print", str(out), {
        "building": building or "all", "cards": len(cards), "serials": [c.serial for c, _ in cards]},
        clock.now())
    log.info("printed %d cards on %d pages to %s", len(cards), pages, out)
    return len(cards), pages


class CardSheet:
    """An A4 PDF that fills with cards, eight a page."""

    def __init__(self, lang: str, community: str):
        self.lang = lang
        self.community = community
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.add_font(FONT, fname=str(cjk_font()))
        self.count = 0
        self.left = (self.pdf.w - COLUMNS * CARD_W - (COLUMNS - 1) * GUTTER) / 2
        self.top = (self.pdf.h - ROWS * CARD_H - (ROWS - 1) * GUTTER) / 2

    def add(self, card: Card, household: Household, payload: str) -> None:
        slot = self.count % (COLUMNS * ROWS)
        if slot == 0:
            self.pdf.add_page()
        column, row = slot % COLUMNS, slot // COLUMNS
        x = self.left + column * (CARD_W + GUTTER)
        y = self.top + row * (CARD_H + GUTTER)
        self._crop_marks(x, y)
        self._card(x, y, card, household, payload)
        self.count += 1

    def _crop_marks(self, x: float, y: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(0)
        pdf.set_line_width(0.2)
        for cx in (x, x + CARD_W):
            for cy in (y, y + CARD_H):
                sign_x = -1 if cx == x else 1
                sign_y = -1 if cy == y else 1
                # a horizontal and a vertical stroke, each on the cut line, outside the card
                pdf.line(cx + sign_x * MARK_GAP, cy, cx + sign_x * (MARK_GAP + MARK_LEN), cy)
                pdf.line(cx, cy + sign_y * MARK_GAP, cx, cy + sign_y * (MARK_GAP + MARK_LEN))

    def _card(self, x: float, y: float, card: Card, household: Household, payload: str) -> None:
        pdf, lang = self.pdf, self.lang
        colour = KIND_COLOUR[card.kind]
        pdf.set_draw_color(200)
        pdf.set_line_width(0.1)
        pdf.rect(x, y, CARD_W, CARD_H)  # a faint outline: the crop marks are the cut
        pdf.set_fill_color(*colour)
        pdf.rect(x, y, CARD_W, 8.5, style="F")
        pdf.set_text_color(255)
        pdf.set_font(FONT, size=9)
        pdf.text(x + 3, y + 5.7, log_text("card_title", lang, community=self.community)[:28])
        kind_word = log_text(f"card_{card.kind.value}", lang)
        pdf.set_font(FONT, size=12)
        pdf.text(x + CARD_W - 3 - pdf.get_string_width(kind_word), y + 6.1, kind_word)

        draw_qr(pdf, payload, x + 1.5, y + 11.0, QR_SIZE)

        right = x + 43.5
        pdf.set_text_color(*colour)
        pdf.set_font(FONT, size=15)
        pdf.text(right, y + 17, kind_word)
        pdf.set_text_color(0)
        pdf.set_font(FONT, size=17)
        pdf.text(right, y + 26, household.flat)
        pdf.set_font(FONT, size=9)
        if card.holder_initial:
            pdf.text(right, y + 32, log_text("card_holder", lang, initial=card.holder_initial))
        pdf.set_font(FONT, size=7.5)
        pdf.text(right, y + 37.5, log_text("card_valid", lang, first=card.valid_from.isoformat(),
                                           last=card.valid_to.isoformat()))
        pdf.set_font("Courier", style="B", size=15)
        pdf.text(right, y + 46, card.serial)
        pdf.set_font(FONT, size=7)
        pdf.set_text_color(110)
        pdf.text(right, y + 50.5, log_text("card_generation", lang, generation=card.generation))
        pdf.set_text_color(0)


def draw_qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles, one per run of dark modules in a row.

    Error correction M, raised to Q or H when that fits in the same version. Always
    `make_qr`: `make` may choose a Micro QR that many readers cannot decode.
    """
    qr = segno.make_qr(payload, error="m", boost_error=True)
    border = 4
    modules = qr.symbol_size(scale=1, border=border)[0]
    step = size / modules
    pdf.set_fill_color(255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0)
    overlap = step * 0.04  # rows touch when rendered, no hairline gaps between them
    for r, row in enumerate(qr.matrix):
        c = 0
        width = len(row)
        while c < width:
            if row[c] & 1:
                start = c
                while c < width and row[c] & 1:
                    c += 1
                pdf.rect(x + (start + border) * step, y + (r + border) * step,
                         (c - start) * step, step + overlap, style="F")
            else:
                c += 1
