"""Steps of the citizen's journey over real HTTP, shared by the end-to-end and cross-site browser tests."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import requests

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from apps.front.floor.demo import TERMINALS
from tests.factories import valid_id_number
from tests.journey_helpers import PDF

PASSWORD = "Tongzhou-2026!"
# Generous: a freshly started worker loads the app on its first request, and registering hashes a
# password (PBKDF2, a million rounds) on a small, busy machine.
SLOW = 60


def token(site, username: str, password: str) -> dict[str, str]:
    response = requests.post(
        f"{site.url}/api/v1/auth/token/", data={"username": username, "password": password}, timeout=SLOW
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Token {response.json()['token']}"}


def eventually(check, *, timeout: float = 45, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def sms_code(front, phone: str) -> str:
    """The latest one-time code the front's recording SMS backend sent to ``phone``."""
    path = Path(front.env["SMS_FILE_PATH"])

    def codes():
        if not path.exists():
            return None
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return [
            m.group(1) for line in lines if line["to"] == phone and (m := re.search(r"验证码 (\d{6})", line["text"]))
        ]

    return eventually(codes, timeout=20)[-1]


def sign_up(front, central, *, username: str, real_name: str, id_number: str, phone: str, email: str = "") -> None:
    """Real-name registration over real HTTP: the person is put in central's registry (as the city's
    population data would hold them), registers, and types back the SMS code; the front asks central."""
    people = Path(central.env["VAR_DIR"]) / f"people-{uuid.uuid4().hex[:8]}.json"
    people.parent.mkdir(parents=True, exist_ok=True)
    people.write_text(json.dumps([{"name": real_name, "id_number": id_number}], ensure_ascii=False), encoding="utf-8")
    central.manage("registry_load", str(people))
    started = requests.post(
        f"{front.url}/api/v1/accounts/register/",
        json={
            "username": username,
            "password": PASSWORD,
            "real_name": real_name,
            "id_number": id_number,
            "phone": phone,
            "email": email,
            "consent": True,
        },
        timeout=SLOW,
    )
    assert started.status_code == 202, started.text
    done = requests.post(
        f"{front.url}/api/v1/accounts/register/confirm/",
        json={"registration": started.json()["registration"], "code": sms_code(front, phone)},
        timeout=SLOW,
    )
    assert done.status_code == 201, done.text


def register(front, central, *, real_name: str = "孙丽") -> tuple[str, dict[str, str]]:
    username = f"c_{uuid.uuid4().hex[:10]}"
    sign_up(front, central, username=username, real_name=real_name, id_number=valid_id_number(), phone="13912345678")
    return username, token(front, username, PASSWORD)


def approver_matter(front, central) -> dict:
    """A bookable matter decided by the demo approver's department."""
    department = central.sql(
        "SELECT d.code FROM review_approverpost p JOIN accounts_user u ON u.id = p.user_id "
        "JOIN catalog_department d ON d.id = p.department_id WHERE u.username = 'approver'"
    )[0][0]
    matters = requests.get(
        f"{front.url}/api/v1/matters/", params={"department": department, "limit": 200}, timeout=10
    ).json()["results"]
    return next(m for m in matters if m["bookable"])


# The hall day a slot moved to "in ten minutes" belongs to must hold it, its check-in and its call: from this
# long before local midnight, the journey waits for the new day instead.
BEFORE_MIDNIGHT = 20 * 60


def move_slot_to_now(front, slot_id: int) -> None:
    """Stand in for "the next day came": the booked slot starts in ten minutes, by the database's clock (after
    waiting out local midnight, see wait_out_midnight)."""
    wait_out_midnight(front)
    front.sql(
        "UPDATE booking_slot SET start = now() + interval '10 minutes', \"end\" = now() + interval '40 minutes', "
        "date = (now() AT TIME ZONE 'Asia/Shanghai')::date WHERE id = %s",
        (slot_id,),
    )


