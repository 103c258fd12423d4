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
    "parcel_collected",  # a delivery left at the gate was handed over
    "sign_in", "sign_out",  # the volunteer on duty at the gate screen
)


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    at_utc: dt.datetime
    operator: str
    action: str
    target: str
    details: dict[str, Any]


# Values that are codes, read as words: card kinds and statuses from the log's words, roles
# and sources from the audit's.
_LOG_CODED = ("kind", "status")
_AUDIT_CODED = ("role", "source")


def describe(details: dict[str, Any], lang: str) -> str:
    """An entry's details as the admin screen shows them: "卡类：生活卡；户号：H1", never raw
    keys; the serials a print lists are left out (the count is there)."""
    from kiosk.messages import audit_text, log_text

    def value(key: str, v: Any) -> str:
        if isinstance(v, bool):
            return audit_text("yes" if v else "no", lang)
        if isinstance(v, list):
            return ", ".join(str(x) for x in v) or audit_text("all", lang)
        if v is None:
            return "-"
        if v == "all":
            return audit_text("all", lang)
        if key in _LOG_CODED:
            return log_text(str(v), lang)
        if key in _AUDIT_CODED:
            return audit_text(str(v), lang)
        return str(v)

    pair = audit_text("pair", lang)
    return audit_text("separator", lang).join(
        pair.format(key=audit_text(k, lang), value=value(k, v)) for k, v in details.items() if k != "serials")


def action_words(action: str, lang: str) -> str:
    from kiosk.messages import audit_text

    return audit_text(action, lang)
