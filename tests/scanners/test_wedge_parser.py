"""The keyboard-wedge parser, fed recorded key timings the way the UI's event filter feeds it.

`type_into` plays a recording through the parser as the event filter does (eating the keys
it consumes, replaying the ones it gives back, polling at its deadline) and returns what the
volunteer would see: the text that reached the focused field and the scans.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanners.repeat import RepeatGuard, normalise_payload
from scanners.wedge import MODIFIER_KEYS, WedgeAction, WedgeParser
from tests.scanners import wedge_traces
from tests.scanners.wedge_traces import Trace

Recording = list[tuple[str, float]]

PAYLOAD = "GP1:K7Q2M9:000451:LIFE"
# A real card's payload (168 characters: the signed kind the office prints).
CARD = ("GP1:VZIYVGEP:ACCK7MP5QNFJF:CWWCH14:1:H000001:L:20260212:20260512:WN65YULABU36AC3SJXQO"
        "IWTCDKGSOEXNCMR6YIUTPHQOTMUYCHKNG3H3LDERAVPNINNL47F47NNUCVD6ZGUUOU5TCCXHNOXPEX5V6DA")


@dataclass
class Screen:
    field_text: list[str] = field(default_factory=list)  # what reached the focused widget
    scans: list[str] = field(default_factory=list)
    stream: list[str] = field(default_factory=list)  # both, in the order they happened

    @property
    def typed(self) -> str:
        return "".join(self.field_text)

    def apply(self, action: WedgeAction, key: str | None = None) -> None:
        # The event filter's order: held keys back to the field, the scan, the current key.
        self.field_text.extend(action.replay)
        self.stream.extend(action.replay)
        if action.scanned is not None:
            self.scans.append(action.scanned)
            self.stream.append(action.scanned)
        # A modifier key passed through types nothing into the field.
        if key and key not in MODIFIER_KEYS and not action.consumed:
            self.field_text.append(key if len(key) == 1 else f"<{key}>")
            self.stream.append(self.field_text[-1])


def type_into(parser: WedgeParser, recording: Recording) -> Screen:
    screen = Screen()
    for key, t in recording:
        deadline = parser.deadline()
        if deadline is not None and deadline < t:  # the UI's poll timer fires first
            screen.apply(parser.poll(deadline + 0.001))
        screen.apply(parser.feed(key, t), key)
    deadline = parser.deadline()
    if deadline is not None:
        screen.apply(parser.poll(deadline + 0.001))
    return screen


def seconds(trace: Trace) -> Recording:
    """A trace in event milliseconds, as the event filter hands it over: seconds."""
    return [(key, ms / 1000) for key, ms in trace]


def burst(text: str, start: float = 10.0, gap: float = 0.008,
          terminator: str | None = "Enter") -> Recording:
    """A scanner typing `text`: one key every `gap` seconds, then the terminator."""
    keys = [(char, start + i * gap) for i, char in enumerate(text)]
    if terminator is not None:
        keys.append((terminator, start + len(text) * gap))
    return keys


def human(text: str, start: float = 10.0, gaps: tuple[float, ...] = (0.21, 0.17, 0.34, 0.12),
          then: str | None = "Enter") -> Recording:
    """A person typing `text` (gaps cycle through `gaps`), then pressing `then`."""
    keys, t = [], start
    for i, char in enumerate(text):
        keys.append((char, t))
        t += gaps[i % len(gaps)]
    if then is not None:
        keys.append((then, t))
    return keys


# Recorded from a Honeywell-style USB scanner (in HID keyboard mode): the gaps are not even,
# and Shift goes down and up around each capital letter.
RECORDED_SCANNER = [
    ("Shift", 5.0000), ("G", 5.0021), ("Shift", 5.0032), ("Shift", 5.0061), ("P", 5.0079),
    ("1", 5.0122), (":", 5.0160), ("Shift", 5.0171), ("K", 5.0203), ("7", 5.0249),
    ("Shift", 5.0262), ("Q", 5.0290), ("2", 5.0331), ("Enter", 5.0377),
]
# A person typing a card's printed serial into the serial field: 150-400 ms between keys.
RECORDED_PERSON = [("4", 7.000), ("2", 7.180), ("7", 7.402), ("1", 7.655), ("0", 7.801),
                   ("9", 8.093), ("X", 8.400), ("Enter", 8.731)]


@pytest.mark.parametrize(("recording", "scans", "typed"), [
    pytest.param(burst(PAYLOAD), [PAYLOAD], "", id="scanner-enter"),
    pytest.param(burst(PAYLOAD, terminator="Tab"), [PAYLOAD], "", id="scanner-tab"),
    pytest.param(burst(PAYLOAD, terminator="\r"), [PAYLOAD], "", id="scanner-carriage-return"),
    pytest.param(burst(PAYLOAD, gap=0.045), [PAYLOAD], "", id="slow-scanner-45ms"),
    pytest.param(RECORDED_SCANNER, ["GP1:K7Q2"], "", id="recorded-scanner-with-shift"),
    pytest.param(RECORDED_PERSON, [], "427109X<Enter>", id="recorded-person-typing-serial"),
    pytest.param(human("A12"), [], "A12<Enter>", id="person-short"),
    pytest.param(burst(PAYLOAD, terminator=None), [PAYLOAD], "", id="no-terminator-idle"),
    pytest.param(burst(PAYLOAD.lower()), [PAYLOAD.lower()], "", id="caps-lock-inverted-case"),
    pytest.param(burst("ＧＰ１：Ｋ７Ｑ２Ｍ９"), ["GP1:K7Q2M9"], "", id="full-width-ime"),
    pytest.param(burst("GP1\u3000K7Q2M9"), ["GP1 K7Q2M9"], "", id="ideographic-space"),
    pytest.param(burst("as", gap=0.02), [], "as<Enter>", id="two-fast-keys-not-a-scan"),
    pytest.param(burst("A1B2C", gap=0.005), [], "A1B2C<Enter>", id="five-keys-below-minimum"),
    pytest.param(burst("aaaaaaaaaaaa", gap=0.033, terminator=None), [], "aaaaaaaaaaaa",
                 id="held-down-key-auto-repeat"),
])
def test_what_the_volunteer_sees(recording: Recording, scans: list[str], typed: str) -> None:
    screen = type_into(WedgeParser(), recording)
    assert screen.scans == scans
    assert screen.typed == typed


def test_a_scan_while_a_person_has_typed_into_a_field() -> None:
    recording = human("12", start=1.0, then=None) + burst(PAYLOAD, start=3.0)
    screen = type_into(WedgeParser(), recording)
    assert screen.typed == "12"
    assert screen.scans == [PAYLOAD]


def test_a_terminatorless_scan_then_a_person_typing() -> None:
    recording = burst(PAYLOAD, terminator=None) + human("7", start=12.0, then=None)
    screen = type_into(WedgeParser(), recording)
    assert screen.scans == [PAYLOAD]
    assert screen.typed == "7"


def test_the_next_key_after_a_quiet_gap_finishes_a_terminatorless_scan() -> None:
    parser = WedgeParser()
    for key, t in burst(PAYLOAD, terminator=None):
        parser.feed(key, t)
    # No poll in between (the GUI was busy): the next key press still closes the burst.
    action = parser.feed("7", 20.0)
    assert action.scanned == PAYLOAD
    assert action.consumed  # "7" is held in its turn
    assert parser.poll(21.0).replay == "7"


def test_backspace_gives_back_held_keys_in_order_and_passes() -> None:
    parser = WedgeParser()
    assert parser.feed("4", 1.0).consumed
    action = parser.feed("Backspace", 1.02)
    assert action == WedgeAction(consumed=False, replay="4")


def test_modifier_keys_pass_through_and_do_not_break_a_burst() -> None:
    parser = WedgeParser()
    assert parser.feed("Shift", 1.0) == WedgeAction(consumed=False)
    screen = type_into(parser, burst(PAYLOAD, start=1.001))
    assert screen.scans == [PAYLOAD]


def test_double_fire_is_two_scans_from_the_parser_and_one_after_the_guard() -> None:
    first = burst(PAYLOAD, start=10.0)
    second = burst(PAYLOAD, start=first[-1][1] + 0.03)  # the scanner fires again at once
    screen = type_into(WedgeParser(), first + second)
    assert screen.scans == [PAYLOAD, PAYLOAD]
    guard = RepeatGuard(window_s=3.0)
    accepted = [scan for scan, t in zip(screen.scans, (10.2, 10.4), strict=True)
                if guard.accept(scan, now=t)]
    assert accepted == [PAYLOAD]


def test_caps_lock_scan_matches_the_card_after_normalisation() -> None:
    screen = type_into(WedgeParser(), burst(PAYLOAD.swapcase()))
    assert normalise_payload(screen.scans[0]) == normalise_payload(PAYLOAD)


def test_deadline_tells_when_to_poll() -> None:
    parser = WedgeParser(idle_timeout_s=0.1)
    assert parser.deadline() is None
    parser.feed("G", 2.0)
    assert parser.deadline() == pytest.approx(2.1)
    assert parser.poll(2.05) == WedgeAction(consumed=False)  # too early: still held
    assert parser.held == "G"
    assert parser.poll(2.11) == WedgeAction(consumed=False, replay="G")
    assert parser.deadline() is None


def test_minimum_length_is_configurable() -> None:
    screen = type_into(WedgeParser(min_length=3), burst("AB1"))
    assert screen.scans == ["AB1"]


@pytest.mark.parametrize("kwargs", [
    {"max_gap_s": 0}, {"max_gap_s": 0.2, "idle_timeout_s": 0.1}, {"min_length": 0},
    {"idle_timeout_s": 0.6}, {"recognise_length": 1}])
def test_nonsense_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        WedgeParser(**kwargs)


# Recorded timings: slow and bursty scanners, fast ones, people (tests/scanners/wedge_traces.py)

SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_slow_bursty_scanner_is_one_scan_per_card(seed: int) -> None:
    trace = wedge_traces.slow_bursty_scanner(CARD, seed)
    assert len([g for g in wedge_traces.gaps_ms(trace) if g >= 150]) >= 2  # it does pause
    screen = type_into(WedgeParser(), seconds(trace))
    assert screen.scans == [CARD]
    assert screen.typed == ""


@pytest.mark.parametrize("seed", SEEDS)
def test_a_fast_usb_scanner_is_one_scan_per_card(seed: int) -> None:
    screen = type_into(WedgeParser(), seconds(wedge_traces.fast_usb_scanner(CARD, seed)))
    assert screen.scans == [CARD]
    assert screen.typed == ""


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("text", ["CWWC-H14", "cwwch14", "gate-log 2026-02-12.xlsx", "3-1-101"])
def test_a_person_typing_is_never_a_scanner(seed: int, text: str) -> None:
    screen = type_into(WedgeParser(), seconds(wedge_traces.person(text, seed)))
    assert screen.scans == []
    assert screen.typed == text + "<Enter>"


def test_a_shift_of_cards_and_a_typed_serial_in_between() -> None:
    """Three residents' cards through a slow scanner, one typed number: three scans, the
    number in the field, nothing else."""
    trace = (wedge_traces.slow_bursty_scanner(CARD, 1, start_ms=10_000)
             + wedge_traces.slow_bursty_scanner(CARD.replace("H000001", "H000002"), 2, start_ms=14_000)
             + wedge_traces.person("CWWC-H14", 3, start_ms=18_000)
             + wedge_traces.fast_usb_scanner(CARD.replace("H000001", "H000003"), 4, start_ms=24_000))
    screen = type_into(WedgeParser(), seconds(trace))
    assert screen.scans == [CARD, CARD.replace("H000001", "H000002"), CARD.replace("H000001", "H000003")]
    assert screen.typed == "CWWC-H14<Enter>"


def test_the_default_thresholds_sit_between_the_traces() -> None:
    """Why the defaults are what they are (docs/scanning.md): a scanner's slowest key is far
    under max_gap_s, a person's fastest far over it, and a slow scanner's longest pause
    under scanner_gap_s."""
    parser = WedgeParser()
    scanners = [g for seed in SEEDS
                for g in wedge_traces.gaps_ms(wedge_traces.slow_bursty_scanner(CARD, seed))]
    people = [g for seed in SEEDS for g in wedge_traces.gaps_ms(wedge_traces.person("CWWC-H14" * 3, seed))]
    keys = [g for g in scanners if g < wedge_traces.SCANNER_PAUSE_MS[0]]
    pauses = [g for g in scanners if g >= wedge_traces.SCANNER_PAUSE_MS[0]]
    assert max(keys) * 3 <= parser.max_gap_s * 1000 < min(people)
    assert max(pauses) < parser.scanner_gap_s * 1000
    assert parser.recognise_length <= wedge_traces.FIRST_PAUSE_AFTER <= parser.min_length


def test_a_burst_once_recognised_waits_out_a_pause_but_not_for_ever() -> None:
    parser = WedgeParser()
    for key, t in burst(PAYLOAD[:10], start=1.0, terminator=None):
        parser.feed(key, t)
    assert parser.scanner_burst
    last = 1.0 + 9 * 0.008
    assert parser.poll(last + 0.35) == WedgeAction(consumed=False)  # a radio pause: still held
    assert parser.deadline() == pytest.approx(last + parser.scanner_gap_s)
    assert parser.poll(last + 0.51).scanned == PAYLOAD[:10]  # no terminator came: the scan


def test_three_fast_keys_are_not_yet_a_scanner_so_a_pause_gives_them_back() -> None:
    screen = type_into(WedgeParser(), burst("7K3", start=1.0, terminator=None) + human("Q", start=1.3))
    assert screen.scans == []
    assert screen.typed == "7K3Q<Enter>"


# Spaces: a person's reach the field (or a focused button) at once; a scanner's stay in the burst

@pytest.mark.parametrize(("recording", "scans", "typed"), [
    pytest.param([(" ", 1.0)], [], " ", id="space-alone-passes-at-once"),
    pytest.param(human("7K3Q 9AD"), [], "7K3Q 9AD<Enter>", id="person-types-a-space"),
    pytest.param(burst("GP1 K7Q2M9"), ["GP1 K7Q2M9"], "", id="ascii-space-inside-a-burst"),
    pytest.param(burst("GP1\u3000K7Q2M9:\u3000LIFE"), ["GP1 K7Q2M9: LIFE"], "", id="ime-spaces-inside"),
    pytest.param(burst("Q ", gap=0.02, terminator=None), [], "Q ", id="fast-space-after-a-key-replayed"),
])
def test_spaces(recording: Recording, scans: list[str], typed: str) -> None:
    screen = type_into(WedgeParser(), recording)
    assert screen.scans == scans
    assert screen.typed == typed


def test_a_space_with_nothing_held_is_never_eaten() -> None:
    parser = WedgeParser()
    assert parser.feed(" ", 1.0) == WedgeAction(consumed=False)
    assert parser.feed("\u3000", 2.0) == WedgeAction(consumed=False)
    assert parser.held == ""


# Properties

KEY_NAMES = ["Enter", "Tab", "Shift", "CapsLock", "Backspace", "Escape", "F11", "Left", ""]
keys = st.one_of(st.sampled_from(KEY_NAMES), st.characters(), st.text(max_size=4))
events = st.lists(st.tuples(keys, st.floats(-1.0, 1.0, allow_nan=False)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(events, st.lists(st.floats(0, 2.0, allow_nan=False), max_size=60))
def test_the_parser_never_crashes_on_any_key_sequence(sequence: list[tuple[str, float]],
                                                      polls: list[float]) -> None:
    parser = WedgeParser()
    t = 0.0
    for i, (key, gap) in enumerate(sequence):
        t += gap  # may go backwards: a clock the parser cannot trust
        action = parser.feed(key, t)
        assert isinstance(action, WedgeAction)
        if i < len(polls):
            parser.poll(t + polls[i])
    parser.poll(t + 10.0)
    assert parser.held == ""


ascii_keys = st.sampled_from(list(string.ascii_letters + string.digits + ":-") + ["Enter"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ascii_keys, st.floats(0.0, 0.5, allow_nan=False)), max_size=80))
def test_every_character_reaches_the_field_or_a_scan_once_and_in_order(
        sequence: list[tuple[str, float]]) -> None:
    recording, t = [], 0.0
    for key, gap in sequence:
        t += gap
        recording.append((key, t))
    screen = type_into(WedgeParser(), recording)
    characters = "".join(key for key, _ in recording if key != "Enter")
    assert "".join(screen.stream).replace("<Enter>", "") == characters


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ascii_keys, st.floats(0.11, 1.0, allow_nan=False)), max_size=40))
def test_slow_typing_is_never_a_scan_and_reaches_the_field_unchanged(
        sequence: list[tuple[str, float]]) -> None:
    recording, t = [], 0.0
    for key, gap in sequence:
        t += gap
        recording.append((key, t))
    screen = type_into(WedgeParser(), recording)
    assert screen.scans == []
    assert screen.typed == "".join(k if k != "Enter" else "<Enter>" for k, _ in recording)


payload_chars = st.text(st.sampled_from(string.ascii_uppercase + string.digits + ":"),
                        min_size=8, max_size=200)


@settings(max_examples=200, deadline=None)
# A key held down auto-repeats as fast as a scanner types, so four of one character are not
# recognised as a scanner (no card's payload starts that way: they start "GP1:").
@given(payload_chars.filter(lambda p: len(set(p[:wedge_traces.FIRST_PAUSE_AFTER])) > 1), st.data())
def test_a_scanner_pausing_anywhere_after_its_fourth_key_is_one_scan(payload: str, data) -> None:
    gaps = data.draw(st.lists(st.integers(*wedge_traces.SCANNER_KEY_MS), min_size=len(payload) + 1,
                              max_size=len(payload) + 1))
    pauses = data.draw(st.lists(st.integers(wedge_traces.FIRST_PAUSE_AFTER, len(payload) - 1),
                                max_size=4, unique=True))
    for position in pauses:
        gaps[position] = data.draw(st.integers(*wedge_traces.SCANNER_PAUSE_MS))
    screen = type_into(WedgeParser(), seconds(wedge_traces._keys(payload, gaps, 10_000, "Enter")))
    assert screen.scans == [payload]
    assert screen.typed == ""


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(string.ascii_letters + string.digits + " -._"), max_size=40),
       st.lists(st.integers(*wedge_traces.PERSON_KEY_MS), min_size=41, max_size=41))
def test_a_person_at_any_speed_they_type_is_never_a_scanner(text: str, gaps: list[int]) -> None:
    screen = type_into(WedgeParser(), seconds(wedge_traces._keys(text, gaps, 10_000, "Enter")))
    assert screen.scans == []
    assert screen.typed == text + "<Enter>"
