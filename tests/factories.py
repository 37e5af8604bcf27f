"""Small builders for test data that both roles share."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from apps.shared.accounts.models import IdentityProof, Role, User
from apps.shared.accounts.services import id_number_index, phone_index
from apps.shared.catalog.models import Department, Material, Matter
from govservice.lib.idcard import check_char

_seq = itertools.count(1)


def valid_id_number(birth: str = "19900101", area: str = "110105") -> str:
    body = f"{area}{birth}{next(_seq) % 1000:03d}"
    return body + check_char(body)


def make_user(
    username: str,
    role: str = Role.CITIZEN,
    *,
    real_name: str = "张三",
    phone: str = "13800001234",
    email: str = "",
    verified: bool = True,
    **extra,
) -> User:
    """A user; a citizen is real-name verified (phone and identity proved) unless ``verified=False``, so
    that the suite's citizens are what registration makes. Unverified ones are made explicitly."""
    id_number = extra.pop("id_number", valid_id_number() if role == Role.CITIZEN else "")
    if role == Role.CITIZEN and verified:
        now = timezone.now()
        extra = {
            "phone_verified_at": now,
            "identity_verified_at": now,
            "identity_verified_via": IdentityProof.REGISTRY,
            **extra,
        }
    user = User(
        username=username,
        role=role,
        real_name=real_name,
        id_number=id_number,
        id_number_index=id_number_index(id_number) if id_number else "",
        phone=phone,
        phone_index=phone_index(phone) if phone else "",
        email=email,
        **extra,
    )
    user.set_password("pass-Word-2026")
    user.save()
    return user


def make_matter(
    code: str = "M-001",
    *,
    department: Department | None = None,
    name: str = "社会保障卡申领",
    promised_days: int = 5,
    **extra,
) -> Matter:
    department = (
        department or Department.objects.get_or_create(code="RSJ", defaults={"name": "区人力资源和社会保障局"})[0]
    )
    matter = Matter.objects.create(
        code=code, name=name, department=department, promised_days=promised_days, legal_days=20, **extra
    )
    Material.objects.create(matter=matter, position=1, name="居民身份证", originals=1, copies=1, required=True)
    Material.objects.create(matter=matter, position=2, name="近期免冠照片", originals=1, copies=0, required=False)
    return matter


PASSWORD = "pass-Word-2026"


def later_years() -> list[int]:
    """The years after the statutory holiday data (chinesecalendar), up to two years ahead: the suite
    publishes them (Monday–Friday, New Year's Day off) so that it means the same in late December as in
    June (tests/conftest.py for the in-process tests, tests/e2e/servers.py for the real servers)."""
    import chinese_calendar

    year = dt.date.today().year
    while True:
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 5))
        except NotImplementedError:
            break
        year += 1
    return list(range(year, dt.date.today().year + 3))
