"""Reads for the catalog: finding a matter (Chinese search with synonyms and typos, browsing) and one
matter with everything a guide shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from govservice.lib.errors import DomainError

from .models import Channel, Department, LifeEvent, Matter, OnlineDepth, Synonym, split_terms

# pg_trgm's word-similarity threshold for the typo-tolerant match (its default is 0.6). Chinese words are
# short and one wrong character spoils up to three trigrams: 社会保障咔 keeps 0.67 of 社会保障卡, 社保咔
# 0.5 of 社保卡, 企业设力登记 0.43 of 企业设立登记. Below 0.4 unrelated words sharing two characters come in.
WORD_SIMILARITY_THRESHOLD = 0.4
MAX_QUERY_LENGTH = 50
MAX_VARIANTS = 8


LIST_FIELDS = (
    "code",
    "version",
    "name",
    "department__code",
    "department__name",
    "case_kind",
    "promised_days",
    "online_depth",
    "trips",
    "channels",
    "remote_ok",
    "bookable",
    "life_events",
)


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
    """Matters for a citizen's words, best first; each carries ``score``. Only the list fields are loaded
    (LIST_FIELDS); any other field is fetched when read, as with ``only()``.

    Each variant of the query (itself and its synonyms) matches as a substring of the name, the aliases
    or the result (LIKE '%…%'); the citizen's own words also match with typos, by pg_trgm word
    similarity (``%>``). Both use the GIN trigram index on ``search_text``. Ranking: the words in the
    name, then in the aliases, then the closest by similarity; a matter matching several variants first.

    Hand-written SQL: this is the portal's hottest read (DESIGN.md §8, p95 < 30 ms), and building the
    same statement through the ORM's expressions cost three times the database's own time.
    """
    if variants is None:
        variants = query_variants(query.q)
    if not variants:
        qs = matters_browse(query).only(*LIST_FIELDS)
        return list(qs.order_by("department__code", "code")[:limit])
    indexed: list[str] = []  # conditions the trigram index answers
    indexed_params: list[Any] = []
    scanned: list[str] = []  # LIKE on words under three characters: no trigram, read row by row
    scanned_params: list[Any] = []
    score: list[str] = []
    score_params: list[Any] = []
    for i, v in enumerate(variants):
        pattern = "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Typos are the citizen's (variants[0]); a synonym is the table's exact word. A trigram needs
        # three characters: shorter words match as substrings only.
        typo = i == 0 and len(v) >= 3
        if len(v) >= 3:
            indexed.append("search_text LIKE %s")
            indexed_params.append(pattern)
        else:
            scanned.append("search_text LIKE %s")
            scanned_params.append(pattern)
        if typo:
            indexed.append("search_text %%> %s")
            indexed_params.append(v)
        # The words in the name, else in the aliases, else (a typo) how close: pg_trgm's similarity is
        # the dear part (~50 µs a row on Chinese text), so it is computed only for rows without the words.
        score.append(
            "CASE WHEN m.name LIKE %s THEN 3.0 WHEN m.search_text LIKE %s THEN 2.0 ELSE "
            + ("word_similarity(%s, m.search_text)" if typo else "0.0")
            + " END"
        )
        score_params += [pattern, pattern] + ([v] if typo else [])
    if indexed and scanned:
        # One OR of both kinds could not use the index at all, and would then price every row's typo
        # check (~15 µs each): the indexed half and the cheap LIKE half are found apart.
        match = "m.id IN (SELECT id FROM catalog_matter WHERE is_current AND ({}) UNION SELECT id FROM catalog_matter WHERE is_current AND ({}))".format(  # noqa: S608 - fixed fragments, values are parameters
            " OR ".join(indexed), " OR ".join(scanned)
        )
    else:
        match = "(" + " OR ".join(f"m.{c}" for c in indexed + scanned) + ")"
    where = ["m.is_current", match]
    where_params: list[Any] = indexed_params + scanned_params
    if query.department:
        where.append("d.code = %s")
        where_params.append(query.department)
    if query.life_event:
        where.append("m.life_events @> ARRAY[%s]::varchar(32)[]")
        where_params.append(query.life_event)
    if query.mode == Mode.ONLINE:
        where.append("m.online_depth = %s")
        where_params.append(int(OnlineDepth.FULLY_ONLINE))
    elif query.mode == Mode.REMOTE:
        where.append("m.remote_ok")
    elif query.mode == Mode.HALL:
        where.append("m.channels @> ARRAY[%s]::varchar(16)[]")
        where_params.append(str(Channel.WINDOW))
        if query.hall:
            where.append("(m.receiving_halls = '{}' OR m.receiving_halls @> ARRAY[%s]::varchar(16)[])")
            where_params.append(query.hall)
    columns = ", ".join(f"m.{name}" for name in _MATTER_COLUMNS)
    sql = (
        # Local to this statement's transaction (see WORD_SIMILARITY_THRESHOLD); sent with the query, one
        # round trip. That the planner takes the trigram index rather than filtering every row: migration 0005.
        "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true); "  # noqa: S608 - fixed fragments, values are parameters
        f"SELECT {columns}, d.id, d.code, d.name, ({' + '.join(score)}) AS score "
        "FROM catalog_matter m JOIN catalog_department d ON d.id = m.department_id "
        f"WHERE {' AND '.join(where)} ORDER BY score DESC, m.code LIMIT %s"
    )
    # The database the router reads matters from: the replica inside govservice.lib.replica.replica_reads().
    alias = router.db_for_read(Matter)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [str(WORD_SIMILARITY_THRESHOLD), *score_params, *where_params, limit])
        rows = cursor.fetchall()
    found = []
    width = len(_MATTER_COLUMNS)
    for row in rows:
        matter = Matter.from_db(alias, _MATTER_COLUMNS, row[:width])
        matter.department = Department.from_db(alias, ["id", "code", "name"], row[width : width + 3])
        matter.score = row[-1]  # type: ignore[attr-defined]
        found.append(matter)
    return found


# The list fields as columns, in the model's field order (what ``from_db`` expects).
_MATTER_COLUMNS = [
    f.attname
    for f in Matter._meta.concrete_fields
    if f.attname in {"id", "department_id", *(name for name in LIST_FIELDS if "__" not in name)}
]


def matters_search(*, q: str = "", department: str = "") -> list[Matter]:
    """The portal's home list: matching matters grouped by department (its template groups them)."""
    found = matters_find(SearchQuery(q=q, department=department), limit=500) if q else None
    if found is None:
        return list(matters_browse(SearchQuery(department=department)).order_by("department__code", "code"))
    return sorted(found, key=lambda m: (m.department.code, m.code))


