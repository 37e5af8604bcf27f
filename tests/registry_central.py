"""A real central for the front's real-name tests: central's web server (gunicorn, no worker) on its own
fresh database, seeded with the demo (the BJ-TZ platform and its key, the demo registry) plus the people
below. The front under test asks it over real HTTP, signed with the demo key, as the demo does.

Import the fixtures into a test module or conftest: ``from tests.registry_central import registry, registry_central``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

import pytest

from apps.shared.exchange.conf import exchange_conf
from apps.shared.exchange.models import Peer, PeerKey
from govservice.lib.idcard import check_char
from tests.e2e.servers import BIN, ROOT, Site, clean, create_database, drop_database, make_sites, migrated_template

# The demo key (apps/central/review/management/commands/seed_demo.py and the front's seed).
KEY_ID, SECRET = "k1", "dev-exchange-secret"


def _id(body17: str) -> str:
    return body17 + check_char(body17)


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str


# People in the registry beside the demo's (李明 11010519491231002X, 王芳 440524188001010014, …).
LI_MING = Person("李明", "11010519491231002X")
WANG_FANG = Person("王芳", "440524188001010014")
PEOPLE = [Person(f"测试{n}号", _id(f"11010519800101{n:03d}")) for n in range(1, 13)]


@dataclass
class RegistryCentral:
    site: Site

    @property
    def url(self) -> str:
        return self.site.url

    def queries(self) -> list[tuple]:
        """What central recorded: (platform code, purpose, matched), oldest first."""
        return self.site.sql(
            "SELECT p.code, q.purpose, q.matched FROM registry_registryquery q JOIN exchange_peer p ON p.id = q.peer_id ORDER BY q.id"
        )


@pytest.fixture(scope="session")
def registry_central(tmp_path_factory, django_db_blocker):
    tmp = tmp_path_factory.mktemp("registry-central")
    (tmp / "logs").mkdir()
    _front, central = make_sites(tmp)
    people = tmp / "people.json"
    people.write_text(json.dumps([{"name": p.name, "id_number": p.id_number} for p in PEOPLE], ensure_ascii=False))
    with django_db_blocker.unblock():
        create_database(central, like=migrated_template(central.role, central.env))
        try:
            central.manage("seed_demo")
            central.manage("registry_load", str(people))
            log = open(tmp / "logs" / "central-web.log", "w")  # noqa: SIM115 - closed with the process
            central.procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "govservice.wsgi",
                        "-b",
                        f"127.0.0.1:{central.port}",
                        "-w",
                        "2",
                        "--timeout",
                        "60",
                    ],
                    cwd=ROOT,
                    env=central.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            central.wait_ready()
            yield RegistryCentral(central)
        finally:
            central.stop()
            drop_database(central)
            clean(tmp)


@pytest.fixture
def registry(db, registry_central, settings):
    """The front's side: the central peer at the live central, with the demo key."""
    peer, _ = Peer.objects.update_or_create(
        code=exchange_conf.EXCHANGE_CENTRAL_PEER, defaults={"name": "审批总后台", "base_url": registry_central.url}
    )
    PeerKey.objects.update_or_create(key_id=KEY_ID, defaults={"peer": peer, "secret": SECRET})
    settings.REGISTRY_URL = ""
    return registry_central
