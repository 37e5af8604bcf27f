"""Service matters (事项) after GB/T 39046-2020, trimmed (DOMAIN.md §2). Installed on both sites:
central decides a case against the matter version the front accepted it under.

The models by purpose: departments and matters with their vocabularies (``matters``), the materials and fees
a matter asks for (``materials``), its online application form (``forms``), 一件事 bundles (``bundles``), the
search's synonyms (``search``), and how a row checks itself (``validation``). Import them from here:
``from apps.shared.catalog.models import Matter`` (migrations name ``apps.shared.catalog.models.<name>`` too).
"""

from .bundles import Bundle, BundleItem
from .forms import FieldKind, MatterField
from .materials import FeeItem, Material, MaterialForm, MaterialSource, material_key_new
from .matters import (
    JOINT_LEGAL_DAYS_MAX,
    CaseKind,
    Channel,
    Department,
    Level,
    LifeEvent,
    Matter,
    MatterType,
    OnlineDepth,
    ResultKind,
    Target,
    Trips,
    list_of_window,
)
from .search import Synonym, split_terms
from .validation import RulesInCleanMixin, validate_credit_code

__all__ = [
    "JOINT_LEGAL_DAYS_MAX",
    "Bundle",
    "BundleItem",
    "CaseKind",
    "Channel",
    "Department",
    "FeeItem",
    "FieldKind",
    "Level",
    "LifeEvent",
    "Material",
    "MaterialForm",
    "MaterialSource",
    "Matter",
    "MatterField",
    "MatterType",
    "OnlineDepth",
    "ResultKind",
    "RulesInCleanMixin",
    "Synonym",
    "Target",
    "Trips",
    "list_of_window",
    "material_key_new",
    "split_terms",
    "validate_credit_code",
]
