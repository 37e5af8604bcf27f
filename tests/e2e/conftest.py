import pytest

from .servers import clean, drop_database, make_network, make_sites, network_connect, prepare_sites


@pytest.fixture(scope="module")
def sites(tmp_path_factory, django_db_blocker):
    """Front and central as real servers, each with a worker and beat, seeded with the demo data."""
    tmp = tmp_path_factory.mktemp("e2e")
    logs = tmp / "logs"
    logs.mkdir()
    front, central = make_sites(tmp)
    with django_db_blocker.unblock():
        try:
            prepare_sites(front, central)
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


@pytest.fixture(scope="module")
def network(tmp_path_factory, django_db_blocker):
    """The demo's network as real servers (issue 16): the Sub-center's front and the municipal centre's, their
    central, and a partner region's central, each with a worker and beat, seeded as their demo platform.
    Yields (sites by name, the logs folder)."""
    tmp = tmp_path_factory.mktemp("network")
    logs = tmp / "logs"
    logs.mkdir()
    sites = make_network(tmp)
    with django_db_blocker.unblock():
        try:
            prepare_sites(*sites.values())
            network_connect(sites)
            for site in sites.values():
                site.start(logs)
            for site in sites.values():
                site.wait_ready(timeout=120)
            yield sites, logs
        finally:
            for site in sites.values():
                site.stop()
                drop_database(site)
            clean(tmp)
