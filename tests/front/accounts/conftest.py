import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.registry_central import registry, registry_central  # noqa: F401 - fixtures


def sms_to(phone: str) -> list[str]:
    """The texts the file SMS backend recorded for a phone, oldest first (tests/conftest.py gives each
    test its own file)."""
    path = Path(settings.SMS_FILE_PATH)
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line["text"] for line in lines if line["to"] == phone]


def last_code(phone: str) -> str:
    codes = [m.group(1) for t in sms_to(phone) if (m := re.search(r"验证码 (\d{6})", t))]
    assert codes, f"no code was sent to {phone}"
    return codes[-1]


@pytest.fixture
def anon(api):
    return api(None)
