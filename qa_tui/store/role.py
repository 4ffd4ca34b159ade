"""What a database is: a laptop's, or the QA team's central one (``qa-tui central init`` marks
it so in its meta table). Read by the merge and sync, and by the app as it opens (cheaply: no
sync module is loaded for it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qa_tui.store.change_log import Meta
from qa_tui.vocab import CENTRAL_ROLE


def is_central(session: Session) -> bool:
    """Whether this database is a central one (made by ``qa-tui central init``)."""
    role = session.get(Meta, "role")
    return role is not None and role.value == CENTRAL_ROLE
