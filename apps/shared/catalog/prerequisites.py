"""一件事: how the items of a bundle wait for one another (``BundleItem.after``: the code of the matter whose approval
an item waits for; "": handled in parallel). The two readings of these links, each written once here (the catalog
sits below every app that follows them, on both sites):

* ``prerequisites``: the chain an item waits for, directly or through another — what the earlier steps issue (not
  asked again), which parts a part received as it is holds back, the circle the catalogue refuses, a bundle's
  promise added up along its chain at central;
* ``waiting_among``: which items of a set wait for another item of that same set — the parts sent only once
  their prerequisite is approved, and answered at the window only then.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .models import BundleItem

Step = TypeVar("Step", bound=Hashable)


def prerequisites(start: Step, after: Callable[[Step], Step | None]) -> Iterator[Step]:
    """What ``start`` waits for, nearest first: ``after(start)``, what that one waits for, and so on. ``after``
    gives the step a step waits for: a mapping's ``get`` over matter codes (``{code: item.after}``), or the link
    itself over rows (a part's ``waits_for``). The walk ends at a step that waits for nothing ("" or None), and
    before a step it has already passed (``start`` included), so that a circle — which the catalogue refuses
    (rules.bundle_errors) — still ends."""
    seen = {start}
    step = after(start)
    while step and step not in seen:
        yield step
        seen.add(step)
        step = after(step)


def waiting_among(items: Iterable[BundleItem]) -> dict[str, str]:
    """Of ``items``, those waiting for another of them: matter code → the code of the one it waits for, in the
    items' order. An item whose prerequisite is not among them (not a part of this application) waits for
    nothing here."""
    items = list(items)
    codes = {item.matter_code for item in items}
    return {item.matter_code: item.after for item in items if item.after and item.after in codes}
