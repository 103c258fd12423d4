"""One scan from its own process, started on a signal: half of a race (test_races.py).

argv: database, payload, direction[, temperature]. Prints "ready" once the gate is open,
scans when a line arrives on stdin, prints the verdict JSON (or the error) and exits.
"""
import json
import sys

from kiosk.app import open_gate

db, payload, direction, *temperature = sys.argv[1:]
gate = open_gate(db, "en")
print("ready", flush=True)
sys.stdin.readline()
try:
    verdict = gate.service.scan(payload, direction, temperature[0] if temperature else None)
    print(json.dumps(verdict.to_json()), flush=True)
finally:
    gate.close()
