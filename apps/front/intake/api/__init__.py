"""The intake API by purpose: window.py (outcomes at a ticket, case lists), held.py (held cases),
applicant.py (what comes later: deferred items, pre-filing, supplements, withdrawal, licences)."""

from .applicant import *  # noqa: F403
from .held import *  # noqa: F403
from .window import *  # noqa: F403
