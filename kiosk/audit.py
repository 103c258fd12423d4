"""The audit log's vocabulary: who did what, when, to what.

Every export, override, card change, setting change, operator change, purge and PIN login
is one entry. Entries are append-only (a trigger refuses UPDATE and DELETE).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

# The actions an entry may name; the admin screen and docs/leads-and-office.md list them.
ACTIONS = (
    "login", "login_failed",
    "operator_add", "operator_deactivate", "pin_change",
    "export", "cards_print", "purge",
    "card_issue", "card_revoke", "card_reissue", "card_suspend", "card_activate",
    "setting_change", "override",
    "device_key_created",  # a gate older than the device key got one at its start
    "parcel_collected",  # h-report: a delivery left at the gate was handed over
    "sign_in", "sign_out",  # h-slips: the volunteer on duty at the gate screen
)


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    at_utc: dt.datetime
    operator: str
    action: str
    target: str
    details: dict[str, Any]
