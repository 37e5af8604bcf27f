"""Finding a matter: Chinese words with synonyms and typos (pg_trgm), and browsing by department, life
event and where it can be done (DOMAIN.md §6)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from apps.shared.catalog.models import Department, Synonym
from apps.shared.catalog.selectors import SearchQuery, matters_find, query_variants
from apps.shared.catalog.services import catalog_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(make, department):
    # The migrations seed these; a transactional test elsewhere may have flushed them from a reused database.
    for terms in ("社保卡,社会保障卡", "身份证,居民身份证"):
        Synonym.objects.get_or_create(terms=terms)
    police = Department.objects.create(code="110112-GA", name="北京市公安局通州分局")
    return {
        "social": make(
            "S-1",
            name="社会保障卡申领",
            keywords="社保卡,医保卡",
            life_events=["employment", "medical"],
            remote_ok=True,
        ),
        "id": make(
            "S-2",
            name="居民身份证申领（换领、补领）",
            keywords="换证,补办",
            department=police,
            life_events=["residence"],
        ),
        "birth": make(
            "S-3",
            name="生育登记",
            keywords="准生证",
            online_depth=4,
            trips=0,
            trips_reason="",
            channels=["online", "mobile"],
            life_events=["birth"],
        ),
        "company": make(
            "S-4",
            name="企业设立登记（有限责任公司）",
            keywords="营业执照",
            life_events=["business_start"],
            receiving_halls=["TZ"],
        ),
        "pension": make(
            "S-5",
            name="企业职工基本养老保险待遇申领",
            keywords="办退休,养老金",
            life_events=["retirement"],
            receiving_halls=["YS"],
        ),
    }


def names(query: SearchQuery) -> list[str]:
    return [m.name for m in matters_find(query)]


def test_a_synonym_finds_the_official_name_and_back(catalog):
    Synonym.objects.all().delete()
    Synonym.objects.create(terms="社保卡,社会保障卡")
    Synonym.objects.create(terms="身份证，居民身份证")
    # "社会保障卡" alone is in no alias of S-1 but its name; "社保卡" in no name but the alias.
    assert names(SearchQuery(q="社会保障卡"))[0] == "社会保障卡申领"
    assert names(SearchQuery(q="社保卡"))[0] == "社会保障卡申领"
    assert query_variants("社保卡") == ["社保卡", "社会保障卡"]
    assert query_variants("居民身份证") == ["居民身份证", "身份证"]
    assert names(SearchQuery(q="身份证"))[0] == "居民身份证申领（换领、补领）"


def test_an_administrator_adds_a_synonym_and_search_uses_it(catalog):
    Synonym.objects.filter(terms__contains="开公司").delete()
    assert names(SearchQuery(q="开公司")) == []
    Synonym.objects.create(terms="开公司,企业设立")
    assert names(SearchQuery(q="开公司")) == ["企业设立登记（有限责任公司）"]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("社会保障咔申领", "社会保障卡申领"),  # 咔 for 卡
        ("居民身份正申领", "居民身份证申领（换领、补领）"),  # 正 for 证
        ("企业设力登记", "企业设立登记（有限责任公司）"),  # 力 for 立
        ("养老保险待遇申请", "企业职工基本养老保险待遇申领"),  # 请 for 领
    ],
)
def test_a_typo_still_finds_the_matter(catalog, typo, meant):
    Synonym.objects.all().delete()
    found = names(SearchQuery(q=typo))
    assert found and found[0] == meant, found


def test_exact_words_rank_above_a_near_miss(catalog):
    found = matters_find(SearchQuery(q="企业设立登记"))
    assert found[0].name == "企业设立登记（有限责任公司）"
    assert all(found[0].score >= m.score for m in found)


def test_nothing_unrelated_comes_back(catalog):
    assert names(SearchQuery(q="护照签发")) == []


def test_it_browses_by_department_life_event_and_way_of_doing(catalog, department):
    assert set(names(SearchQuery(department="110112-GA"))) == {"居民身份证申领（换领、补领）"}
    assert names(SearchQuery(life_event="birth")) == ["生育登记"]
    assert names(SearchQuery(life_event="retirement")) == ["企业职工基本养老保险待遇申领"]
    assert names(SearchQuery(mode="online")) == ["生育登记"]
    assert names(SearchQuery(mode="remote")) == ["社会保障卡申领"]
    # At hall TZ: matters every hall receives, and those naming TZ; not YS-only ones, not online-only ones.
    at_tz = set(names(SearchQuery(mode="hall", hall="TZ")))
    assert at_tz == {"社会保障卡申领", "居民身份证申领（换领、补领）", "企业设立登记（有限责任公司）"}
    assert "企业职工基本养老保险待遇申领" in names(SearchQuery(mode="hall", hall="YS"))
    # Filters and words together.
    assert names(SearchQuery(q="登记", life_event="birth")) == ["生育登记"]


def test_the_search_api_answers_and_refuses_bad_filters(catalog, client):
    url = reverse("api-matter-search")
    body = client.get(url, {"q": "社保卡", "mode": "remote"}).json()
    assert body["results"][0]["code"] == "S-1" and body["count"] == 1
    assert "社会保障卡" in body["variants"]
    for params, code in (
        ({"mode": "teleport"}, "unknown_mode"),
        ({"life_event": "moon"}, "unknown_life_event"),
        ({"q": "社" * 51}, "query_too_long"),
        ({"limit": "0"}, "bad_limit"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400 and response.json()["code"] == code, params
        assert response.json()["detail"][0] > "\u4e00"  # Chinese first
    # Each parameter valid, the two together refused by a rule: 422 (issue 17; was 400).
    refused = client.get(url, {"hall": "TZ"})
    assert refused.status_code == 422 and refused.json()["code"] == "hall_without_mode"


def test_the_find_page_lists_results(catalog, client):
    response = client.get(reverse("matter_find"), {"q": "社保卡"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "社会保障卡申领" in page
    assert "同时查找了：" in page and "社会保障卡" in page
    tiles = client.get(reverse("matter_find")).content.decode()
    assert "?life_event=birth" in tiles and "生育" in tiles
    assert client.get(reverse("matter_find"), {"mode": "nowhere"}).status_code == 400


def test_the_trigram_index_serves_the_search(department):
    """A plan test, not a timing: with a generated catalog the planner takes the GIN trigram index."""
    catalog_generate(matters=400, departments=4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_matter")
    from apps.shared.catalog.selectors import WORD_SIMILARITY_THRESHOLD

    query = SearchQuery(q="社会保障卡")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert matters_find(query)
    sql = next(q["sql"] for q in captured.captured_queries if "FROM catalog_matter m" in q["sql"]).split("; ", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(WORD_SIMILARITY_THRESHOLD)]
        )
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "matter_search_trgm" in plan, plan
    assert "Seq Scan on catalog_matter" not in plan, plan


def test_the_find_page_speaks_english_when_asked(catalog, client):
    page = client.get(
        reverse("matter_find"), {"q": "社保卡", "mode": "remote"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Find a service" in page and "1 service found" in page and "Can be done in another region" in page
    body = client.get(reverse("api-matter-search"), {"mode": "teleport"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["detail"].startswith("The way of doing it must be online")
