"""Reads for the catalog: finding a matter (Chinese search with synonyms and typos, browsing) and one
matter with everything a guide shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from .models import Channel, LifeEvent, Matter, OnlineDepth, Synonym, split_terms

# pg_trgm's word-similarity threshold for the typo-tolerant match (its default is 0.6). Chinese words are
# short and one wrong character spoils up to three trigrams: 社会保障咔 keeps 0.67 of 社会保障卡, 社保咔
# 0.5 of 社保卡, 企业设力登记 0.43 of 企业设立登记. Below 0.4 unrelated words sharing two characters come in.
WORD_SIMILARITY_THRESHOLD = 0.4
MAX_QUERY_LENGTH = 50
MAX_VARIANTS = 8


class Mode:
    """Browse by how the matter can be done (DOMAIN.md §6: here / online / remotely)."""

    ONLINE = "online"  # 全程网办
    HALL = "hall"  # at my hall
    REMOTE = "remote"  # 跨域通办 / 异地办理
    ALL = (ONLINE, HALL, REMOTE)


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    department: str = ""
    life_event: str = ""
    mode: str = ""
    hall: str = ""


def query_variants(q: str, *, synonyms: list[list[str]] | None = None) -> list[str]:
    """The query and its rewrites by the synonym table: 社保卡 → 社会保障卡, and back."""
    q = " ".join(q.lower().split())[:MAX_QUERY_LENGTH]
    if not q:
        return []
    if synonyms is None:
        synonyms = [split_terms(terms) for terms in Synonym.objects.values_list("terms", flat=True)]
    variants = [q]
    for group in synonyms:
        found = [term for term in group if term and term in q]
        # 居民身份证 contains 身份证: rewrite the longer word only, never 居民 + 居民身份证.
        found = [term for term in found if not any(term != other and term in other for other in found)]
        for term in found:
            for other in group:
                if other != term:
                    rewritten = q.replace(term, other)
                    if rewritten not in variants:
                        variants.append(rewritten)
    return variants[:MAX_VARIANTS]


def matters_browse(query: SearchQuery) -> QuerySet[Matter]:
    """Current matters passing the browse filters (department, life event, where it can be done)."""
    qs = Matter.objects.filter(is_current=True).select_related("department")
    if query.department:
        qs = qs.filter(department__code=query.department)
    if query.life_event:
        qs = qs.filter(life_events__contains=[query.life_event])
    if query.mode == Mode.ONLINE:
        qs = qs.filter(online_depth=OnlineDepth.FULLY_ONLINE)
    elif query.mode == Mode.REMOTE:
        qs = qs.filter(remote_ok=True)
    elif query.mode == Mode.HALL:
        qs = qs.filter(channels__contains=[Channel.WINDOW])
        if query.hall:
            qs = qs.filter(Q(receiving_halls=[]) | Q(receiving_halls__contains=[query.hall]))
    return qs


def matters_find(query: SearchQuery, *, limit: int = 50, variants: list[str] | None = None) -> list[Matter]:
    """Matters for a citizen's words, best first; each carries ``score``.

    Each variant of the query (itself and its synonyms) matches as a substring of the name, the aliases
    or the result (LIKE '%…%'); the citizen's own words also match with typos, by pg_trgm word
    similarity (``%>``). Both use the GIN trigram index on ``search_text``. Ranking: the words in the
    name, then in the aliases, then the closest by similarity; a matter matching several variants first.
    """
    if variants is None:
        variants = query_variants(query.q)
    qs = matters_browse(query)
    if not variants:
        return list(qs.order_by("department__code", "code")[:limit])
    match = Q()
    score: Any = None
    for i, v in enumerate(variants):
        match |= Q(search_text__contains=v)
        # Typos are the citizen's (variants[0]); a synonym is the table's exact word. A trigram needs
        # three characters: shorter words match as substrings only.
        typo = i == 0 and len(v) >= 3
        if typo:
            match |= Q(search_text__trigram_word_similar=v)
        # The words in the name, else in the aliases, else (a typo) how close: pg_trgm's similarity is
        # the dear part (~50 µs a row on Chinese text), so it is computed only for rows without the words.
        part = Case(
            When(name__contains=v, then=Value(3.0)),
            When(search_text__contains=v, then=Value(2.0)),
            default=TrigramWordSimilarity(v, "search_text") if typo else Value(0.0),
            output_field=FloatField(),
        )
        score = part if score is None else score + part
    qs = qs.filter(match).annotate(score=score).order_by("-score", "code")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Local to this transaction (see WORD_SIMILARITY_THRESHOLD). That the planner takes the
            # trigram index rather than filtering every row: migration 0005.
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(WORD_SIMILARITY_THRESHOLD)]
            )
        return list(qs[:limit])


def matters_search(*, q: str = "", department: str = "") -> list[Matter]:
    """The portal's home list: matching matters grouped by department (its template groups them)."""
    found = matters_find(SearchQuery(q=q, department=department), limit=500) if q else None
    if found is None:
        return list(matters_browse(SearchQuery(department=department)).order_by("department__code", "code"))
    return sorted(found, key=lambda m: (m.department.code, m.code))


def matter_get(*, code: str) -> Matter:
    return get_object_or_404(
        Matter.objects.select_related("department").prefetch_related("materials", "fee_items"), code=code, is_current=True
    )


def matter_get_version(*, code: str, version: int) -> Matter:
    """A past or present version (a case shows the one it was accepted under)."""
    return get_object_or_404(
        Matter.objects.select_related("department").prefetch_related("materials", "fee_items"), code=code, version=version
    )


def life_event_counts() -> dict[str, int]:
    """How many current matters each life event has (the browse page's tiles)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e, count(*) FROM catalog_matter, unnest(life_events) AS e WHERE is_current GROUP BY e"
        )
        counts = dict(cursor.fetchall())
    return {value: counts.get(value, 0) for value in LifeEvent.values}
