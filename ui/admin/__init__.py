"""The admin screens (issue 5): the day's log, incidents, who is out, households and cards,
settings and the audit log, behind a lead's or an admin's PIN.

The gate screen asks for the PIN (`Gate.authenticate(pin, "lead")`) and calls `open_admin`
with the process's admin client (ui.adminclient.AdminClient): the screens never hold a
Gate or a store, and read and write only through the client's lane.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.operators import Operator, OperatorError, Role

if TYPE_CHECKING:
    from ui.adminclient import AdminClient


def open_admin(client: AdminClient, operator: Operator, parent=None):
    """Build and show the admin window for `operator` (a lead or an admin); returns it.

    OperatorError for a volunteer: the gate screen asks for a lead's PIN first.
    """
    from ui.admin.window import AdminWindow  # Qt widgets load only when asked for

    if not operator.may(Role.LEAD):
        raise OperatorError("role_too_low", role=Role.LEAD.value)
    window = AdminWindow(client, operator, parent)
    window.show()
    return window
