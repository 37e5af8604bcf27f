"""The deployment image (deploy/Containerfile) built with Debian's podman and every service of deploy/compose.yaml
that runs it started from it, with the compose file's commands and environment (issue 18): the migrate step, a web
node of each site, a worker and a beat of each site, production settings (DEV_MODE=0, behind one proxy), against
fresh databases on the host's PostgreSQL and the host's Redis, checked over real HTTP.

What this machine cannot do, and so is not tested here: pull images from a registry. The base image is made with
debootstrap and the Python packages come from a wheelhouse made on the host (tests/deploy/containers.py says how);
the compose file's postgres, redis and nginx services need images from a registry, so the file is run service by
service on the host's network instead of by podman-compose, and only parsed and cross-checked as a whole
(tests/deploy/test_compose.py).

`make test-image` (also a step of CI after `make test`) installs podman, runc and debootstrap and runs this. It
fails, never skips, where podman cannot run. From nothing (no base image, no wheels, no layers) it takes about
five minutes; with podman's cache, the time of a build of the changed sources and of the start."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from django.conf import settings

from tests.deploy.containers import (
    CACHE,
    Containers,
    build,
    compose,
    ensure_base,
    ensure_wheels,
    podman_problem,
    wait_until,
)
from tests.e2e.servers import Site, create_database, drop_database, free_port, server_dsn

pytestmark = pytest.mark.containers

# Behind the balancer every request arrives as HTTPS (NUM_PROXIES=1 in the compose file).
HTTPS = {"X-Forwarded-Proto": "https"}

# What deploy/cluster.env holds in a deployment: the secrets, and real channels (production refuses the
# development backends that write messages to files).
SECRETS = {
    "DEV_MODE": "0",
    "DEBUG": "0",
    "SECRET_KEY": "image-test-9f3k2m5q8r1t4w7y0b3d6g9j2l5n8p1s4v7x0z3c6f9h",
    "FIELD_ENCRYPTION_KEYS": "Qm4tC2h1aDqV0mZ0xq9vJtq2m3yQeUO0S3o3p9lJd2Y=",
    "BLIND_INDEX_KEY": "image-test-blind-index-key",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "apps.front.notifications.channels.HttpSmsBackend",
    "COURIER_BACKEND": "apps.front.delivery.couriers.HttpCourierBackend",
}
SWEEP = "apps.exchange.tasks.outbox_sweep"  # every 5 s on both sites (apps/shared/exchange/schedule.py)


@dataclass
class Deployment:
    containers: Containers
    sites: dict[str, Site]
    web: dict[str, str] = field(default_factory=dict)  # role -> container
    workers: dict[str, str] = field(default_factory=dict)
    beats: dict[str, str] = field(default_factory=dict)

    def url(self, role: str, path: str) -> str:
        return f"http://127.0.0.1:{self.sites[role].port}{path}"

    def get(self, role: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("headers", HTTPS)
        return requests.get(self.url(role, path), timeout=30, allow_redirects=False, **kwargs)


def service_env(services: dict, name: str, overrides: dict[str, str]) -> dict[str, str]:
    """The compose service's environment (its merge of x-app's), with this host's addresses and the secrets."""
    return {**{k: str(v) for k, v in services[name]["environment"].items()}, **SECRETS, **overrides}


