import pytest
from django.utils import timezone

from apps.intake.models import Case, CaseStatus


@pytest.fixture
def case(citizen, hall, matter, clerk):
    return Case.objects.create(
        number="TZ2026112400077", query_password_hash="x", citizen=citizen, matter=matter, hall=hall, clerk=clerk,
        status=CaseStatus.ACCEPTED, accepted_at=timezone.now(), promised_date=timezone.localdate(),
    )



@pytest.mark.django_db
class TestEvaluation:
    def test_it_waits_for_a_decision_before_rating(self, api, citizen, case):
        response = api(citizen).post(f"/api/v1/cases/{case.number}/evaluation/", {"score": 2}, format="json")
        assert response.status_code == 422 and response.json()["code"] == "too_early"

    def test_it_takes_one_rating_per_case_in_range(self, api, citizen, case):
        Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
        assert api(citizen).post(f"/api/v1/cases/{case.number}/evaluation/", {"score": 6}, format="json").status_code == 400
        assert api(citizen).post(f"/api/v1/cases/{case.number}/evaluation/", {"score": 4, "comment": "等太久"}, format="json").status_code == 201
        assert api(citizen).post(f"/api/v1/cases/{case.number}/evaluation/", {"score": 1}, format="json").status_code == 409
        assert case.evaluation.score == 4 and case.evaluation.is_bad
