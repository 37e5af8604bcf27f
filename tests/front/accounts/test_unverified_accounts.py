"""An active citizen account that is not verified (registered before verification existed) reaches only
the verification pages until it proves its phone and identity (issue 12)."""

import pytest
from knox.models import AuthToken

from tests.factories import make_user
from tests.registry_central import PEOPLE

from .conftest import last_code


@pytest.fixture
def legacy(db):
    person = PEOPLE[3]
    return make_user("legacy", real_name=person.name, id_number=person.id_number, phone="13612349999", verified=False)


@pytest.mark.django_db
class TestUnverifiedAccounts:
    def test_it_reaches_nothing_but_verification(self, client, legacy, matter):
        client.force_login(legacy)
        for path in ("/me/", "/", f"/matters/{matter.code}/"):
            response = client.get(path)
            assert response.status_code == 302 and response["Location"] == "/accounts/verify/", path
        api = client.get("/api/v1/cases/")
        assert api.status_code == 403 and api.json()["code"] == "verification_required"
        assert client.get("/accounts/verify/").status_code == 200

    def test_its_token_acts_on_nothing_a_citizen_may_do(self, api, legacy, slot, matter):
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=legacy)[1]}")
        booked = client.post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        assert booked.status_code == 403
        assert not legacy.appointments.exists()

    def test_it_verifies_with_a_code_and_the_registry(self, client, legacy, registry):
        client.force_login(legacy)
        assert client.post("/accounts/verify/", {"consent": "1"}).status_code == 302
        done = client.post("/register/verify/", {"code": last_code("13612349999")})
        assert done.status_code == 302, done.content.decode()
        legacy.refresh_from_db()
        assert legacy.is_real_name_verified
        assert client.get("/me/").status_code == 200
