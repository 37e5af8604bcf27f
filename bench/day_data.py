"""The data of a city's peak hour for ``make bench-day`` (bench/day.py), made inside each site:

    SITE_ROLE=front|central DATABASE_URL=… python -m bench.day_data '<spec as JSON>'

prints one JSON line with what the load needs (tokens, codes, ids). The front gets the catalog grown to
``matters`` current matters (catalog_generate, as bench-search and bench-availability load it), ``halls`` halls
(the demo's TZ and YS and clones of TZ's layout: four window groups, thirteen windows, its opening sessions and
the matters it serves, plus a sample of the generated ones), the slots of the booking horizon, a kiosk per hall,
clerks at the first windows of every group with API tokens, verified citizens with ID numbers, phones and API
tokens (three pools: those who book online, those who come in without an appointment, those booked for today),
and today's appointments in one slot per group, which bench/day.py moves to start twenty minutes after the
topology is up. Central gets approvers with tokens for every department whose matters the halls take in.

Development data on a benchmark's own database: the tokens are printed in clear for the load generator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent

KIOSK_TOKEN = "bench-day-kiosk-{code}"  # a benchmark's device token, on its own database
PASSWORD_UNUSABLE = None


def say(message: str) -> None:
    print(f"bench-day ({os.environ.get('SITE_ROLE', '?')}): {message}", file=sys.stderr, flush=True)


def _publish_next_year() -> None:
    """A booking horizon or a promised date running into a year the statutory calendar does not know yet stops
    at its start (fail closed): publish it as plain Monday to Friday, as bench-availability does."""
    from django.utils import timezone

    from apps.shared.workcalendar.models import PublishedYear
    from govservice.lib.workdays import CalendarUnknown, WorkCalendar

    next_year = timezone.localdate().year + 1
    try:
        WorkCalendar().is_workday(dt.date(next_year, 1, 4))
    except CalendarUnknown:
        PublishedYear.objects.get_or_create(year=next_year, defaults={"note": "bench-day: Monday to Friday"})


def _tokens(users: list) -> list[str]:
    """Knox tokens as the API issues them (the digest stored, the token returned), valid for the run."""
    from django.utils import timezone
    from knox.models import AuthToken, get_digest_token
    from knox.settings import CONSTANTS

    from apps.shared.accounts import tokencache

    expiry = timezone.now() + dt.timedelta(hours=12)
    pairs = [get_digest_token() for _ in users]
    AuthToken.objects.bulk_create(
        (
            AuthToken(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH], digest=digest, user_id=user.pk, expiry=expiry)
            for user, (digest, token) in zip(users, pairs, strict=True)
        ),
        batch_size=2000,
    )
    # Shared through Redis as a sign-in shares each token it issues (apps/shared/accounts/tokencache.py).
    tokencache.publish([token[: CONSTANTS.TOKEN_KEY_LENGTH] for _, token in pairs])
    return [token for _, token in pairs]


# --- Front ----------------------------------------------------------------------------------------------


def _clone_halls(count: int, rng: random.Random) -> list:
    """Halls H01… with TZ's layout: its groups, windows, sessions and matters, and a sample of the generated
    matters for people, each at one group."""
    from apps.front.booking.models import GroupMatter, Hall, OpeningSession, Window, WindowGroup
    from apps.shared.catalog.models import Matter, Target

    template = Hall.objects.get(code="TZ")
    groups = list(template.groups.all())
    windows = list(template.windows.all())
    sessions = list(template.sessions.all())
    links = list(GroupMatter.objects.filter(group__hall=template).values_list("group__letter", "matter_code"))
    demo_codes = {code for _, code in links}
    generated = list(
        Matter.objects.filter(is_current=True, bookable=True, target__in=[Target.PERSON, Target.BOTH])
        .exclude(code__in=demo_codes)
        .values_list("code", flat=True)
    )
    halls = []
    for i in range(1, count + 1):
        hall = Hall.objects.create(
            code=f"H{i:02d}", name=f"通州区第{i}便民服务中心", address=f"北京市通州区{i}号", case_prefix=f"H{i:02d}"
        )
        by_letter = {
            g.letter: WindowGroup.objects.create(
                hall=hall, letter=g.letter, name=g.name, people_per_window=g.people_per_window
            )
            for g in groups
        }
        template_letter = {g.id: g.letter for g in groups}
        Window.objects.bulk_create(
            Window(hall=hall, group=by_letter[template_letter[w.group_id]], number=w.number) for w in windows
        )
        OpeningSession.objects.bulk_create(
            OpeningSession(hall=hall, weekday=s.weekday, start=s.start, end=s.end) for s in sessions
        )
        rows = [GroupMatter(group=by_letter[letter], matter_code=code) for letter, code in links]
        letters = sorted(by_letter)
        rows += [
            GroupMatter(group=by_letter[rng.choice(letters)], matter_code=code)
            for code in rng.sample(generated, min(len(generated), 500))
        ]
        GroupMatter.objects.bulk_create(rows, batch_size=5000)
        halls.append(hall)
    return halls


def _citizens(count: int, tag: str, offset: int) -> list:
    """Verified citizens (as registration leaves them) with valid ID numbers and phones, distinct for distinct
    ``offset + i``."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from apps.shared.accounts.models import IdentityProof, Role, User
    from apps.shared.accounts.services import id_number_index, phone_index
    from govservice.lib.idcard import check_char

    now = timezone.now()
    password = make_password(PASSWORD_UNUSABLE)
    users = []
    for i in range(offset, offset + count):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i % 16000)
        body = f"110105{birth:%Y%m%d}{(i // 16000) * 2 + 1:03d}"
        id_number = body + check_char(body)
        phone = f"139{i:08d}"
        user = User(
            username=f"day_{tag}_{i}", role=Role.CITIZEN, real_name="市民" + tag, password=password,
            phone_verified_at=now, identity_verified_at=now, identity_verified_via=IdentityProof.SEED,
        )  # fmt: skip
        user.id_number, user.id_number_index = id_number, id_number_index(id_number)
        user.phone, user.phone_index = phone, phone_index(phone)
        users.append(user)
    return User.objects.bulk_create(users, batch_size=1000)


