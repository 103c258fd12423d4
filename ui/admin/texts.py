"""Where the admin screens' words come from.

- The screens' own words (tab titles, buttons, filter labels, dialog and status texts) are
  English source strings in `self.tr()` / `QCoreApplication.translate()`, translated in
  ui/i18n/gatepost_zh_CN.ts with the gate screen's words (scripts/translations.sh).
- Words the exports print too (column headers of the log, reason, kind, status and
  direction names, the chart's legend) come from kiosk.messages.LOG through `shared()`, so
  the screen and the printed log always agree and each word is translated once.

Both follow the gate screen's language switch: `screen_lang()` says which one is loaded.
"""
from __future__ import annotations

from kiosk.messages import log_text
from ui.i18n import screen_lang

__all__ = ["screen_lang", "shared"]


def shared(key: str, lang: str, **fields: object) -> str:
    """A word the admin screens share with the exports (kiosk.messages.LOG)."""
    return log_text(key, lang, **fields)
