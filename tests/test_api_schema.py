import pytest


@pytest.mark.django_db
def test_it_describes_the_front_api_in_openapi(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/appointments/",
        "/api/v1/terminal/checkin/",
        "/api/v1/workbench/call-next/",
        "/api/v1/cases/{number}/evaluation/",
    ):
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI comes from our static files, never from a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
