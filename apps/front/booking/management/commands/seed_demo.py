"""Demo data for the front site: the catalog with its guided questions, two halls with window groups and windows, a user for every
front role, a smart terminal per hall, the central peer and its key, and the slots of the booking horizon.
The apps above booking seed their own rows through booking's demo hooks (apps/front/booking/demo.py).

``--platform`` (or DEMO_PLATFORM, set by bin/platform) names the demo platform to load: BJ-TZ, the Sub-center's
(the default: its two halls, its peers — central and the partner region's — and the route of that region's
matters), or BJ-SZ, the municipal centre's (its one hall and central). apps/shared/exchange/demo.py is the
network's table.

Idempotent: every row is found by its natural key (code, username, token hash) and left as it is when it
exists, so a second run changes nothing. Development only: the passwords, tokens and exchange secret
below are public.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.front.booking.demo import demo_logins, demo_seeders
from apps.front.booking.models import GroupMatter, Hall, StaffPost, Window, WindowGroup
from apps.shared.accounts.models import IdentityProof, Role, User
from apps.shared.accounts.services import id_number_index, phone_index
from apps.shared.catalog.models import Matter, Target
from apps.shared.catalog.services import DEMO_PARTNER_CATALOG_PATH, catalog_load_demo
from apps.shared.exchange.demo import (
    DEFAULT_CENTRAL,
    PARTNER_CENTRAL,
    PARTNER_REGION,
    DemoPlatform,
    demo_links,
    demo_peers_describe,
    demo_peers_seed,
    demo_platform,
)
from apps.shared.exchange.models import Route
from apps.shared.exchange.peers import peer, route_errors
from govservice.lib.idcard import check_char
from govservice.lib.workdays import CalendarUnknown

DEMO_PASSWORD = "Demo-2026-pass"  # noqa: S105 - a published demo password, refused outside DEV_MODE


@dataclass(frozen=True)
class DemoHall:
    code: str
    name: str
    address: str
    case_prefix: str
    # (letter, name, window numbers); Window.number is unique within a hall.
    groups: tuple[tuple[str, str, tuple[int, ...]], ...]
    platform: str = "BJ-TZ"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    real_name: str
    id17: str = ""  # the first 17 characters; the check character is computed (GB 11643)
    phone: str = ""
    hall: str = ""
    window: int | None = None
    superuser: bool = False
    platform: str = ""  # "": an account on every demo platform (each has its own users)


HALLS = (
    DemoHall(
        code="TZ",
        name="北京城市副中心政务服务中心",
        address="北京市通州区运河东大街55号",
        case_prefix="TZ",
        groups=(
            ("A", "综合受理", (1, 2, 3, 4)),
            ("B", "社保医保", (5, 6, 7)),
            ("C", "户政出入境", (8, 9, 10)),
            ("D", "企业开办", (11, 12, 13)),
        ),
    ),
    DemoHall(
        code="YS",
        name="通州区永顺镇便民服务中心",
        address="北京市通州区永顺镇永顺南街12号",
        case_prefix="YS",
        groups=(
            ("A", "综合受理", (1, 2)),
            ("B", "社保医保", (3, 4)),
            ("C", "户政", (5, 6)),
        ),
    ),
    DemoHall(
        code="SZ",
        name="北京市政务服务中心",
        address="北京市丰台区西三环南路1号",
        case_prefix="SZ",
        groups=(("A", "综合受理", (1, 2, 3)), ("B", "社保医保", (4, 5))),
        platform="BJ-SZ",
    ),
)

# The big hall serves every matter: enterprise matters at 企业开办, the rest by department.
TZ_GROUP_BY_DEPARTMENT = {
    "110112-RSJ": "B",
    "110112-YBJ": "B",
    "110112-GJJ": "B",
    # The partner region's matters received here on its behalf (京津冀通办) go to the same counters as ours.
    "120000-RSJ": "B",
    "120000-GJJ": "B",
    "110112-GA": "C",
    "110112-SCJGJ": "D",
    "110112-SWJ": "D",
    "110112-JTJ": "D",
    "110112-CGW": "D",
}
TZ_DEFAULT_GROUP = "A"
TZ_ORGANISATION_GROUP = "D"
# A town hall serves only district-level matters for people, of the departments that staff it.
YS_GROUP_BY_DEPARTMENT = {
    "110112-MZJ": "A",
    "110112-WJW": "A",
    "110112-CL": "A",
    "110112-TYJRSWJ": "A",
    "110112-RSJ": "B",
    "110112-YBJ": "B",
    "110112-GA": "C",
}
# The municipal centre's hall: 社保医保 at B, everything else at 综合受理.
SZ_GROUP_BY_DEPARTMENT = {"110112-RSJ": "B", "110112-YBJ": "B", "110112-GJJ": "B"}
SZ_DEFAULT_GROUP = "A"
# Marriage and divorce are registered only at the district marriage registry (婚姻登记处), not in towns.
YS_NOT_OFFERED = frozenset(
    {
        "11011203000000000000-000301-01",  # 结婚登记
        "11011203000000000000-000302-01",  # 离婚登记
        "11011203000000000000-000303-01",  # 补领结婚证、离婚证
    }
)

USERS = (
    DemoUser("citizen", Role.CITIZEN, "张伟", id17="11011219850312041", phone="13811112222"),
    DemoUser("citizen2", Role.CITIZEN, "欧阳晓雯", id17="11010519920718062", phone="13922223333"),
    # Both demo clerks sit at 社保医保 windows, so the demo journey (社会保障卡申领, decided by `approver`) works.
    DemoUser("clerk", Role.CLERK, "李静", hall="TZ", window=5, platform="BJ-TZ"),
    DemoUser("clerk_ys", Role.CLERK, "赵磊", hall="YS", window=3, platform="BJ-TZ"),
    DemoUser("hallsup", Role.HALL_SUPERVISOR, "陈建国", hall="TZ", platform="BJ-TZ"),
    DemoUser("clerk_sz", Role.CLERK, "王芳", hall="SZ", window=4, platform="BJ-SZ"),
    DemoUser("hallsup_sz", Role.HALL_SUPERVISOR, "吴强", hall="SZ", platform="BJ-SZ"),
    DemoUser("admin", Role.ADMIN, "系统管理员", superuser=True),
)


def _url(name: str) -> str:
    try:
        return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name)
    except NoReverseMatch:
        return settings.PUBLIC_BASE_URL


class Command(BaseCommand):
    help = "Load the front site's demo data (idempotent); --logins only prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins", action="store_true", help="print the demo logins and terminal tokens, change nothing"
        )
        parser.add_argument(
            "--platform",
            default=os.environ.get("DEMO_PLATFORM", ""),
            help="the demo front platform: BJ-TZ (default) or BJ-SZ (apps/shared/exchange/demo.py)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV_MODE:
            raise CommandError("seed_demo creates accounts with published passwords; it runs only with DEV_MODE=1.")
        try:
            self.platform = demo_platform(options["platform"], role="front")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.users = [u for u in USERS if u.platform in ("", self.platform.code)]
        if options["logins"]:
            self.print_logins()
            return
        self.created: Counter[str] = Counter()
        with transaction.atomic():
            self.created["matters"] += catalog_load_demo()
            if self.receives_for_partner(self.platform):
                self.created["matters"] += catalog_load_demo(DEMO_PARTNER_CATALOG_PATH)
            halls = {spec.code: self.seed_hall(spec) for spec in HALLS if spec.platform == self.platform.code}
            self.seed_group_matters(halls)
            self.seed_users(halls)
            # The apps above booking (floor, guidance) seed their own rows in these halls.
            for seeder in demo_seeders.receivers():
                self.created.update(seeder(halls=halls))
            self.seed_peers()
        self.seed_slots()
        if self.created.total() == 0:
            self.stdout.write("Demo data already present: nothing changed. 演示数据已存在，未作改动。")
        else:
            summary = ", ".join(f"{name} {count}" for name, count in self.created.items() if count)
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}"))
        self.print_logins()

    def _count(self, name: str, created: bool) -> None:
        self.created[name] += int(created)

    def seed_hall(self, spec: DemoHall) -> Hall:
        hall, created = Hall.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "address": spec.address, "case_prefix": spec.case_prefix}
        )
        self._count("halls", created)
        for letter, name, numbers in spec.groups:
            group, created = WindowGroup.objects.get_or_create(hall=hall, letter=letter, defaults={"name": name})
            self._count("window groups", created)
            for number in numbers:
                _window, created = Window.objects.get_or_create(hall=hall, number=number, defaults={"group": group})
                self._count("windows", created)
        return hall

    def seed_group_matters(self, halls: dict[str, Hall]) -> None:
        groups = {
            (g.hall.code, g.letter): g
            for g in WindowGroup.objects.filter(hall__in=halls.values()).select_related("hall")
        }
        wanted = set()
        for matter in Matter.objects.filter(is_current=True).select_related("department"):
            department = matter.department.code
            if matter.target == Target.ORGANISATION:
                letter = TZ_ORGANISATION_GROUP
            else:
                letter = TZ_GROUP_BY_DEPARTMENT.get(department, TZ_DEFAULT_GROUP)
            if "TZ" in halls:
                wanted.add((groups[("TZ", letter)].pk, matter.code))
            ys_letter = YS_GROUP_BY_DEPARTMENT.get(department)
            if (
                "YS" in halls
                and ys_letter
                and matter.target == Target.PERSON
                and matter.level >= 4
                and matter.code not in YS_NOT_OFFERED
            ):
                wanted.add((groups[("YS", ys_letter)].pk, matter.code))
            if "SZ" in halls:
                wanted.add((groups[("SZ", SZ_GROUP_BY_DEPARTMENT.get(department, SZ_DEFAULT_GROUP))].pk, matter.code))
        existing = set(GroupMatter.objects.filter(group__in=groups.values()).values_list("group_id", "matter_code"))
        missing = sorted(wanted - existing)
        GroupMatter.objects.bulk_create(
            [GroupMatter(group_id=group_id, matter_code=code) for group_id, code in missing]
        )
        self.created["group matters"] += len(missing)

    def seed_users(self, halls: dict[str, Hall]) -> None:
        password_hash = ""
        for spec in self.users:
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User(username=spec.username, role=spec.role, real_name=spec.real_name)
                if spec.id17:
                    user.id_number = spec.id17 + check_char(spec.id17)
                    user.id_number_index = id_number_index(user.id_number)
                if spec.phone:
                    user.phone = spec.phone
                    user.phone_index = phone_index(spec.phone)
                if spec.role == Role.CITIZEN:
                    # The demo citizens are verified, and central's demo registry holds them
                    # (apps/central/registry/demo_people.json, loaded by central's seed_demo).
                    user.phone_verified_at = user.identity_verified_at = timezone.now()
                    user.identity_verified_via = IdentityProof.SEED
                user.is_superuser = spec.superuser
                # Hall supervisors configure their own hall in the admin (apps/front/booking/admin.py).
                user.is_staff = spec.superuser or spec.role == Role.HALL_SUPERVISOR
                # One hash for every demo account: PBKDF2 takes most of a second per call.
                if not password_hash:
                    password_hash = make_password(DEMO_PASSWORD)
                user.password = password_hash
                user.save()
                self._count("users", True)
            if spec.hall:
                hall = halls[spec.hall]
                window = hall.windows.get(number=spec.window) if spec.window else None
                _post, created = StaffPost.objects.get_or_create(user=user, defaults={"hall": hall, "window": window})
                self._count("staff posts", created)

    @staticmethod
    def receives_for_partner(platform: DemoPlatform) -> bool:
        return any(other.code == PARTNER_CENTRAL for other, _link in demo_links(platform.code))

    def seed_peers(self) -> None:
        """This platform's peers with their keys (its centrals, and the other front whose cases of a person it
        lists in the demo's network); where the partner region's central is one of them, the route of that
        region's matters to it (checked as the admin checks it)."""
        self.created.update(demo_peers_seed(self.platform.code, base_urls={DEFAULT_CENTRAL: settings.CENTRAL_URL}))
        if not self.receives_for_partner(self.platform) or Route.objects.filter(region=PARTNER_REGION).exists():
            return
        partner = peer(PARTNER_CENTRAL)
        errors = route_errors(matter_code="", region=PARTNER_REGION, peer=partner)
        if errors:
            raise CommandError(f"demo route {PARTNER_REGION} -> {PARTNER_CENTRAL}: {errors}")
        Route.objects.create(region=PARTNER_REGION, peer=partner, note="京津冀通办：天津市事项由天津审批后台办理")
        self._count("routes", True)

    def seed_slots(self) -> None:
        # TODO(booking): drop this guard once apps.front.booking.services.slots_generate has landed.
        try:
            from apps.front.booking.services import slots_generate
        except ImportError as exc:
            self.stderr.write(self.style.WARNING(f"Slots not generated: slots_generate is not available yet ({exc})."))
            return
        try:
            self.created["slots"] += slots_generate()
        except CalendarUnknown as exc:
            # Fail closed (DOMAIN.md §3): no slots for a year nobody has published.
            self.stderr.write(self.style.WARNING(f"Slots not generated: {exc}"))

    def print_logins(self) -> None:
        site, admin = _url("accounts:login"), _url("admin:index")
        roles = dict(Role.choices)
        self.stdout.write(
            f"\nDemo logins (front platform {self.platform.code}, password {DEMO_PASSWORD} for every account):"
        )
        for spec in self.users:
            where = admin if spec.superuser else site
            post = ""
            if spec.hall:
                post = f"  ({spec.hall} 窗口 {spec.window})" if spec.window else f"  ({spec.hall})"
            self.stdout.write(f"  {spec.username:<10} {DEMO_PASSWORD}  {where:<40} {roles[spec.role]}{post}")
        for logins in demo_logins.receivers():
            for line in logins(url=_url):
                self.stdout.write(line)
        for line in demo_peers_describe(self.platform.code):
            self.stdout.write(line)
