import pytest
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from tests.registry_central import registry, registry_central  # noqa: F401 - fixtures (a real central, test_shared_licences)


@pytest.fixture
def accepted_case(citizen, hall, matter, clerk, central_peer):
    return Case.objects.create(
        number="TZ2026112400001",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.IN_REVIEW,
        accepted_at=timezone.now(),
    )
