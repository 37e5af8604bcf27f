"""Every bad request gets a clear answer, Chinese first, in the one error shape of govservice/api.py."""

import pytest


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_in_chinese_first(api, citizen):
    response = api(citizen).post("/api/v1/appointments/", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "detail": "请求内容格式有误，无法解析（须为有效的 JSON）。 Malformed request body.",
    }
