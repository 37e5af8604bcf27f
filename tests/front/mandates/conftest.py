"""Personas and builders for legal persons and agents: a company with its representative, a matter that serves
companies, people to act for others, mandates made through the services (or directly, for the scope rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.front.booking.models import GroupMatter
from apps.front.mandates.models import Company, Mandate, MandateForm, MandateKind, MandateStatus
from apps.shared.accounts.models import IdentityProof, Role, User
from apps.shared.accounts.selectors import id_number_index
from apps.shared.catalog.models import Target
from tests.factories import make_matter, make_user
from tests.front.accounts.conftest import last_code, sms_to  # noqa: F401 - helpers for the tests here
from tests.registry_central import registry, registry_central  # noqa: F401 - fixtures (central's real register)

CREDIT_CODE = "91110112MA01YCW8XM"


@pytest.fixture
def agent(db):
    """The person who acts for others (代办人 / 经办人)."""
    return make_user("agent", real_name="张丽", phone="13711114444")


@pytest.fixture
def stranger(db):
    return make_user("stranger", real_name="赵六", phone="13611116666")


@pytest.fixture
def representative(db):
    return make_user("rep", real_name="欧阳晓雯", phone="13922223333")


def make_company(representative: User, *, code: str = CREDIT_CODE, name: str = "北京云窗科技有限公司") -> Company:
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
        identity_verified_via=IdentityProof.COMPANY_REGISTER,
    )
    account.set_unusable_password()
    account.save()
    return Company.objects.create(
        account=account,
        credit_code=code,
        name=name,
        representative=representative,
        verified_at=now,
        verified_via=IdentityProof.COMPANY_REGISTER,
    )


@pytest.fixture
def company(representative):
    return make_company(representative)


@pytest.fixture
def company_matter(db, hall):
    """食品经营许可: a matter for companies, received at the hall's group."""
    matter = make_matter("C-405", name="食品经营许可", target=Target.ORGANISATION)
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    return matter


@pytest.fixture
def other_matter(db, hall):
    """A second matter for persons at the same hall, outside a mandate for ``matter``."""
    matter = make_matter("M-002", name="社会保障卡补领、换领")
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    return matter


_numbers = iter(range(1, 10**6))


def make_mandate(principal: User, agent: User, *, days: int = 30, **fields) -> Mandate:
    """A mandate in force (unless ``status`` says otherwise), straight into the table: for the scope rules."""
    today = timezone.localdate()
    defaults = {
        "number": f"WT{today:%Y%m%d}{next(_numbers):05d}",
        "kind": MandateKind.STAFF if principal.is_company else MandateKind.PERSONAL,
        "granted_by": principal,
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=days),
        "form": MandateForm.REPRESENTATIVE if principal.is_company else MandateForm.ELECTRONIC,
        "status": MandateStatus.ACTIVE,
        "confirmed_at": timezone.now(),
    }
    return Mandate.objects.create(principal=principal, agent=agent, **{**defaults, **fields})
