import pytest

from .servers import clean, create_database, drop_database, make_sites, publish_later_years


@pytest.fixture(scope="module")
def sites(tmp_path_factory, django_db_blocker):
    """Front and central as real servers, each with a worker and beat, seeded with the demo data."""
    tmp = tmp_path_factory.mktemp("e2e")
    logs = tmp / "logs"
    logs.mkdir()
    front, central = make_sites(tmp)
    with django_db_blocker.unblock():
        for site in (front, central):
            create_database(site)
        try:
            for site in (front, central):
                site.manage("migrate", "--no-input")
                site.manage("seed_demo")
                publish_later_years(site)
            # The demo registers the front platform at :8000; point it at this run's port.
            central.sql("UPDATE exchange_peer SET base_url = %s WHERE code = 'BJ-TZ'", (front.url,))
            for site in (front, central):
                site.start(logs)
            for site in (front, central):
                site.wait_ready()
            yield front, central
        finally:
            for site in (front, central):
                site.stop()
                drop_database(site)
            clean(tmp)
