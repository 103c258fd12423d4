"""PySide6 widgets, models and dialogs: the gate screen and the admin screens."""
from ui.refguard import keep_alive

keep_alive()  # PySide6 6.12.0 on CPython 3.11 drains None's refcount: see ui/refguard.py
