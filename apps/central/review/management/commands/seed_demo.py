"""Demo data for the central back office: the catalog, approvers of two departments, a supervisor, an
administrator, and the client platforms (the Sub-center's front and the municipal centre's) with their keys.

``--platform`` (or DEMO_PLATFORM, set by bin/platform) names the demo central to load: ``central`` (the default)
or TJ, the partner region's back office (its own few matters, approvers and client platform; no registry).
apps/shared/exchange/demo.py is the network's table.

Idempotent: every row is found by its natural key (code, username, key id) and left as it is when it
exists, so a second run changes nothing. Development only: the passwords and exchange secret below are
public.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from apps.central.licences.demo import licences_seed_demo
from apps.central.registry.models import RegistryCompany, RegistryPerson
from apps.central.registry.services import read_company_rows, read_rows, registry_load, registry_load_companies
from apps.central.review.models import ApproverPost
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import Department, Matter
from apps.shared.catalog.services import DEMO_CATALOG_PATH, DEMO_PARTNER_CATALOG_PATH, catalog_load_demo
from apps.shared.exchange.demo import (
    DEFAULT_FRONT,
    PARTNER_CENTRAL,
    demo_peers_describe,
    demo_peers_seed,
    demo_platform,
)
from apps.shared.exchange.models import Peer

DEMO_PASSWORD = "Demo-2026-pass"  # noqa: S105 - a published demo password, refused outside DEV_MODE

# The matter whose department the first approver works for: the demo journey books it.
DEMO_JOURNEY_MATTER = "社会保障卡申领"
OTHER_DEPARTMENT = "110112-MZJ"  # 民政局


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    real_name: str
    department: str = ""  # a department code, or JOURNEY for the one serving DEMO_JOURNEY_MATTER
    superuser: bool = False
    platform: str = ""  # "": every demo central (each has its own users); else that central's code


JOURNEY = "journey"
USERS = (
    DemoUser("approver", Role.APPROVER, "刘洋", department=JOURNEY, platform="central"),
    DemoUser("approver2", Role.APPROVER, "孙丽", department=OTHER_DEPARTMENT, platform="central"),
    # The partner region's back office (天津): one approver for each of its demo departments.
    DemoUser("approver_tj", Role.APPROVER, "高峰", department="120000-GJJ", platform=PARTNER_CENTRAL),
    DemoUser("approver_tj2", Role.APPROVER, "郑洁", department="120000-RSJ", platform=PARTNER_CENTRAL),
    DemoUser("centralsup", Role.CENTRAL_SUPERVISOR, "周敏"),
    DemoUser("admin", Role.ADMIN, "系统管理员", superuser=True),
)

# The population registry's demo people (the front's demo citizens among them).
DEMO_REGISTRY = Path(__file__).resolve().parents[3] / "registry" / "demo_people.json"
# The register of legal persons: the front's demo company among them.
DEMO_COMPANIES = Path(__file__).resolve().parents[3] / "registry" / "demo_companies.json"


def _url(name: str) -> str:
    try:
        return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name)
    except NoReverseMatch:
        return settings.PUBLIC_BASE_URL


class Command(BaseCommand):
    help = "Load the central site's demo data (idempotent); --logins only prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--logins", action="store_true", help="print the demo logins, change nothing")
        parser.add_argument(
            "--platform",
            default=os.environ.get("DEMO_PLATFORM", ""),
            help="the demo central: central (default) or TJ (apps/shared/exchange/demo.py)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV_MODE:
            raise CommandError("seed_demo creates accounts with published passwords; it runs only with DEV_MODE=1.")
        try:
            self.platform = demo_platform(options["platform"], role="central")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.users = [u for u in USERS if u.platform in ("", self.platform.code)]
        partner = self.platform.code == PARTNER_CENTRAL
        if options["logins"]:
            self.print_logins()
            return
        self.created: Counter[str] = Counter()
        with transaction.atomic():
            self.created["matters"] += catalog_load_demo(DEMO_PARTNER_CATALOG_PATH if partner else DEMO_CATALOG_PATH)
            self.seed_users()
            self.created.update(demo_peers_seed(self.platform.code))
            if not partner:  # the registries and the licence library are the fronts' own central's
                self.seed_registry()
                self.created["licence library"] += licences_seed_demo(platform=Peer.objects.get(code=DEFAULT_FRONT))
        if self.created.total() == 0:
            self.stdout.write("Demo data already present: nothing changed. 演示数据已存在，未作改动。")
        else:
            summary = ", ".join(f"{name} {count}" for name, count in self.created.items() if count)
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}"))
        self.print_logins()

    def _department(self, key: str) -> Department:
        if key == JOURNEY:
            return Matter.objects.select_related("department").get(name=DEMO_JOURNEY_MATTER, is_current=True).department
        return Department.objects.get(code=key)

    def seed_users(self) -> None:
        password_hash = ""
        for spec in self.users:
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User(username=spec.username, role=spec.role, real_name=spec.real_name)
                user.is_superuser = user.is_staff = spec.superuser
                # One hash for every demo account: PBKDF2 takes most of a second per call.
                if not password_hash:
                    password_hash = make_password(DEMO_PASSWORD)
                user.password = password_hash
                user.save()
                self.created["users"] += 1
            if spec.department:
                _post, created = ApproverPost.objects.get_or_create(
                    user=user, defaults={"department": self._department(spec.department)}
                )
                self.created["approver posts"] += int(created)

    def seed_registry(self) -> None:
        """The demo citizens of the front (and two people to try registering with) in the population
        registry, so that the demo's registration is checked for real."""
        before = RegistryPerson.objects.count()
        registry_load(read_rows(DEMO_REGISTRY))
        self.created["registry people"] += RegistryPerson.objects.count() - before
        before = RegistryCompany.objects.count()
        registry_load_companies(read_company_rows(DEMO_COMPANIES))
        self.created["registry companies"] += RegistryCompany.objects.count() - before

    def print_logins(self) -> None:
        site, admin = _url("accounts:login"), _url("admin:index")
        roles = dict(Role.choices)
        self.stdout.write(
            f"\nDemo logins (central platform {self.platform.code}, password {DEMO_PASSWORD} for every account):"
        )
        for spec in self.users:
            where = admin if spec.superuser else site
            self.stdout.write(f"  {spec.username:<10} {DEMO_PASSWORD}  {where:<40} {roles[spec.role]}")
        for line in demo_peers_describe(self.platform.code):
            self.stdout.write(line)
