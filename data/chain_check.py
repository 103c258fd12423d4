"""The per-event half of a chain check, in chunks, on every core where it pays.

A chain is sequential per device (each event's prev_hash must be the hash of the one
before), but whether an event's fields give its own chain hash, and whether its device key
signed that hash, depend on that event alone. Those two checks are most of the cost of
`kiosk verify-log` (an Ed25519 verification is about 110 µs, the hash about 5 µs), so they
run here, over chunks of rows, in a pool of worker processes when the log is large; the
walk in data/store_chain.py keeps the sequential part and decides, row by row and in the
same order as before, what to report. No SQL here: the rows come from the walk.

Signatures of this gate's own events are checked the cheap way when its device key file
is at hand and matches the recorded public key: Ed25519 signing is deterministic (RFC 8032),
so a stored signature equal to the one the key makes now is valid (signing costs a quarter
of a verification); any other signature is verified as before, so the verdict on every
event is the verification's own.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from kiosk import codec
from kiosk.chain import CHAINED_FIELDS, event_hash_values, sign, signature_valid

if TYPE_CHECKING:
    import concurrent.futures

# A row as the walk reads it: the chained fields, then these three.
ROW_COLUMNS = (*CHAINED_FIELDS, "prev_hash", "chain_hash", "signature")
_N = len(CHAINED_FIELDS)
_DEVICE = CHAINED_FIELDS.index("device_id")
_PREV, _HASH, _SIG = _N, _N + 1, _N + 2

CHUNK = 5000            # rows per piece of work: the walk's progress step too
PARALLEL_FROM = 20_000  # fewer events: starting worker interpreters costs more than they save

Flags = tuple[frozenset[int], frozenset[int]]  # indexes in the chunk: edited, bad signature


class RowChecker:
    """Checks a chunk of rows: which ones' fields do not give their chain hash (edited), and
    which ones' signature (where there is one) their device key did not make."""

    def __init__(self, keys: dict[str, Ed25519PublicKey | None], own: str = "",
                 own_key: Ed25519PrivateKey | None = None):
        self.keys = keys
        self.own = own
        self.own_key = own_key

    def check(self, rows: Sequence[Sequence[Any] | None]) -> Flags:
        """`rows` in ROW_COLUMNS order; None for a row the walk does not judge (garbled text)."""
        edited, bad = [], []
        for index, row in enumerate(rows):
            if row is None:
                continue
            if event_hash_values(row[_PREV], row) != row[_HASH]:
                edited.append(index)
            if row[_SIG] is not None and not self.signature_ok(row[_DEVICE], row[_HASH], row[_SIG]):
                bad.append(index)
        return frozenset(edited), frozenset(bad)

    def signature_ok(self, device: str, digest: str, signature: str) -> bool:
        if self.own_key is not None and device == self.own:
            try:
                if sign(self.own_key.sign, digest) == signature:
                    return True
            except ValueError:  # a digest that is not ASCII: the verification below says no
                pass
        public = self.keys.get(device)
        return signature_valid(public, digest, signature)

    def portable(self) -> tuple[dict[str, str | None], str, bytes | None]:
        """What a worker process needs to make the same checker (keys as text and bytes)."""
        keys = {d: (codec.public_key_text(k) if k is not None else None) for d, k in self.keys.items()}
        raw = self.own_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()) \
            if self.own_key is not None else None
        return keys, self.own, raw


_worker: RowChecker | None = None  # a worker process's own checker, made by _start_worker


def _start_worker(keys: dict[str, str | None], own: str, raw: bytes | None) -> None:
    global _worker
    _worker = RowChecker({d: codec.public_key_from_text(t) if t else None for d, t in keys.items()},
                         own, Ed25519PrivateKey.from_private_bytes(raw) if raw is not None else None)


def _check_in_worker(rows: list[Sequence[Any] | None]) -> Flags:
    assert _worker is not None, "the pool's initializer makes it"
    return _worker.check(rows)


def workers_for(total: int) -> int:
    """How many worker processes pay for a log of `total` events (0: check in this process)."""
    cores = os.cpu_count() or 1
    return cores if cores > 1 and total >= PARALLEL_FROM else 0


def checked_chunks(chunks: Iterable[Any], checker: RowChecker, workers: int,
                   judged: Callable[[Any], list[Sequence[Any] | None]] = list,
                   ) -> Iterator[tuple[Any, Flags]]:
    """Each chunk with its flags, in order; `judged(chunk)` is what the checker sees (None
    for a row it must not judge). With workers, a few chunks are in flight at once (never
    the whole log in memory) while this process reads the next ones."""

    if workers <= 0:
        for chunk in chunks:
            yield chunk, checker.check(judged(chunk))
        return
    import concurrent.futures  # only here: every CLI command's start-up imports this module
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    # spawn, not fork: verify_chain may run in a process with threads (the gate screen's
    # backup check), where a forked child can inherit a held lock.
    context = multiprocessing.get_context("spawn")
    pending: deque[tuple[Any, concurrent.futures.Future[Flags] | None]] = deque()

    def flags(chunk: Any, future: concurrent.futures.Future[Flags] | None) -> Flags:
        try:
            if future is not None:
                return future.result()
        except BrokenProcessPool:  # a worker died (killed, out of memory): this process does it
            pass
        return checker.check(judged(chunk))

    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                                initargs=checker.portable()) as pool:
        for chunk in chunks:
            try:
                pending.append((chunk, pool.submit(_check_in_worker, judged(chunk))))
            except BrokenProcessPool:
                pending.append((chunk, None))
            if len(pending) > 2 * workers:
                yield pending[0][0], flags(*pending.popleft())
        while pending:
            yield pending[0][0], flags(*pending.popleft())
