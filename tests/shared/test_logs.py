"""Log lines are JSON with the site and the request id, and never show an ID number or a phone: the code
logs ids, and the formatter masks what looks like either wherever it is (message, arguments, extras,
tracebacks)."""

from __future__ import annotations

import json
import logging

from django.conf import settings

from govservice.lib import requestid
from govservice.lib.logs import JsonFormatter, RequestIdFilter, redact

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


def test_numbers_that_look_like_people_are_masked_and_ids_are_not():
    text = f"id {ID_NUMBER}, old id 110105491231002, phone {PHONE}, +86{PHONE}"
    masked = redact(text)
    assert ID_NUMBER not in masked and "110105491231002" not in masked and PHONE not in masked
    # A UUID's hex, a SHA-256, a case number and a timestamp stay readable.
    kept = "a3f1c2e4b5d6 13912345678abc 0f13912345678a TZ2026112400042 1733541234 sha 1391234567812"
    assert redact(kept) == kept


def _record(message, *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord("apps.test", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_line_is_json_with_site_and_request_id_and_no_personal_data():
    formatter = JsonFormatter("%(levelname)s %(name)s %(message)s %(site)s %(request_id)s")
    record = _record("lookup of %s by phone %s", ID_NUMBER, PHONE, detail={"phone": PHONE})
    with requestid.bound("req-logs-0000001"):
        RequestIdFilter(site="front").filter(record)
    line = formatter.format(record)
    data = json.loads(line)
    assert data["request_id"] == "req-logs-0000001" and data["site"] == "front" and data["level"] == "WARNING"
    assert data["logger"] == "apps.test" and "time" in data
    assert ID_NUMBER not in line and PHONE not in line and "[id-number]" in data["message"]


def test_a_traceback_is_masked_too():
    formatter = JsonFormatter("%(message)s")
    try:
        raise ValueError(f"bad id {ID_NUMBER}")
    except ValueError:
        import sys

        record = logging.LogRecord("apps.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(record)
    assert "ValueError" in line and ID_NUMBER not in line


def test_the_sites_log_json_by_default():
    assert settings.LOG_FORMAT == "json"
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["formatter"] == "json" and handler["filters"] == ["request_id"]


def test_gunicorns_access_line_never_holds_the_query_string():
    # A look-up by ID number or phone travels in the query string: the access line names the path only.
    from govservice import gunicorn_conf

    assert "%(U)s" in gunicorn_conf.access_log_format
    for atom in ("%(r)s", "%(q)s", "%(f)s"):
        assert atom not in gunicorn_conf.access_log_format
    formatter = gunicorn_conf.logconfig_dict["formatters"]["json"]["()"]
    assert formatter == "govservice.lib.logs.JsonFormatter"


def test_the_line_stays_valid_json_whatever_is_masked():
    # A float with many digits is a number, not an ID; a whole number that is a phone becomes a string.
    formatter = JsonFormatter("%(message)s")
    record = _record(
        "task succeeded in 0.015018823999999998s", data={"runtime": 0.015018823999999998, "to": 13912345678, "n": 3}
    )
    data = json.loads(formatter.format(record))
    assert data["data"] == {"runtime": 0.015018823999999998, "to": "[phone]", "n": 3}
    assert data["message"] == "task succeeded in 0.015018823999999998s"