def wait_out_midnight(front) -> float:
    """Sleep until just past local midnight (Beijing, by the database's clock, as the slot's move reads it) when
    it is less than BEFORE_MIDNIGHT seconds away: the servers run on the real clock, so a test cannot move
    it as tests/journey_helpers.shift_slot_to_now does in process. Returns the seconds slept (0 nearly
    always: CI runs at any hour)."""
    (left,) = front.sql(
        "SELECT EXTRACT(EPOCH FROM (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 day')"
        " - now() AT TIME ZONE 'Asia/Shanghai')::float8"
    )[0]
    if left >= BEFORE_MIDNIGHT:
        return 0.0
    time.sleep(left + 5)
    return left + 5


def accepted_case(
    front,
    central,
    citizen: dict[str, str],
    *,
    hall_code: str = "TZ",
    clerk_name: str = "clerk",
    matter: dict | None = None,
) -> str:
    """Book at the TZ hall (or ``hall_code``), check in "the next day", get called by `clerk` (or ``clerk_name``)
    and accepted. Returns the case number. The matter: one the demo approver decides, or ``matter``."""
    matter = matter or approver_matter(front, central)
    hall = next(
        h
        for h in requests.get(f"{front.url}/api/v1/matters/{matter['code']}/halls/", timeout=10).json()
        if h["code"] == hall_code
    )
    slot = requests.get(
        f"{front.url}/api/v1/slots/", params={"hall": hall["id"], "matter": matter["code"]}, timeout=10
    ).json()[0]
    booked = requests.post(
        f"{front.url}/api/v1/appointments/",
        json={"slot": slot["id"], "matter": matter["code"]},
        headers=citizen,
        timeout=10,
    )
    assert booked.status_code == 201, booked.text
    move_slot_to_now(front, slot["id"])
    checked_in = requests.post(
        f"{front.url}/api/v1/terminal/checkin/",
        json={"code": booked.json()["code"]},
        headers={"Authorization": f"Terminal {TERMINALS[hall_code][1]}"},
        timeout=10,
    )
    assert checked_in.status_code == 201, checked_in.text
    clerk = token(front, clerk_name, DEMO_PASSWORD)
    ticket = requests.post(f"{front.url}/api/v1/workbench/call-next/", headers=clerk, timeout=10).json()
    detail = requests.get(f"{front.url}/api/v1/matters/{matter['code']}/", timeout=10).json()
    files = {f"material_{m['id']}": (f"scan{m['id']}.pdf", PDF) for m in detail["materials"] if m["required"]}
    accepted = requests.post(
        f"{front.url}/api/v1/workbench/tickets/{ticket['id']}/accept/", files=files, headers=clerk, timeout=20
    )
    assert accepted.status_code == 201, accepted.text
    return accepted.json()["number"]


def central_case(central, approver: dict[str, str], number: str) -> dict | None:
    """The case as the approver's API shows it at central (None until it has arrived)."""
    listing = requests.get(f"{central.url}/api/v1/cases/", headers=approver, timeout=10).json()
    found = next((c for c in listing if c["front_number"] == number), None)
    return (
        requests.get(f"{central.url}/api/v1/cases/{found['id']}/", headers=approver, timeout=10).json()
        if found
        else None
    )


def choose_delivery(front, citizen: dict[str, str], number: str, **choice: str) -> dict:
    """The citizen chooses how to receive the result (pickup / post with an address / electronic)."""
    response = requests.put(f"{front.url}/api/v1/cases/{number}/delivery/", json=choice, headers=citizen, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


# The demo's zero-trip matter applied for fully online (全程网办, issue 15), decided by the demo approver's department.
ONLINE_MATTER = "11011202000000000000-000203-01"  # 失业登记
ONLINE_ANSWERS = {
    "employer": "北京通州某科技有限公司",
    "separation-date": "2026-10-31",
    "reason": "劳动合同期满",
    "seeking-work": True,
}


def page_session(site, username: str, password: str) -> requests.Session:
    """A browser-like session signed in through the login page (for pages such as a document's PDF)."""
    session = requests.Session()
    session.get(f"{site.url}/accounts/login/", timeout=SLOW)
    signed_in = session.post(
        f"{site.url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{site.url}/accounts/login/"},
        timeout=SLOW,
    )
    assert signed_in.status_code == 200 and "sessionid" in session.cookies, signed_in.text[:500]
    return session


