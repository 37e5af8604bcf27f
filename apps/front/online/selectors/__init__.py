"""Reads for online applications (applications.py: whose an application is, its checklist, the hall's pre-review)
and for 一件事 bundles of them (bundles.py: merged form and checklist, each part's status, statistics, the wire)."""

from .applications import *  # noqa: F403
from .applications import APPLICATION_FORM_KEY, FORM, HELD, MISSING, OPTIONAL, PRODUCED, UPLOADED  # noqa: F401
from .bundles import *  # noqa: F403
from .bundles import OUTCOME_APPROVED, OUTCOME_NOT, OUTCOME_OPEN  # noqa: F401
