"""The keyboard-wedge parser: tells a scanner's typing from a person's.

A keyboard-wedge scanner "types" the payload into whatever has the focus, much faster than
any person (a few milliseconds between keys) and ends it with Enter (or Tab, or nothing).
The UI's one event filter feeds every key press here and acts on the returned
`WedgeAction`; this module knows nothing about Qt, so it is tested with recorded timings.

The first key of a burst cannot be told from a person's key press: only the gap to the
*next* key tells. So the parser holds printable characters back (`consumed=True`: the event
filter eats them) until it knows:

- the next key arrives within `max_gap_s`: the burst goes on, keep holding;
- `recognise_length` characters have come that fast: the burst is a scanner's. From then on
  it goes on across the pauses a Bluetooth or 2.4 GHz scanner makes in mid-payload (radio
  retries, a full buffer: a few hundred ms), up to `scanner_gap_s` each, until its
  terminator;
- a burst of at least `min_length` characters ends in Enter or Tab, or goes quiet (a
  scanner configured without a terminator): it is a scan, `WedgeAction.scanned`;
- otherwise it was typing: `WedgeAction.replay` gives the held characters back, and the
  event filter delivers them to the focused widget, in order, before the current key.

The cost is that a person's key shows up a gap later (at most `idle_timeout_s`, when the UI
calls `poll`), which nobody notices in a serial-number field; the gain is that a scan never
leaks half a payload into a text field and typing is never lost. A whitespace character
never starts a burst (no payload starts with one): Space reaches a focused button at once.

Timestamps are seconds on the key events' own clock (`QKeyEvent.timestamp()`, when the key
was pressed, not when the GUI thread got to it), for both `feed` and `poll`: a busy GUI
thread that delivers a burst late, or a person's keys back to back, changes nothing here.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TERMINATOR_KEYS = frozenset({"Enter", "Return", "Tab"})
"""Key names that end a scanner's burst (scanners are set to send Enter or Tab)."""

TERMINATOR_CHARS = frozenset({"\r", "\n", "\t"})
"""The text Qt gives for Enter and Tab, accepted as terminators too."""

MODIFIER_KEYS = frozenset({"Shift", "Control", "Alt", "AltGr", "Meta", "Super", "CapsLock",
                           "NumLock"})
"""Keys ignored entirely: a scanner presses Shift around every capital letter."""


@dataclass(frozen=True)
class WedgeAction:
    """What the event filter should do after `feed` or `poll`.

    consumed: eat the current key event (it is held by the parser); False: let it through.
    scanned:  a complete scan (NFKC-normalised), or None.
    replay:   characters held earlier that turned out to be typing: deliver them to the
              focused widget, in order, before the current key (if that one passes).

    Every action with `scanned` or `replay` settles all the characters held before the
    current key: they went into the scan, or they are the replay.
    """

    consumed: bool
    scanned: str | None = None
    replay: str = ""


_NOTHING = WedgeAction(consumed=False)


