import pytest


@pytest.mark.django_db
def test_it_describes_the_front_api_in_openapi(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/appointments/", "/api/v1/terminal/checkin/", "/api/v1/workbench/call-next/", "/api/v1/cases/{number}/evaluation/"):
        assert path in paths
    assert client.get("/api/docs/").status_code == 200
