"""The case (办件) on the front side: materials, intake outcome and the mirror of its state at central
(DOMAIN.md §4–§5). By purpose: case.py (the case, its statuses, materials and events), evidence.py (the
citizen's vault), documents.py (documents issued, credit records), originals.py (the one visit to see
originals of an online application)."""

from .case import *  # noqa: F403
from .documents import *  # noqa: F403
from .evidence import *  # noqa: F403
from .originals import *  # noqa: F403