@pytest.fixture(scope="module")
def deployment(request):
    problem = podman_problem()
    if problem:
        pytest.fail(problem, pytrace=False)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def report(line: str) -> None:
        """Shown as it happens, even with pytest capturing output."""
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    timings: dict[str, float] = {}
    log = CACHE / "build.log"
    log.unlink(missing_ok=True)

    def timed(step: str, action):
        start = time.monotonic()
        result = action()
        timings[step] = round(time.monotonic() - start, 1)
        return result

    made_base = timed("base", lambda: ensure_base(log))
    made_wheels = timed("wheels", lambda: ensure_wheels(CACHE / "wheels", log))
    timed("build", lambda: build(log))

    tag = uuid.uuid4().hex[:8]
    sites = {
        role: Site(role=role, port=free_port(), database=f"image_{role}_{tag}", env={}) for role in ("front", "central")
    }
    services = compose()["services"]
    addresses = {
        "DATABASE_URL": server_dsn(sites["front"].database),
        "CENTRAL_DATABASE_URL": server_dsn(sites["central"].database),
        "REDIS_URL": settings.REDIS_URL,
        "CENTRAL_URL": f"http://127.0.0.1:{sites['central'].port}",
    }

    def site_env(service: str, role: str, **more: str) -> dict[str, str]:
        # Its own queue and cache keys: the Redis is shared with whatever else runs on this machine.
        return service_env(
            services,
            service,
            {**addresses, "CELERY_QUEUE": f"image-{role}-{tag}", "CACHE_KEY_PREFIX": f"image:{role}:{tag}", **more},
        )

    containers = Containers(f"cw-image-{tag}")
    deployment = Deployment(containers, sites)
    try:
        for site in sites.values():
            create_database(site)
        migrate = timed(
            "migrate",
            lambda: containers.run_once(
                "migrate", services["migrate"]["command"], site_env("migrate", "front"), timeout=900
            ),
        )
        assert migrate.returncode == 0, (
            f"the compose file's migrate step failed:\n{migrate.stdout[-3000:]}\n{migrate.stderr[-3000:]}"
        )

        def start():
            for role, site in sites.items():
                volume = containers.volume(f"media-{role}")
                env = site_env(
                    role,
                    role,
                    PUBLIC_BASE_URL=f"http://127.0.0.1:{site.port}",
                    BIND=f"127.0.0.1:{site.port}",
                    WEB_CONCURRENCY="2",
                )
                deployment.web[role] = containers.start(
                    role, env, services[role].get("command"), volumes=[f"{volume}:/srv/media"]
                )
                deployment.workers[role] = containers.start(
                    f"{role}-worker",
                    site_env(f"{role}-worker", role),
                    services[f"{role}-worker"]["command"],
                    volumes=[f"{volume}:/srv/media"],
                )
                deployment.beats[role] = containers.start(
                    f"{role}-beat", site_env(f"{role}-beat", role), services[f"{role}-beat"]["command"]
                )
            for role in sites:
                name = deployment.web[role]

                def ready(role=role, name=name):
                    assert containers.running(name), f"the {role} web node stopped:\n{containers.logs(name)[-3000:]}"
                    try:
                        return requests.get(deployment.url(role, "/healthz"), timeout=2).status_code == 200
                    except requests.RequestException:
                        return False

                wait_until(ready, timeout=180, what=f"the {role} web node answering /healthz")

        timed("start", start)
        report(
            f"image test: base {'made' if made_base else 'reused'}, wheels {'fetched' if made_wheels else 'reused'}; "
            + ", ".join(f"{step} {seconds} s" for step, seconds in timings.items())
        )
        (CACHE / "timings.json").write_text(json.dumps({**timings, "made_base": made_base, "made_wheels": made_wheels}))
        yield deployment
    except Exception:
        for name in containers.names:
            report(f"--- podman logs {name} (last lines) ---\n{containers.logs(name)[-2000:]}")
        raise
    finally:
        containers.remove_all()
        for site in sites.values():
            drop_database(site)


def test_the_compose_files_migrate_step_builds_both_databases(deployment):
    for role, own_app in (("front", "intake"), ("central", "review")):
        apps = {app for (app,) in deployment.sites[role].sql("SELECT DISTINCT app FROM django_migrations")}
        assert {"exchange", "accounts", own_app} <= apps, (role, apps)