def online_application_submitted(front, citizen: dict[str, str]) -> dict:
    """The citizen applies fully online for the demo's zero-trip matter at the TZ hall: the form, the ID card
    uploaded (a new account's vault is empty), e-licence delivery by default, the declaration. Returns the
    submitted application."""
    hall = next(
        h
        for h in requests.get(f"{front.url}/api/v1/matters/{ONLINE_MATTER}/halls/", timeout=10).json()
        if h["code"] == "TZ"
    )
    started = requests.post(
        f"{front.url}/api/v1/online/applications/",
        json={"matter": ONLINE_MATTER, "hall": hall["id"]},
        headers=citizen,
        timeout=SLOW,
    )
    assert started.status_code == 201, started.text
    code = started.json()["code"]
    assert [f["key"] for f in started.json()["form"]] == [
        "employer",
        "separation-date",
        "reason",
        "seeking-work",
        "notes",
    ]
    saved = requests.patch(
        f"{front.url}/api/v1/online/applications/{code}/",
        json={"form_values": ONLINE_ANSWERS},
        headers=citizen,
        timeout=SLOW,
    )
    assert saved.status_code == 200, saved.text
    uploaded = requests.post(
        f"{front.url}/api/v1/online/applications/{code}/files/",
        data={"material": "id-card"},
        files={"file": ("身份证.pdf", PDF, "application/pdf")},
        headers=citizen,
        timeout=SLOW,
    )
    assert uploaded.status_code == 201, uploaded.text
    done = requests.post(
        f"{front.url}/api/v1/online/applications/{code}/submit/",
        json={"declaration": True},
        headers=citizen,
        timeout=SLOW,
    )
    assert done.status_code == 201, done.text
    return done.json()


def central_decides_and_issues(central, number: str) -> None:
    """At central, the demo approver claims the case, passes its review steps, approves and issues the result."""
    case_url = central_decides(central, number)
    approver = token(central, "approver", DEMO_PASSWORD)
    issued = requests.post(f"{case_url}/result/", json={}, headers=approver, timeout=SLOW)
    assert issued.status_code == 200, issued.text


def central_approver(central, username: str, department_code: str, real_name: str) -> None:
    """An approver of one more department at central (the demo seeds two), with the demo password."""
    central.manage(
        "shell",
        "-c",
        "from django.contrib.auth.hashers import make_password\n"
        "from apps.central.review.models import ApproverPost\n"
        "from apps.shared.accounts.models import Role, User\n"
        "from apps.shared.catalog.models import Department\n"
        f"user, _ = User.objects.get_or_create(username={username!r}, defaults=dict(role=Role.APPROVER, real_name={real_name!r}, password=make_password({DEMO_PASSWORD!r})))\n"
        f"ApproverPost.objects.get_or_create(user=user, defaults=dict(department=Department.objects.get(code={department_code!r})))\n",
    )


def central_decides(central, number: str, *, approver_name: str = "approver") -> str:
    """At central, the demo approver (or another, by username) claims the case, passes its review steps and
    approves it. Returns its URL."""
    approver = token(central, approver_name, DEMO_PASSWORD)
    found = eventually(lambda: central_case(central, approver, number))
    case_url = f"{central.url}/api/v1/cases/{found['id']}"
    assert requests.post(f"{case_url}/claim/", headers=approver, timeout=SLOW).status_code == 200
    for _ in range(2):  # 初审, 复审
        assert requests.post(f"{case_url}/pass/", json={}, headers=approver, timeout=SLOW).status_code == 200
    decided = requests.post(
        f"{case_url}/decide/", json={"decision": "approved", "reason": "符合法定条件。"}, headers=approver, timeout=SLOW
    )
    assert decided.status_code == 200, decided.text
    return case_url
