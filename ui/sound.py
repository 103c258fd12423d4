"""A distinct sound for each verdict, never blocking the GUI thread, silent when muted.

Decision: no QtMultimedia. QSoundEffect lives in PySide6-Addons, a wheel several times
the size of everything else we install, for three beeps. Instead the tones are generated
as small WAV files (the `wave` module) and played by the system's player (`aplay` from
alsa-utils, or `paplay` / `pw-play`) in a QProcess, which starts asynchronously: a missing
sound card or player makes the gate silent (one log line), never slow and never broken.
"""
from __future__ import annotations

import logging
import math
import shutil
import struct
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess

log = logging.getLogger("gate")

RATE = 22050
PLAYERS: tuple[tuple[str, list[str]], ...] = (("aplay", ["-q"]), ("paplay", []), ("pw-play", []))

# (frequency Hz, milliseconds) per note; 0 Hz is a pause. Allow rises, deny is low and
# repeated, retest is two middle notes: told apart without looking.
TUNES: dict[str, tuple[tuple[int, int], ...]] = {
    "allow": ((880, 90), (0, 30), (1320, 140)),
    "deny": ((330, 220), (0, 80), (330, 220), (0, 80), (330, 220)),
    "retest": ((660, 160), (0, 120), (660, 160)),
    "paper": ((220, 600),),
    "due": ((990, 120), (0, 60), (990, 120), (0, 60), (990, 120)),
    # A volunteer's slip (action needed): one soft, falling pair, nothing like the deny's buzz.
    "attention": ((740, 110), (0, 40), (587, 160)),
}


def write_tune(notes: tuple[tuple[int, int], ...], path: Path, volume: float = 0.5) -> None:
    """A mono 16-bit WAV of the notes, with short fades so they do not click."""
    frames = bytearray()
    for freq, ms in notes:
        count = RATE * ms // 1000
        fade = max(1, RATE * 5 // 1000)
        for i in range(count):
            envelope = min(1.0, i / fade, (count - i) / fade)
            value = math.sin(2 * math.pi * freq * i / RATE) * volume * envelope if freq else 0.0
            frames += struct.pack("<h", int(value * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


def find_player() -> list[str] | None:
    for name, args in PLAYERS:
        found = shutil.which(name)
        if found:
            return [found, *args]
    return None


class Sounds(QObject):
    """Plays the tune for a verdict. `player` is the command line (None: silent).

    `play` returns the name of what it started (or None), for tests and logs.
    """

    def __init__(self, player: list[str] | None | Callable[[], list[str] | None] = find_player,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.muted = False
        self._player = player() if callable(player) else player
        self._dir = tempfile.TemporaryDirectory(prefix="gatepost-sounds-")
        self._files: dict[str, Path] = {}
        self._process: QProcess | None = None
        if self._player is None:
            log.info("no audio player (aplay, paplay, pw-play): the gate is silent")

    def file(self, name: str) -> Path:
        if name not in self._files:
            path = Path(self._dir.name) / f"{name}.wav"
            write_tune(TUNES[name], path)
            self._files[name] = path
        return self._files[name]

    def play(self, name: str) -> str | None:
        if self.muted or self._player is None:
            return None
        if self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.kill()  # the newest verdict's sound wins
            self._process.waitForFinished(50)
        process = QProcess(self)
        process.errorOccurred.connect(self._on_error)
        process.finished.connect(self._on_finished)
        process.start(self._player[0], [*self._player[1:], str(self.file(name))])
        self._process = process
        return name

    def _on_error(self, error: QProcess.ProcessError) -> None:
        log.warning("sound player: %s", error)

    def _on_finished(self, *_args) -> None:
        process = self.sender()
        if self._process is process:
            self._process = None
        if process is not None:
            process.deleteLater()

    def close(self) -> None:
        if self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.kill()
            self._process.waitForFinished(200)
        self._dir.cleanup()
