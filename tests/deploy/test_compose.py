"""deploy/compose.yaml read as a whole: it parses, and what each service names exists (issue 18).

The file cannot be brought up where the tests run: its postgres, redis and nginx services need images from a
registry, which is out of reach. Its own services — those of the image of deploy/Containerfile — are started one
by one from a real build, with this file's commands and environment, by tests/deploy/test_image.py (`make
test-image`); here, in `make test`, only the file's consistency: volumes, dependencies, the balancer's upstreams
and ports, one beat per site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.deploy.containers import COMPOSE, ROOT, compose

DEPLOY = COMPOSE.parent
REGISTRY_SERVICES = {"postgres", "redis", "balancer"}


def app_services(services: dict) -> dict[str, dict]:
    return {name: service for name, service in services.items() if "build" in service}


def test_it_parses_and_every_service_is_the_image_or_a_registry_one():
    services = compose()["services"]
    apps = app_services(services)
    assert set(services) - set(apps) == REGISTRY_SERVICES
    assert set(apps) == {"front", "central", "front-worker", "central-worker", "front-beat", "central-beat", "migrate"}
    for name, service in apps.items():
        assert (
            DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]
        ).resolve() == ROOT / "deploy" / "Containerfile", name
        assert service["image"] == "cloud-window", name


def test_what_services_name_is_declared_or_on_disk():
    document = compose()
    services = document["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", []):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (DEPLOY / source).exists(), (name, source)
            else:
                assert source in document["volumes"], (name, source)
    # env_file: deploy/cluster.env is the operator's, made from .env.example (never in the repository or the image).
    assert (ROOT / ".env.example").exists()
    assert "deploy/cluster.env" in (ROOT / ".dockerignore").read_text().split()


def test_the_commands_name_the_projects_own_entry_points():
    services = app_services(compose()["services"])
    for name, service in services.items():
        command = service.get("command")
        role = service["environment"].get("SITE_ROLE")
        if name == "migrate":
            assert command[:2] == ["sh", "-c"] and "SITE_ROLE=front python manage.py migrate" in command[2]
            assert "SITE_ROLE=central python manage.py migrate" in command[2]
            assert (ROOT / "manage.py").exists()
            continue
        assert role in ("front", "central") and name.startswith(role), name
        if name == role:
            assert command is None, "a web node runs the image's own command (gunicorn)"
            continue
        assert command[:3] == ["celery", "-A", "govservice"] and (ROOT / "govservice" / "celery.py").exists(), name
        if name.endswith("-worker"):
            assert command[3] == "worker" and command[command.index("-n") + 1] == f"{role}@%h", name
        else:
            assert command[3] == "beat" and command[command.index("--schedule") + 1].startswith("/srv/var/"), name
            assert service["deploy"]["replicas"] == 1, "exactly one beat per site"


def test_the_balancer_reaches_each_sites_nodes_where_they_listen():
    services = compose()["services"]
    nginx = (DEPLOY / "nginx.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\w+) \{ server ([\w:.-]+); \}", nginx))
    assert upstreams == {"front": "front:8000", "central": "central:8000"}  # the image's default BIND, 0.0.0.0:8000
    listens = re.findall(r"listen (\d+);", nginx)
    published = {port.split(":")[0] for port in services["balancer"]["ports"]}
    assert set(listens) == published == {"8000", "8100"}
    assert "8000/readyz" in " ".join(services["front"]["healthcheck"]["test"])
    for role, port in (("front", 8000), ("central", 8100)):
        assert urlsplit(services[role]["environment"]["PUBLIC_BASE_URL"]).port == port
    central_url = urlsplit(services["front-worker"]["environment"]["CENTRAL_URL"])
    assert (central_url.hostname, central_url.port) == ("balancer", 8100)


def test_the_images_web_node_runs_threaded_workers_as_the_procfile_does():
    """The front's thread waits on central during each relayed request of the remote window: the image's web
    command, like the Procfile's, runs gthread workers (WEB_CONCURRENCY of them, THREADS threads each)."""
    [cmd] = [line for line in (ROOT / "deploy" / "Containerfile").read_text().splitlines() if line.startswith("CMD ")]
    assert "--worker-class gthread" in cmd and '--threads \\"${THREADS:-4}\\"' in cmd
    assert '--workers \\"${WEB_CONCURRENCY:-4}\\"' in cmd
    procfile = (ROOT / "Procfile").read_text()
    sites = [line for line in procfile.splitlines() if line.startswith(("front:", "central:"))]
    assert len(sites) == 2 and all("--worker-class gthread" in line for line in sites)
