"""The admin screens (issue 5): the day's log, incidents, who is out, households and cards,
settings and the audit log, behind a lead's or an admin's PIN.

The gate screen asks for the PIN (`Gate.authenticate(pin, "lead")`) and calls `open_admin`.
"""
from __future__ import annotations

from kiosk.app import Gate
from kiosk.operators import Operator, OperatorError, Role


def open_admin(gate: Gate, operator: Operator, parent=None):
    """Build and show the admin window for `operator` (a lead or an admin); returns it.

    OperatorError for a volunteer: the gate screen asks for a lead's PIN first.
    """
    from ui.admin.window import AdminWindow  # Qt widgets load only when asked for

    if not operator.may(Role.LEAD):
        raise OperatorError("role_too_low", role=Role.LEAD.value)
    window = AdminWindow(gate, operator, parent)
    window.show()
    return window
