"""What the apps above the floor add to its pages; they connect in their AppConfig.ready(), so the floor
never imports them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from govservice.lib.hooks import Hook


class SupervisorPanel(Protocol):
    def __call__(self, *, hall_id: int, today: dt.date) -> dict[str, Any]: ...


# Extra context for the hall supervisor's live view, one panel per receiver (intake: received cases near
# the intake limit); the template shows each panel by its context name.
supervisor_panels: Hook[SupervisorPanel] = Hook("hall supervisor panels")