@pytest.mark.parametrize("role", ["front", "central"])
def test_each_site_is_live_and_ready(deployment, role):
    health = deployment.get(role, "/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "site": role}
    ready = deployment.get(role, "/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["database"]["ok"] and checks["redis"]["ok"], checks


@pytest.mark.parametrize(("role", "path", "title"), [("front", "/", "云窗口"), ("central", "/accounts/login/", "登录")])
def test_each_site_renders_a_page_with_its_static_files_from_the_image(deployment, role, path, title):
    page = deployment.get(role, path)
    assert page.status_code == 200, page.status_code
    assert f"<title>{title}" in page.text
    # Hashed names: the manifest that collectstatic wrote into the image at build time.
    assets = re.findall(r'/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js)', page.text)
    assert assets, "no hashed static file named in the page"
    for asset in assets[:3]:
        served = deployment.get(role, asset, headers={**HTTPS, "Accept-Encoding": "br"})
        assert served.status_code == 200, (asset, served.status_code)
        assert served.headers["Content-Encoding"] == "br", served.headers  # whitenoise's compressed copy
        assert "immutable" in served.headers["Cache-Control"]


@pytest.mark.parametrize("role", ["front", "central"])
def test_production_settings_are_in_force(deployment, role):
    """DEV_MODE=0: plain HTTP from the balancer is sent to HTTPS, except the health checks."""
    page = deployment.get(role, "/accounts/login/", headers={})
    assert page.status_code == 301 and page.headers["Location"].startswith("https://"), page.headers
    assert deployment.get(role, "/healthz", headers={}).status_code == 200


def test_every_process_runs_as_the_sites_own_user(deployment):
    containers = deployment.containers
    for name in [*deployment.web.values(), *deployment.workers.values(), *deployment.beats.values()]:
        assert containers.users(name) == {"cloudwindow"}, name
    whoami = containers.exec(deployment.web["front"], "id", "-un")
    assert whoami.stdout.strip() == "cloudwindow"


@pytest.mark.parametrize("role", ["front", "central"])
def test_the_site_writes_its_uploads_volume(deployment, role):
    """The volume mounted on MEDIA_ROOT takes the owner of the image's /srv/media (deploy/compose.yaml)."""
    probe = f"import os; p = os.path.join(os.environ['MEDIA_ROOT'], 'probe-{role}'); open(p, 'w').write('x'); print(p)"
    for name in (deployment.web[role], deployment.workers[role]):
        result = deployment.containers.exec(name, "python", "-c", probe)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("role", ["front", "central"])
def test_the_worker_answers_and_runs_what_the_beat_sends(deployment, role):
    containers = deployment.containers
    worker, beat = deployment.workers[role], deployment.beats[role]
    node = f"{role}@{worker}"  # the compose file's -n ROLE@%h, the container's host name
    ping = containers.exec(worker, "celery", "-A", "govservice", "inspect", "ping", "-d", node, "--timeout", "10")
    assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr

    def swept() -> bool:
        sent = f"Sending due task exchange-sweep-outbox ({SWEEP})" in containers.logs(beat)
        ran = re.search(rf"Task {re.escape(SWEEP)}\[[0-9a-f-]+\] succeeded", containers.logs(worker))
        return sent and bool(ran)

    try:
        wait_until(swept, timeout=90, what=f"the {role} beat's outbox sweep run by its worker", interval=2)
    except AssertionError as error:
        raise AssertionError(
            f"{error}\nbeat:\n{containers.logs(beat)[-2000:]}\nworker:\n{containers.logs(worker)[-2000:]}"
        ) from None
    assert containers.running(beat) and containers.running(worker)


def test_the_image_holds_the_source_only(deployment):
    """.dockerignore: no checkout state, no secrets, no tests in the build context."""
    listing = deployment.containers.exec(deployment.web["front"], "ls", "-A", "/srv/app")
    names = set(listing.stdout.split())
    assert {"manage.py", "apps", "govservice", "templates", "locale"} <= names, names
    assert not names & {".git", ".venv", "var", ".env", "tests", "bench", "node_modules"}, names
    compiled = deployment.containers.exec(
        deployment.web["front"], "test", "-f", "/srv/app/locale/en/LC_MESSAGES/django.mo"
    )
    assert compiled.returncode == 0, "compilemessages did not run in the build"
