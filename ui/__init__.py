"""PySide6 widgets, models and dialogs: the gate screen and the admin screens."""