def _floor_matters(halls: list) -> dict[int, dict[str, list[str]]]:
    """Per hall, per window group letter: the matters its windows take in and hand to the default central (people
    may apply; not the partner region's)."""
    from apps.front.booking.models import GroupMatter
    from apps.shared.catalog.models import Matter, Target
    from apps.shared.exchange.peers import central_for, default_central

    central = default_central()
    links = GroupMatter.objects.filter(group__hall__in=halls).values_list(
        "group__hall_id", "group__letter", "matter_code"
    )
    codes = {code for _, _, code in links}
    eligible = set(
        Matter.objects.filter(code__in=codes, is_current=True, target__in=[Target.PERSON, Target.BOTH]).values_list(
            "code", flat=True
        )
    )
    # The demo's matters only: central knows their catalog (the generated ones exist at the front alone).
    eligible = {
        code for code in eligible if not code.startswith("11011200000000000000-") and central_for(code) == central
    }
    floor: dict[int, dict[str, list[str]]] = {}
    for hall_id, letter, code in links:
        if code in eligible:
            floor.setdefault(hall_id, {}).setdefault(letter, []).append(code)
    return floor


def front(spec: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from apps.front.booking.models import (
        Appointment,
        AppointmentStatus,
        GroupMatter,
        Hall,
        Quota,
        Slot,
        StaffPost,
        WindowGroup,
    )
    from apps.front.booking.services import slots_generate
    from apps.front.floor.models import Terminal
    from apps.shared.accounts.models import Role, User
    from apps.shared.catalog.models import Matter
    from apps.shared.catalog.services import catalog_generate
    from govservice.lib.codes import human_code

    rng = random.Random(spec["seed"])
    started = time.monotonic()
    _publish_next_year()
    with transaction.atomic():
        current = Matter.objects.filter(is_current=True).count()
        made = catalog_generate(matters=max(0, spec["matters"] - current), departments=20, seed=spec["seed"])
        halls = list(Hall.objects.filter(code__in=["TZ", "YS"])) + _clone_halls(spec["halls"] - 2, rng)
    say(f"{current + len(made)} matters, {len(halls)} halls in {time.monotonic() - started:.0f} s")
    slots = slots_generate()
    say(f"{slots} slots")

    floor = _floor_matters(halls)
    with transaction.atomic():
        kiosks = {}
        for hall in halls:
            token = KIOSK_TOKEN.format(code=hall.code)
            Terminal.objects.create(
                hall=hall, name="压测自助终端", token_sha256=hashlib.sha256(token.encode()).hexdigest()
            )
            kiosks[hall.id] = token
        clerks: list[tuple[int, str]] = []  # (hall id, group letter) of each clerk, in token order
        clerk_users = []
        for hall in halls:
            for group in WindowGroup.objects.filter(hall=hall).prefetch_related("windows"):
                if group.letter not in floor.get(hall.id, {}):
                    continue
                for window in list(group.windows.all())[: spec["clerks_per_group"]]:
                    user = User(
                        username=f"day_clerk_{hall.code}_{window.number}",
                        role=Role.CLERK,
                        real_name=f"窗口{window.number}",
                    )
                    user.set_unusable_password()
                    user.save()
                    StaffPost.objects.create(user=user, hall=hall, window=window)
                    clerk_users.append(user)
                    clerks.append((hall.id, group.letter))
        clerk_tokens = _tokens(clerk_users)

        pools: dict[str, list] = {}
        offset = 0
        for pool in ("book", "walkin", "today"):
            pools[pool] = _citizens(spec[f"citizens_{pool}"], pool, offset)
            offset += spec[f"citizens_{pool}"]
        tokens = {pool: _tokens(users) for pool, users in pools.items()}
        ids = {pool: [u.id_number for u in users] for pool, users in pools.items()}

        # Today's appointments: one slot per group with floor matters, full of citizens booked for it; its time is
        # set by bench/day.py when the topology starts (check-in opens 30 minutes before a slot).
        now = timezone.now()
        today = timezone.localdate()
        matters = {
            m.code: m
            for m in Matter.objects.filter(
                is_current=True, code__in={c for g in floor.values() for cs in g.values() for c in cs}
            )
        }
        today_pool = list(zip(pools["today"], tokens["today"], strict=True))
        rng.shuffle(today_pool)
        appointments: dict[int, list[dict[str, str]]] = {}
        today_slots = []
        per_group = spec["today_per_group"]
        for hall in halls:
            for group in WindowGroup.objects.filter(hall=hall):
                codes = floor.get(hall.id, {}).get(group.letter)
                if not codes or len(today_pool) < per_group:
                    continue
                slot = Slot.objects.create(
                    hall=hall, group=group, date=today, start=now + dt.timedelta(days=400), end=now + dt.timedelta(days=400, minutes=30),
                    capacity=per_group, booked=per_group, release_at=now - dt.timedelta(hours=1),
                )  # fmt: skip
                today_slots.append(slot.id)
                rows = []
                for _ in range(per_group):
                    citizen, token = today_pool.pop()
                    matter = matters[rng.choice(codes)]
                    rows.append(
                        Appointment(
                            code=human_code(8),
                            citizen=citizen,
                            matter=matter,
                            matter_code=matter.code,
                            slot=slot,
                            hall=hall,
                            status=AppointmentStatus.BOOKED,
                            quota=Quota.ONLINE,
                            # Booked days ago: the confirmation and the reminders went out then.
                            confirmed_sent_at=now,
                            reminded_day_at=now,
                            reminded_hour_at=now,
                        )
                    )
                    appointments.setdefault(hall.id, []).append(
                        {"code": rows[-1].code, "token": token, "matter": matter.code}
                    )
                Appointment.objects.bulk_create(rows)

    bookable = set(Matter.objects.filter(is_current=True, bookable=True).values_list("code", flat=True))
    pairs = [
        (hall_id, code)
        for hall_id, code in GroupMatter.objects.filter(group__hall__in=halls).values_list(
            "group__hall_id", "matter_code"
        )
        if code in bookable
    ]
    required = {
        code: list(matter.materials.filter(required=True).values_list("id", flat=True))
        for code, matter in matters.items()
    }
    guides = list(Matter.objects.filter(is_current=True).values_list("code", flat=True))
    say(f"loaded in {time.monotonic() - started:.0f} s")
    return {
        "halls": {hall.id: hall.code for hall in halls},
        "kiosks": kiosks,
        "clerks": [{"hall": h, "group": g, "token": t} for (h, g), t in zip(clerks, clerk_tokens, strict=True)],
        "floor": floor,
        "required": required,
        "departments": sorted(
            {m.department.code for m in Matter.objects.filter(code__in=list(matters)).select_related("department")}
        ),
        "citizens": {
            pool: [{"token": t, "id": i} for t, i in zip(tokens[pool], ids[pool], strict=True)]
            for pool in ("book", "walkin")
        },
        "appointments": appointments,
        "today_slots": today_slots,
        "pairs": rng.sample(pairs, min(len(pairs), 20000)),
        "guides": guides,
    }


# --- Central --------------------------------------------------------------------------------------------


def central(spec: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    from apps.central.review.models import ApproverPost
    from apps.shared.accounts.models import Role, User
    from apps.shared.catalog.models import Department

    _publish_next_year()
    approvers: dict[str, list[str]] = {}
    with transaction.atomic():
        for department in Department.objects.filter(code__in=spec["departments"]):
            users = []
            for i in range(spec["approvers_per_department"]):
                user = User(username=f"day_approver_{department.code}_{i}", role=Role.APPROVER, real_name=f"审批{i}")
                user.set_unusable_password()
                user.save()
                ApproverPost.objects.create(user=user, department=department)
                users.append(user)
            approvers[department.code] = _tokens(users)
    missing = set(spec["departments"]) - set(approvers)
    if missing:
        raise RuntimeError(f"central has no department {sorted(missing)}")
    return {"approvers": approvers}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govservice.settings")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    spec = json.loads(sys.argv[1])
    role = os.environ["SITE_ROLE"]
    result = front(spec) if role == "front" else central(spec)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
