"""Every bad request gets a clear answer, Chinese first, in the one error shape of govservice/api.py."""

import pytest


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_in_chinese_first(api, citizen):
    response = api(citizen).post("/api/v1/appointments/", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "请求内容格式有误，无法解析。",
    }


@pytest.mark.django_db
def test_the_edge_answers_in_the_readers_language_not_both(api, citizen, client):
    """The edge's own sentences (bad body, invalid input, not found, no right) are one language at a time."""
    client_api = api(citizen)
    english = client_api.post(
        "/api/v1/appointments/", "{bad", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.json() == {"code": "parse_error", "detail": "The request body is malformed and cannot be read."}
    invalid = client_api.post("/api/v1/appointments/", {"slot": "x"}, format="json")
    assert invalid.json()["detail"] == "提交的数据有误。"
    invalid_en = client_api.post("/api/v1/appointments/", {"slot": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert invalid_en.json()["detail"] == "The data sent is not valid."
    missing = client_api.get("/api/v1/appointments/NOSUCH00/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing.json()["detail"] == "Not found, or you may not see it."
    unrouted = client.get("/api/v1/no-such-thing/")
    assert unrouted.status_code == 404 and unrouted.json()["detail"] == "未找到，或您无权查看。"


@pytest.mark.django_db
def test_an_expected_refusal_writes_no_log_line_and_other_answers_still_do(
    api, citizen, other_citizen, hall, matter, caplog
):
    """A flash crowd's thousands of 409 slot_full are answers, not faults: no django.request warning each."""
    from tests.personas_front import make_slot

    slot = make_slot(hall, capacity=1)
    book = {"slot": slot.id, "matter": matter.code}
    assert api(other_citizen).post("/api/v1/appointments/", book, format="json").status_code == 201
    with caplog.at_level("INFO", logger="django.request"):
        refused = api(citizen).post("/api/v1/appointments/", book, format="json")
        unrouted = api(citizen).get("/api/v1/no-such-thing/")
    assert refused.status_code == 409 and refused.json()["code"] == "slot_full"
    assert unrouted.status_code == 404
    logged = [record.getMessage() for record in caplog.records if record.name == "django.request"]
    assert logged == ["Not Found: /api/v1/no-such-thing/"]  # other 4xx are logged as before
