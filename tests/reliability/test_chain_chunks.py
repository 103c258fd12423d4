"""verify-log in chunks and worker processes finds and names what the one-by-one walk found:
the canonical form written by hand is json.dumps's byte for byte, and a forgery in the
middle of a large log is reported with its event id, in the same order."""
from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from data.chain_check import PARALLEL_FROM
from data.keyfile import device_key_path
from data.office import EVENT_COLUMNS
from data.verify import verify_chain
from kiosk.chain import CHAINED_FIELDS, GENESIS, canonical, canonical_reference, event_hash, sign
from tests.reliability.conftest import tamper
from tests.reliability.test_chain import morning

ROOT = Path(__file__).resolve().parents[2]

VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                   st.text(), st.text(st.characters(codec="utf-8")))


@given(st.lists(VALUES, min_size=len(CHAINED_FIELDS), max_size=len(CHAINED_FIELDS)))
def test_the_canonical_form_is_json_dumps_byte_for_byte(values):
    assert canonical(values) == canonical_reference(values)


def append_events(community, count: int) -> list[str]:
    """`count` more genuine events after the gate's own (chained, signed by its device key),
    loaded in bulk as a long-running gate would have recorded them; their ids."""
    store = community.gate.store
    conn = store.db.conn
    columns = ", ".join(EVENT_COLUMNS)
    last = conn.execute(f"SELECT {columns} FROM events ORDER BY device_seq DESC LIMIT 1").fetchone()
    template = dict(zip(EVENT_COLUMNS, last, strict=True))
    previous, rows = (last["chain_hash"] if last else GENESIS), []
    for n in range(1, count + 1):
        row = {**template, "id": f"bulk-{n:08d}", "device_seq": template["device_seq"] + n,
               "prev_hash": previous}
        row["chain_hash"] = previous = event_hash(previous, row)
        row["signature"] = sign(store.signer, row["chain_hash"])
        rows.append(tuple(row[c] for c in EVENT_COLUMNS))
    marks = ", ".join("?" * len(EVENT_COLUMNS))
    with store._write():
        conn.executemany(f"INSERT INTO events ({columns}) VALUES ({marks})", rows)
    return [r[0] for r in rows]


def forge_in_place(path: Path, event_id: str) -> None:
    """The event's temperature changed, its hash recomputed and signed with another key."""
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    try:
        row = dict(conn.execute("SELECT * FROM events WHERE id = ?", [event_id]).fetchone())
    finally:
        conn.close()
    row["temp_first"] = 36.1
    forged = event_hash(row["prev_hash"], row)
    signature = base64.b64encode(Ed25519PrivateKey.generate().sign(forged.encode())).decode()
    tamper(path, "UPDATE events SET temp_first = 36.1, chain_hash = ?, signature = ? WHERE id = ?",
           [forged, signature, event_id])


def test_a_forgery_in_the_middle_of_a_large_chunked_run_is_found_and_named(community):
    morning(community, 4)
    ids = append_events(community, PARALLEL_FROM + 4000)  # enough for the worker processes
    forged, after, edited = ids[12_000], ids[12_001], ids[17_500]
    forge_in_place(community.path, forged)
    tamper(community.path, "UPDATE events SET operator = '伪造' WHERE id = ?", [edited])

    # the real command, in its own process: chunks, worker processes, the key file's key
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "--db", str(community.path), "--lang", "en",
                           "verify-log", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    report = json.loads(done.stdout)

    assert done.returncode == 1, done.stderr
    assert (report["intact"], report["events"]) == (False, 4 + len(ids))
    assert [(p["kind"], p["event_id"], p["first_seq"]) for p in report["problems"]] == [
        ("bad_signature", forged, 4 + 12_001), ("broken_link", after, 4 + 12_002),
        ("edited", edited, 4 + 17_501)]
    assert "Traceback" not in done.stderr

    # the same report from one process walking alone, and from small chunks in two workers
    conn = sqlite3.connect(f"file:{community.path}?mode=ro", uri=True)
    try:
        key = device_key_path(community.path)
        alone = verify_chain(conn, device_key_file=key, workers=0)
        pooled = verify_chain(conn, device_key_file=key, workers=2, chunk_size=777)
        unkeyed = verify_chain(conn, workers=2)  # a backup: no key file, every signature verified
    finally:
        conn.close()
    assert alone.to_json() == pooled.to_json() == report
    assert unkeyed.to_json()["problems"] == report["problems"]
