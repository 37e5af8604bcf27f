"""The demo's legal person and people acting for others (booking's demo hooks, ``manage.py seed_demo``): the
company 北京云窗科技有限公司 represented by `citizen2`, its 经办人 `agent` for two matters, and `citizen`'s relative
`relative` authorised to apply for and collect his social security card. Central's demo registers hold the
same people and company (apps/central/registry/demo_people.json, demo_companies.json). Development only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from apps.front.booking.models import Hall
from apps.shared.accounts.models import IdentityProof, Role, User
from apps.shared.accounts.services import id_number_index, phone_index

from .letters import letter_pdf
from .models import Company, EventKind, Mandate, MandateEvent, MandateForm, MandateKind, MandateStatus
from .services.records import _number, _store_letter

# username, name, ID number, phone (central's demo registry holds them).
PEOPLE = (
    ("relative", "张丽", "110112198806150220", "13711114444"),
    ("agent", "陈刚", "110105199003030138", "13611115555"),
)
COMPANY = ("91110112MA01YCW8XM", "北京云窗科技有限公司", "citizen2")
# The company's 经办人 may apply for these two (食品经营许可, 公共场所卫生许可) and collect their results.
COMPANY_MATTERS = ["11011204000000000000-000405-01", "11011205000000000000-000503-01"]
# 社会保障卡申领: the demo journey's matter.
RELATIVE_MATTER = "11011202000000000000-000201-01"


def _person(username: str, name: str, id_number: str, phone: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    now = timezone.now()
    user = User(
        username=username,
        role=Role.CITIZEN,
        real_name=name,
        id_number=id_number,
        id_number_index=id_number_index(id_number),
        phone=phone,
        phone_index=phone_index(phone),
        phone_verified_at=now,
        identity_verified_at=now,
        identity_verified_via=IdentityProof.SEED,
        password=make_password(DEMO_PASSWORD),
    )
    user.save()
    return user, True


def _mandate(**fields) -> Mandate:
    today = timezone.localdate()
    mandate = Mandate.objects.create(
        number=_number(),
        valid_from=today,
        valid_until=today + dt.timedelta(days=365),
        status=MandateStatus.ACTIVE,
        confirmed_at=timezone.now(),
        **fields,
    )
    _store_letter(mandate, letter_pdf(mandate, matter=None), ".pdf")
    MandateEvent.objects.create(
        mandate=mandate,
        kind=EventKind.GRANTED,
        actor=mandate.granted_by,
        from_status=mandate.status,
        to_status=mandate.status,
        note="演示数据",
    )
    return mandate


@transaction.atomic
def mandates_seed_demo(*, halls: Mapping[str, Hall]) -> dict[str, int]:
    people = {username: _person(username, name, id_number, phone) for username, name, id_number, phone in PEOPLE}
    created = {"users": sum(int(new) for _user, new in people.values()), "companies": 0, "mandates": 0}
    representative = User.objects.filter(username=COMPANY[2]).first()
    citizen = User.objects.filter(username="citizen").first()
    if representative is None or citizen is None:
        return created
    code, name, _username = COMPANY
    company = Company.objects.filter(credit_code=code).first()
    if company is None:
        now = timezone.now()
        account = User(
            username=f"company-{code.lower()}",
            role=Role.COMPANY,
            real_name=name,
            id_number=code,
            id_number_index=id_number_index(code),
            phone=representative.phone,
            phone_index=representative.phone_index,
            phone_verified_at=now,
            identity_verified_at=now,
            identity_verified_via=IdentityProof.SEED,
        )
        account.set_unusable_password()
        account.save()
        company = Company.objects.create(
            account=account,
            credit_code=code,
            name=name,
            representative=representative,
            verified_at=now,
            verified_via=IdentityProof.SEED,
        )
        created["companies"] += 1
    agent, relative = people["agent"][0], people["relative"][0]
    if not Mandate.objects.filter(principal=company.account, agent=agent).exists():
        _mandate(
            kind=MandateKind.STAFF,
            principal=company.account,
            agent=agent,
            granted_by=representative,
            matter_codes=COMPANY_MATTERS,
            form=MandateForm.REPRESENTATIVE,
        )
        created["mandates"] += 1
    if not Mandate.objects.filter(principal=citizen, agent=relative).exists():
        _mandate(
            kind=MandateKind.PERSONAL,
            principal=citizen,
            agent=relative,
            granted_by=citizen,
            matter_codes=[RELATIVE_MATTER],
            form=MandateForm.ELECTRONIC,
        )
        created["mandates"] += 1
    return created


def mandates_logins(*, url: Callable[[str], str]) -> list[str]:
    return [
        f"  {'relative':<10} {DEMO_PASSWORD}  {url('mandates:acting'):<40} 张伟的亲属张丽：代办、代领社会保障卡申领",
        f"  {'agent':<10} {DEMO_PASSWORD}  {url('mandates:acting'):<40} 北京云窗科技有限公司的经办人陈刚",
        f"  (citizen2 is the legal representative of 北京云窗科技有限公司: {url('mandates:companies')})",
    ]
