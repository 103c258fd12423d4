"""A gate scanning as fast as it can, for test_crash.py to kill with SIGKILL.

    python storm_child.py DB SEED PAYLOAD...

Prints each verdict's event id on its own line, flushed, only after `scan` returned: a
printed id is a verdict a volunteer could have seen, so it must survive the kill.
"""
from __future__ import annotations

import random
import sys

from kiosk.app import open_gate


def main() -> None:
    db, seed, payloads = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rng = random.Random(seed)
    gate = open_gate(db)
    while True:
        payload = rng.choice(payloads)
        direction = rng.choice(("in", "out"))
        temperature = rng.choice(("36.5", "36.8", "37.6", None, "35.2"))
        verdict = gate.service.scan(payload, direction, temperature)
        if not verdict.duplicate:
            print(verdict.event_id, flush=True)


if __name__ == "__main__":
    main()