def matter_get(*, code: str) -> Matter:
    return get_object_or_404(
        Matter.objects.select_related("department").prefetch_related("materials", "fee_items", "form_fields"),
        code=code,
        is_current=True,
    )


def matter_known_or_404(code: str, *, current: bool = True) -> None:
    """A sub-resource of a matter (its halls, its FAQ) names one that exists: else 404 "事项不存在。", as the matter
    itself answers, rather than an empty list. ``current=False``: any version counts (the FAQ keeps every one's)."""
    matters = Matter.objects.filter(code=code)
    if not (matters.filter(is_current=True) if current else matters).exists():
        raise DomainError(_("事项不存在。"), code="not_found")


def matter_get_version(*, code: str, version: int) -> Matter:
    """A past or present version (a case shows the one it was accepted under)."""
    return get_object_or_404(
        Matter.objects.select_related("department").prefetch_related("materials", "fee_items", "form_fields"),
        code=code,
        version=version,
    )


def life_event_counts() -> dict[str, int]:
    """How many current matters each life event has (the browse page's tiles)."""
    with connections[router.db_for_read(Matter)].cursor() as cursor:
        cursor.execute("SELECT e, count(*) FROM catalog_matter, unnest(life_events) AS e WHERE is_current GROUP BY e")
        counts = dict(cursor.fetchall())
    return {value: counts.get(value, 0) for value in LifeEvent.values}
