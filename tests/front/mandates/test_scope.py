"""Who may act for whom (DOMAIN.md §9), the one rule every act of an agent passes (selectors.authority_check):
an agent outside their scope — another matter, another case, another act, a revoked, expired, unconfirmed or
not yet valid mandate, a matter that forbids agents or does not serve that kind of applicant — is refused with
a stable code and a sentence in Chinese (English with Accept-Language: en); revocation counts at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from apps.front.intake.models import Case, CaseStatus
from apps.front.mandates.models import Act, MandateStatus
from apps.front.mandates.selectors import authority_check
from apps.front.mandates.services import mandate_revoke
from apps.shared.catalog.models import Target
from govservice.api import status_for
from govservice.lib.errors import DomainError
from tests.factories import make_matter, make_user

from .conftest import make_mandate

pytestmark = pytest.mark.django_db


def refusal(**kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        authority_check(**kwargs)
    return info.value


def case_of(citizen, matter, hall, number: str, **fields) -> Case:
    return Case.objects.create(
        number=number,
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        status=CaseStatus.IN_REVIEW,
        **fields,
    )


def test_it_lets_an_agent_act_within_a_mandate_in_force(citizen, agent, matter):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    authority = authority_check(agent=agent, principal=citizen, act=Act.APPLY, matter=matter)
    assert authority.mandate == mandate and not authority.as_representative
    assert authority_check(agent=agent, principal=citizen, act=Act.COLLECT, matter=matter).mandate == mandate


def test_it_refuses_another_matter_with_its_own_code(citizen, agent, matter, other_matter):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    refused = refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=other_matter)
    assert refused.code == "mandate_out_of_scope" and status_for(refused) == 403
    assert "不包括该事项" in refused.detail


def test_it_refuses_someone_with_no_mandate_at_all(citizen, stranger, matter):
    refused = refusal(agent=stranger, principal=citizen, act=Act.APPLY, matter=matter)
    assert refused.code == "no_mandate" and status_for(refused) == 403


def test_revocation_counts_at_once(citizen, agent, matter):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    assert authority_check(agent=agent, principal=citizen, act=Act.APPLY, matter=matter)
    mandate_revoke(by=citizen, number=mandate.number, reason="不再需要")
    refused = refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=matter)
    assert refused.code == "mandate_revoked" and "撤销" in refused.detail
    mandate.refresh_from_db()
    assert (
        mandate.status == MandateStatus.REVOKED
        and mandate.revoked_by == citizen
        and mandate.revoke_reason == "不再需要"
    )
    assert list(mandate.events.values_list("kind", "actor")) == [("revoked", citizen.pk)]


def test_an_expired_mandate_is_refused_from_the_day_after_its_last(citizen, agent, matter, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    make_mandate(citizen, agent, matter_codes=[matter.code], days=10)
    last = timezone.localdate() + dt.timedelta(days=10)
    time_machine.move_to(dt.datetime.combine(last, dt.time(15, 0), tzinfo=dt.UTC), tick=False)
    assert authority_check(agent=agent, principal=citizen, act=Act.APPLY, matter=matter)  # its last valid day
    time_machine.move_to(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(15, 0), tzinfo=dt.UTC), tick=False)
    refused = refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=matter)
    assert refused.code == "mandate_expired" and last.isoformat() in refused.detail


def test_an_unconfirmed_or_not_yet_valid_mandate_is_refused(citizen, agent, matter):
    pending = make_mandate(citizen, agent, matter_codes=[matter.code], status=MandateStatus.PENDING, confirmed_at=None)
    assert refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=matter).code == "mandate_unconfirmed"
    pending.delete()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    make_mandate(
        citizen, agent, matter_codes=[matter.code], valid_from=tomorrow, valid_until=tomorrow + dt.timedelta(days=5)
    )
    assert refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=matter).code == "mandate_not_yet_valid"


def test_it_refuses_an_act_the_mandate_does_not_give(citizen, agent, matter):
    make_mandate(citizen, agent, matter_codes=[matter.code], may_apply=False, may_collect=True)
    refused = refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=matter)
    assert refused.code == "mandate_out_of_scope" and "仅限代为领取" in refused.detail
    assert authority_check(agent=agent, principal=citizen, act=Act.COLLECT, matter=matter)


def test_a_mandate_for_one_case_reaches_that_case_only(citizen, agent, matter, hall):
    mine = case_of(citizen, matter, hall, "TZ2026120700001")
    other = case_of(citizen, matter, hall, "TZ2026120700002")
    make_mandate(citizen, agent, case=mine)
    assert authority_check(agent=agent, principal=citizen, act=Act.COLLECT, case=mine)
    assert refusal(agent=agent, principal=citizen, act=Act.COLLECT, case=other).code == "mandate_out_of_scope"
    # Nor a new application of the matter: the 委托书 named a case.
    assert refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=matter).code == "mandate_out_of_scope"


def test_a_mandate_for_a_matter_does_not_reach_the_principals_earlier_cases(citizen, agent, matter, hall, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False)
    earlier = case_of(citizen, matter, hall, "TZ2026030200001", received_at=timezone.now())
    time_machine.move_to(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC), tick=False)
    make_mandate(citizen, agent, matter_codes=[matter.code])
    later = case_of(citizen, matter, hall, "TZ2026031000001", received_at=timezone.now())
    assert authority_check(agent=agent, principal=citizen, act=Act.COLLECT, case=later)
    assert refusal(agent=agent, principal=citizen, act=Act.COLLECT, case=earlier).code == "mandate_out_of_scope"


def test_a_matter_that_forbids_agents_refuses_every_agent(citizen, agent, hall):
    own = make_matter("M-BIO", name="居民身份证申领（采集指纹）", agents_allowed=False)
    make_mandate(citizen, agent, matter_codes=[own.code])
    refused = refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=own)
    assert refused.code == "agents_not_allowed" and status_for(refused) == 422


def test_a_matter_serves_persons_companies_or_both(citizen, agent, company, company_matter, matter):
    make_mandate(company.account, agent, all_matters=True)
    make_mandate(citizen, agent, matter_codes=[company_matter.code])
    assert (
        refusal(agent=agent, principal=company.account, act=Act.APPLY, matter=matter).code == "matter_not_for_companies"
    )
    assert (
        refusal(agent=agent, principal=citizen, act=Act.APPLY, matter=company_matter).code == "matter_not_for_persons"
    )
    both = make_matter("B-001", name="档案查询", target=Target.BOTH)
    make_mandate(citizen, agent, matter_codes=[both.code])
    assert authority_check(agent=agent, principal=company.account, act=Act.APPLY, matter=both)
    assert authority_check(agent=agent, principal=citizen, act=Act.APPLY, matter=both)


def test_a_company_acts_through_its_representative_or_its_agents_for_their_matters(
    company, representative, agent, stranger, company_matter, hall
):
    # The legal representative needs no mandate.
    authority = authority_check(agent=representative, principal=company.account, act=Act.APPLY, matter=company_matter)
    assert authority.as_representative and authority.mandate is None
    assert refusal(agent=agent, principal=company.account, act=Act.APPLY, matter=company_matter).code == "no_mandate"
    another = make_matter("C-503", name="公共场所卫生许可", target=Target.ORGANISATION)
    make_mandate(company.account, agent, matter_codes=[company_matter.code])
    assert authority_check(agent=agent, principal=company.account, act=Act.APPLY, matter=company_matter).mandate
    assert refusal(agent=agent, principal=company.account, act=Act.APPLY, matter=another).code == "mandate_out_of_scope"
    # A 经办人 follows every case of the company in their matters, earlier ones included.
    case = case_of(
        company.account, company_matter, hall, "TZ2026120700009", received_at=timezone.now() - dt.timedelta(days=400)
    )
    assert authority_check(agent=agent, principal=company.account, act=Act.COLLECT, case=case)
    assert refusal(agent=stranger, principal=company.account, act=Act.APPLY, matter=company_matter).code == "no_mandate"


def test_only_a_verified_person_acts_for_others(citizen, matter):
    unverified = make_user("unverified", verified=False)
    make_mandate(citizen, unverified, matter_codes=[matter.code])
    assert refusal(agent=unverified, principal=citizen, act=Act.APPLY, matter=matter).code == "agent_not_verified"


def test_a_case_of_someone_else_is_never_in_scope(citizen, other_citizen, agent, matter, hall):
    make_mandate(citizen, agent, matter_codes=[matter.code])
    theirs = case_of(other_citizen, matter, hall, "TZ2026120700005")
    assert refusal(agent=agent, principal=citizen, act=Act.COLLECT, case=theirs).code == "mandate_out_of_scope"


@pytest.mark.parametrize(
    ("setup", "english"),
    [
        ("revoked", "revoked"),
        ("expired", "expired"),
        ("other_matter", "does not cover this matter"),
    ],
)
def test_its_refusals_read_in_english(citizen, agent, matter, other_matter, setup, english):
    today = timezone.localdate()
    fields: dict = {"matter_codes": [matter.code]}
    if setup == "revoked":
        fields |= {"status": MandateStatus.REVOKED, "revoked_at": timezone.now()}
    if setup == "expired":
        fields |= {"valid_from": today - dt.timedelta(days=10), "valid_until": today - dt.timedelta(days=1)}
    make_mandate(citizen, agent, **fields)
    with translation.override("en"):
        refused = refusal(
            agent=agent, principal=citizen, act=Act.APPLY, matter=other_matter if setup == "other_matter" else matter
        )
        assert english in refused.detail, refused.detail
