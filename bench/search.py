"""Catalog search in Chinese over 2,000 matters (DESIGN.md §8): ``make bench-search``.

Loads the demo catalog (80 real matters) and the catalog generator's matters up to ``--matters`` in all
(consistent with DOMAIN.md §2: materials, fees, life events, receiving halls), with the synonym table the
migrations seed. Then ``GET /api/v1/matters/search/`` is timed through gunicorn on one connection by
default (latency, not throughput), after a warm-up, for a mix of what citizens type: exact names, aliases,
synonyms (社保卡 → 社会保障卡), typos (社会保障咔), two-character words, and words with a browse filter
(life event, fully online, at a hall, remote). Before that, each distinct query's SQL is taken from the
selector in this process and EXPLAINed: ``index_used`` says the trigram index (``matter_search_trgm``)
serves every query whose words have three characters or more (shorter ones have no trigram to look up),
and one plan is printed in full (EXPLAIN ANALYZE). On a shared machine the wall-clock figures move with the
load: ``cpu_ms_per_request`` and ``floor_p95_ms`` (GET /healthz timed the same way in the same run) say
how much of the latency is the search.

Its own database (created, migrated, dropped) and gunicorn (stopped), even when something fails. The
figures end with one JSON line.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from urllib.parse import urlencode

from bench import harness, loadgen
from bench.harness import Cleanup, say

SEARCH_PATH = "/api/v1/matters/search/"
INDEX_NAME = "matter_search_trgm"

# What citizens type, with the filters the portal offers. (q, extra parameters)
QUERIES: tuple[tuple[str, dict[str, str]], ...] = (
    ("社会保障卡", {}),
    ("社保卡", {}),  # synonym
    ("社会保障咔", {}),  # typo
    ("身份证", {}),  # synonym (居民身份证)
    ("居民身份正换领", {}),  # typo
    ("营业执照变更登记", {}),
    ("营业执照", {"mode": "hall", "hall": "H01"}),
    ("执照", {}),  # synonym of a two-character word
    ("护照", {}),  # two characters: substring only
    ("结婚登记", {}),
    ("准生证", {}),  # synonym (生育登记)
    ("公积金提取", {}),
    ("开公司", {}),
    ("食品经营许可证", {}),
    ("食品经营许可正", {}),  # typo
    ("医师执业证书", {"mode": "online"}),
    ("不动产权证书", {"mode": "remote"}),
    ("残疾人证", {"life_event": "disability"}),
    ("低保", {}),
    ("养老金", {"life_event": "retirement"}),
    ("", {"life_event": "birth"}),  # browse only
    ("", {"mode": "online"}),
    ("教师资格证补领", {}),
    ("道路运输经营许可证延续", {}),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=2000, help="current matters in all (demo + generated)")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests (after a warm-up)")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--worker-class", default=harness.DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=harness.DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=harness.DEFAULT_THREADS)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def load(args: argparse.Namespace) -> int:
    from django.db import connection

    from apps.shared.catalog.models import Matter
    from apps.shared.catalog.services import catalog_generate, catalog_load_demo

    started = time.monotonic()
    demo = catalog_load_demo()
    catalog_generate(matters=max(0, args.matters - demo), departments=20, halls=("H01", "H02", "H03"), seed=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Matter.objects.filter(is_current=True).count()
    say(f"loaded {total} matters ({demo} from the demo catalog) in {time.monotonic() - started:.1f} s")
    return total


def plans() -> dict:
    """EXPLAIN every distinct query as the selector runs it; one EXPLAIN ANALYZE in full."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps.shared.catalog.selectors import WORD_SIMILARITY_THRESHOLD, SearchQuery, matters_find, query_variants

    def select_of(query: SearchQuery) -> str:
        with CaptureQueriesContext(connection) as captured:
            matters_find(query)
        # The search sends its threshold and its SELECT in one round trip: EXPLAIN the SELECT.
        return next(q["sql"] for q in captured.captured_queries if "FROM catalog_matter m" in q["sql"]).split("; ", 1)[
            1
        ]

    def explain(sql: str, *, analyze: bool = False) -> str:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(WORD_SIMILARITY_THRESHOLD)]
            )
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql)
            return "\n".join(row[0] for row in cursor.fetchall())

    # Per query: is the trigram index in the plan, is any current matter read by a sequential scan.
    checked: dict[str, dict[str, bool]] = {}
    for q, params in QUERIES:
        if not q:
            continue
        query = SearchQuery(q=q, **params)
        plan = explain(select_of(query))
        long_words = all(len(v) >= 3 for v in query_variants(q))
        checked[q] = {
            # Two-character words have no trigram to look up (a LIKE over every row, ~1 ms), and with a
            # narrow browse filter (a life event) the planner may rightly start from that filter's index.
            "long_words": long_words,
            "trigram_expected": long_words and "life_event" not in params,
            "trigram": INDEX_NAME in plan,
            "seq_scan": "Seq Scan on catalog_matter" in plan,
        }
    shown = explain(select_of(SearchQuery(q="社保卡")), analyze=True)
    connection.close()
    return {"checked": checked, "shown": shown}


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    figures = harness.machine()
    with Cleanup() as cleanup:
        database, env = harness.prepared_site("search", cleanup)
        matters = load(args)
        explained = plans()

        server = harness.Gunicorn(
            "govservice.wsgi:application",
            env,
            name="search",
            worker_class=args.worker_class,
            workers=args.workers,
            threads=args.threads,
        ).start(cleanup)
        rng = random.Random(args.seed)
        paths = [SEARCH_PATH + "?" + urlencode({"q": q, **params} if q else params) for q, params in QUERIES]
        hits: list[int] = []

        async def get(client: loadgen.Client, path: str) -> None:
            status, body = await client.request("GET", path, {"Accept": "application/json"})
            if status == 200:
                hits.append(body.count(b'"code":'))

        tally, cpu = harness.timed_load(
            server,
            database,
            paths,
            get,
            requests=args.requests,
            connections=args.connections,
            rng=rng,
            after_warm_up=hits.clear,
        )

        async def ping(client: loadgen.Client, path: str) -> None:
            await client.request("GET", path, {})

        # The noise floor: the cheapest request this server answers, timed the same way right after.
        floor = loadgen.run(
            server.base_url, ["/healthz"] * max(200, args.requests // 4), ping, connections=args.connections
        )
        errors = server.log_errors()
        server.stop()

    p95 = harness.percentile(tally.latencies, 95)
    checked = explained["checked"]
    index_used = bool(checked) and all(c["trigram"] for c in checked.values() if c["trigram_expected"])
    no_seq_scan = not any(c["seq_scan"] for c in checked.values() if c["long_words"])
    figures |= {
        "matters": matters,
        "p95_ms": harness.ms(p95),
        "index_used": index_used,
        "targets_met": {"p95_30ms": p95 < 0.03, "index_used": index_used},
        "floor_p95_ms": harness.ms(harness.percentile(floor.latencies, 95)),
        "no_seq_scan": no_seq_scan,
        "p50_ms": harness.ms(harness.percentile(tally.latencies, 50)),
        "p99_ms": harness.ms(harness.percentile(tally.latencies, 99)),
        "max_ms": harness.ms(max(tally.latencies, default=0.0)),
        "cpu_ms_per_request": cpu,
        "requests": tally.requests,
        "connections": args.connections,
        "statuses": dict(sorted(tally.statuses.items())),
        "results_per_answer_avg": round(sum(hits) / max(1, len(hits)), 1),
        "queries": len(QUERIES),
        "plans_without_trigram_index": sorted(q for q, c in checked.items() if not c["trigram"]),
        "server_errors_logged": len(errors),
        "gunicorn": server.config,
        "total_s": round(time.monotonic() - started, 1),
    }

    def lines():
        yield "EXPLAIN ANALYZE of the search for 社保卡 (variants 社保卡, 社会保障卡):"
        yield from ("    " + line for line in explained["shown"].splitlines())
        yield (
            f"search        {tally.requests} requests in {tally.elapsed:.1f} s on {args.connections} connection(s): "
            f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms; "
            f"{figures['results_per_answer_avg']} results per answer on average"
        )
        yield f"cpu/req       {cpu} ms (server workers, PostgreSQL backends, load generator)"
        expected = [c for c in checked.values() if c["trigram_expected"]]
        yield (
            f"index         {INDEX_NAME} in the plan of {sum(c['trigram'] for c in expected)} of {len(expected)} "
            f"plain queries of 3+ characters, of {sum(c['trigram'] for c in checked.values())} of {len(checked)} "
            f"queries in all; sequential scan of catalog_matter in {sum(c['seq_scan'] for c in checked.values())} "
            f"(of them with words of 3+ characters: {sum(c['seq_scan'] for c in checked.values() if c['long_words'])})"
        )
        yield (
            f"floor         GET /healthz on the same server, same run: p95 {figures['floor_p95_ms']} ms "
            f"(what this machine adds to any request right now)"
        )
        for line in errors[:5]:
            yield f"server log: {line}"

    harness.emit(figures, lines)
    return (
        0
        if index_used and no_seq_scan and tally.unanswered == 0 and tally.statuses.get("200", 0) == tally.requests
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
