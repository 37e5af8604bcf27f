"""What the apps above the floor add to its pages; they connect in their AppConfig.ready(), so the floor
never imports them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from govservice.lib.hooks import Hook

if TYPE_CHECKING:
    from apps.shared.accounts.models import User
    from apps.shared.catalog.models import Matter
    from govservice.lib.errors import DomainError


class SupervisorPanel(Protocol):
    def __call__(self, *, hall_id: int, today: dt.date) -> dict[str, Any]: ...


# Extra context for the hall supervisor's live view, one panel per receiver (intake: received cases near
# the intake limit); the template shows each panel by its context name.
supervisor_panels: Hook[SupervisorPanel] = Hook("hall supervisor panels")


class WalkInForOthers(Protocol):
    """``person`` (read from their ID card at a kiosk) chose ``matter``, which does not serve persons
    (``refusal``: the catalog's reason). Return quietly when they may apply for someone it serves (a company they
    represent or act for under a mandate in force for the matter); else raise the DomainError that says why not
    and what to do instead."""

    def __call__(self, *, person: User, matter: Matter, refusal: DomainError) -> Any: ...


# A walk-in ticket for a matter the person may not apply for themselves: the app that keeps the mandates
# (apps/front/mandates) says whether they may take it for a company, so that the kiosk, not the window, stops them.
walk_in_for_others: Hook[WalkInForOthers] = Hook("a walk-in for a matter the person may apply for only for others")
