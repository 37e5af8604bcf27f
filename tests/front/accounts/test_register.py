import pytest

from apps.shared.accounts.models import User
from govservice.lib.blindindex import blind_index


@pytest.mark.django_db
class TestRegister:
    payload = {"username": "liming", "password": "Tongzhou-2026!", "real_name": "李明", "id_number": "11010519491231002x", "phone": "13812345678"}

    def test_it_registers_a_real_name_citizen_with_encrypted_id(self, api, django_db_blocker):
        response = api(None).post("/api/v1/accounts/register/", self.payload, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["masked_id"] == "110105********002X"
        assert response.json()["masked_phone"] == "138****5678"
        user = User.objects.get(username="liming")
        assert user.id_number == "11010519491231002X"
        assert user.id_number_index == blind_index("11010519491231002X", purpose="id_number")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM accounts_user WHERE username = 'liming'")
            stored_id, stored_phone = cursor.fetchone()
        # Encrypted at rest: the clear digits are nowhere in the row.
        assert "11010519491231002" not in stored_id
        assert "13812345678" not in stored_phone

    @pytest.mark.parametrize("bad", ["110105194912310021", "11010519491331002X", "1101051949123100", "abcdefghijklmnopqr"])
    def test_it_refuses_a_bad_id_number_and_creates_nothing(self, api, bad):
        response = api(None).post("/api/v1/accounts/register/", {**self.payload, "id_number": bad}, format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid_id_number"
        assert "身份证" in body["detail"]
        assert not User.objects.filter(username="liming").exists()

    def test_it_refuses_a_second_account_for_the_same_person(self, api):
        assert api(None).post("/api/v1/accounts/register/", self.payload, format="json").status_code == 201
        again = api(None).post("/api/v1/accounts/register/", {**self.payload, "username": "liming2"}, format="json")
        assert again.status_code == 409
        assert again.json()["code"] == "id_registered"
        assert User.objects.filter(real_name="李明").count() == 1

    def test_it_registers_through_the_page(self, client):
        response = client.post("/register/", {**self.payload, "username": "page_user"})
        assert response.status_code == 302
        assert User.objects.get(username="page_user").is_citizen
