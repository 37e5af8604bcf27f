"""Pages of the catalog: finding a matter (search and browse). Shared by both sites: harmless pages that
read the public catalog; each result links to the matter's guide where this site has one."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from govservice.api import DomainError
from govservice.lib.replica import replica_reads

from . import registry
from .api import search_query_from
from .halls import hall_choices
from .models import Department, LifeEvent, Matter
from .selectors import Mode, SearchQuery, life_event_counts, matters_find, query_variants


@replica_reads()
def matter_find(request):
    """Search in Chinese (synonyms, typos) and browse by department, life event and where it can be done."""
    error = ""
    status = 200
    try:
        query = search_query_from(request.GET)
    except DomainError as exc:
        query, error, status = SearchQuery(), str(exc.detail), 400
    browsing = bool(query.q or query.department or query.life_event or query.mode)
    variants = query_variants(query.q) if query.q else []
    results: list[Matter] = matters_find(query, limit=100, variants=variants) if browsing else []
    for matter in results:
        # The guide page lives in a front app (guidance registers it); central has none: no link.
        matter.guide_url = registry.guide_url(matter.code)  # type: ignore[attr-defined]
    counts = life_event_counts()
    context = {
        "query": query,
        "browsing": browsing,
        "results": results,
        "synonyms": variants[1:],
        "error": error,
        "departments": Department.objects.filter(matters__is_current=True).distinct().order_by("code"),
        "life_events": [(value, label, counts[value]) for value, label in LifeEvent.choices],
        "modes": [(Mode.ONLINE, _("全程网办")), (Mode.HALL, _("到大厅办理")), (Mode.REMOTE, _("可异地办理"))],
        "halls": hall_choices(),
    }
    return render(request, "catalog/find.html", context, status=status)