class WedgeParser:
    """Turns key presses into scans; pure (no clock, no Qt), so fed recorded timings in tests.

    The rules, in the order they apply to one key press at time `t`:

    1. If characters are held and the gap since the last one exceeds `max_gap_s`
       (`scanner_gap_s` once the burst is recognised as a scanner's), or the clock went
       backwards, the held burst is over: a scan if it is long enough, else replayed.
    2. Modifier keys (`MODIFIER_KEYS`) and empty keys change nothing and pass through.
    3. A printable character (one character, not a control character) is held, except a
       whitespace character when nothing is held: that passes through at once.
    4. A terminator (Enter, Return, Tab, or the text "\\r", "\\n", "\\t") after a held burst
       of at least `min_length` characters is a scan and is eaten; after a shorter burst
       the burst is replayed and the terminator passes through.
    5. Any other key name ("Backspace", "Escape", "Left", ...) means a person is at the
       keyboard: held characters are replayed and the key passes through.

    A burst made of one character repeated is never a scan, nor recognised as a scanner's:
    that is a key held down (auto-repeat is as fast as a scanner) and no payload looks
    like that.
    """

    def __init__(self, *, max_gap_s: float = 0.05, idle_timeout_s: float = 0.1,
                 scanner_gap_s: float = 0.5, recognise_length: int = 4,
                 min_length: int = 6) -> None:
        if not 0 < max_gap_s <= idle_timeout_s <= scanner_gap_s:
            raise ValueError("need 0 < max_gap_s <= idle_timeout_s <= scanner_gap_s")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        if recognise_length < 2:
            raise ValueError("recognise_length must be at least 2")
        self.max_gap_s = max_gap_s
        # Longer than the gap: poll() runs on a GUI timer that can fire late, while the next
        # key of the burst waits in the event queue; a margin keeps the burst whole.
        self.idle_timeout_s = idle_timeout_s
        self.scanner_gap_s = scanner_gap_s
        self.recognise_length = recognise_length
        self.min_length = min_length
        self._held: list[str] = []
        self._scanner = False  # the held burst is recognised as a scanner's
        self._last_key_t = 0.0

    @property
    def held(self) -> str:
        """The characters held back right now (for display or debugging)."""
        return "".join(self._held)

    @property
    def scanner_burst(self) -> bool:
        """True while the held characters are recognised as a scanner's burst."""
        return self._scanner

    def _quiet_limit(self) -> float:
        return self.scanner_gap_s if self._scanner else self.idle_timeout_s

    def deadline(self) -> float | None:
        """When `poll` must be called to finish the held burst; None when nothing is held."""
        return self._last_key_t + self._quiet_limit() if self._held else None

    def feed(self, key: str, t: float) -> WedgeAction:
        """One key press: a single character, or a key name such as "Enter" or "Backspace"."""
        finished = _NOTHING
        if self._held:
            gap = t - self._last_key_t
            if gap < 0 or gap > (self.scanner_gap_s if self._scanner else self.max_gap_s):
                finished = self._finish_burst()

        if key == "" or key in MODIFIER_KEYS:
            return finished
        if key in TERMINATOR_KEYS or key in TERMINATOR_CHARS:
            return self._terminate(finished)
        if _is_printable_character(key) and (self._held or not key.isspace()):
            self._held.append(key)
            self._last_key_t = t
            if len(self._held) >= self.recognise_length and len(set(self._held)) > 1:
                self._scanner = True
            return WedgeAction(consumed=True, scanned=finished.scanned, replay=finished.replay)
        # Any other key (or a space starting nothing): give back what is held, let it pass.
        return WedgeAction(consumed=False, scanned=finished.scanned,
                           replay=finished.replay + self._take_held())

    def poll(self, now: float) -> WedgeAction:
        """Finish a burst that has gone quiet; call it at `deadline()` (or later)."""
        if self._held and now - self._last_key_t > self._quiet_limit():
            return self._finish_burst()
        return _NOTHING

    def _terminate(self, finished: WedgeAction) -> WedgeAction:
        # Rule 1 already finished a burst that went quiet before the terminator, so anything
        # still held arrived within the burst's gap of it.
        if self._is_scan(self._held):
            return WedgeAction(consumed=True, scanned=_normalise(self._take_held()))
        return WedgeAction(consumed=False, scanned=finished.scanned,
                           replay=finished.replay + self._take_held())

    def _finish_burst(self) -> WedgeAction:
        if self._is_scan(self._held):
            return WedgeAction(consumed=False, scanned=_normalise(self._take_held()))
        return WedgeAction(consumed=False, replay=self._take_held())

    def _is_scan(self, held: list[str]) -> bool:
        return len(held) >= self.min_length and len(set(held)) > 1

    def _take_held(self) -> str:
        text = "".join(self._held)
        self._held.clear()
        self._scanner = False
        return text


def _is_printable_character(key: str) -> bool:
    # Category "C*" holds control, format, surrogate, private-use and unassigned code points.
    # str.isprintable() would also refuse the ideographic space an input method types.
    return len(key) == 1 and not unicodedata.category(key).startswith("C")


def _normalise(text: str) -> str:
    # Full-width characters from a Chinese input method become ASCII. Case is left alone:
    # Caps Lock inverts it and the card codec decodes case-insensitively.
    return unicodedata.normalize("NFKC", text)
