import pytest


@pytest.mark.django_db
def test_it_describes_the_central_api_in_openapi(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/cases/{case_id}/decide/" in paths
    assert "/api/v1/appointments/" not in paths  # the front's API is not central's
    assert client.get("/api/docs/").status_code == 200
