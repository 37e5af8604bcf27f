"""The front site's demo data: a realistic and consistent catalog, two halls, a user for every front role,
terminals and the central peer; a second run changes nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from apps.front.booking.models import GroupMatter, Hall, Slot, StaffPost, Window, WindowGroup
from apps.front.floor.demo import TABLETS, TERMINALS
from apps.front.floor.models import Terminal
from apps.front.floor.services import terminal_authenticate
from apps.front.guidance.models import Question
from apps.shared.accounts.models import Role, User
from apps.shared.accounts.services import id_number_index, phone_index
from apps.shared.catalog.models import CaseKind, Department, Material, MaterialSource, Matter
from apps.shared.exchange.models import Peer, PeerKey, Route
from apps.shared.exchange.peers import central_for
from apps.shared.exchange.services import secret_for
from govservice.lib import idcard

# GB 32100-2015: 18 characters from a 31-character alphabet (no I, O, S, V, Z).
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
SEEDED_MODELS = (
    Question,
    Department,
    Matter,
    Material,
    Hall,
    WindowGroup,
    Window,
    GroupMatter,
    User,
    StaffPost,
    Terminal,
    Peer,
    PeerKey,
    Slot,
)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def consistency_errors(matter: Matter) -> list[str]:
    """The catalogue checker's rules (DOMAIN.md §2)."""
    errors = []
    if matter.promised_days > matter.legal_days:
        errors.append("promised time exceeds the legal time")
    if (matter.case_kind == CaseKind.INSTANT) != (matter.promised_days == 0):
        errors.append("即办件 if and only if the promise is on the spot")
    if matter.trips > 0 and not matter.trips_reason.strip():
        errors.append("trips without a reason")
    if matter.charged and not matter.fee_description.strip():
        errors.append("charged without fee items")
    if matter.online_depth == 4 and matter.trips != 0:
        errors.append("fully online but trips to the hall")
    # The model has no mail-in channel, so zero trips is allowed only when fully online.
    if matter.trips == 0 and matter.online_depth != 4:
        errors.append("zero trips, not fully online, and no mail-in")
    return [f"{matter.code} {matter.name}: {error}" for error in errors]


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in SEEDED_MODELS}


@pytest.mark.django_db
def test_it_loads_a_catalog_of_many_departments_and_matters():
    seed()

    assert Department.objects.count() >= 10
    assert Matter.objects.filter(is_current=True).count() >= 64
    for department in Department.objects.all():
        assert CREDIT_CODE.match(department.credit_code), department
        assert department.matters.exists(), department
    assert Matter.objects.filter(name="社会保障卡申领", keywords__contains="社保卡").exists()
    # 智能导办: the demo matters that have guided questions get them with the catalog.
    card = Matter.objects.get(name="社会保障卡申领", is_current=True)
    assert Question.objects.filter(matter_code=card.code).count() >= 2


@pytest.mark.django_db
def test_it_obeys_the_catalog_consistency_rules():
    seed()

    errors = [error for matter in Matter.objects.all() for error in consistency_errors(matter)]

    assert errors == []


@pytest.mark.django_db
def test_it_gives_every_matter_two_to_six_written_out_materials():
    seed()

    for matter in Matter.objects.prefetch_related("materials"):
        materials = list(matter.materials.all())
        assert 2 <= len(materials) <= 6, matter
        assert [m.position for m in materials] == list(range(1, len(materials) + 1))
        for material in materials:
            if material.source == MaterialSource.GOVERNMENT:
                assert material.issuer, material


@pytest.mark.django_db
def test_it_creates_two_halls_with_window_groups_and_windows():
    seed()

    halls = {hall.code: hall for hall in Hall.objects.all()}
    assert set(halls) == {"TZ", "YS"}
    assert halls["TZ"].case_prefix == "TZ" and "通州区" in halls["TZ"].address
    assert halls["YS"].case_prefix == "YS"
    for hall in halls.values():
        groups = list(hall.groups.all())
        assert 3 <= len(groups) <= 4
        for group in groups:
            assert 2 <= group.windows.filter(hall=hall).count() <= 4, group
        assert hall.windows.count() == sum(group.windows.count() for group in groups)


@pytest.mark.django_db
def test_it_serves_every_bookable_matter_in_the_big_hall_and_a_subset_in_the_town():
    seed()

    bookable = set(Matter.objects.filter(is_current=True, bookable=True).values_list("code", flat=True))
    tz = set(GroupMatter.objects.filter(group__hall__code="TZ").values_list("matter_code", flat=True))
    ys = set(GroupMatter.objects.filter(group__hall__code="YS").values_list("matter_code", flat=True))

    assert bookable <= tz
    assert ys and ys < tz
    assert not Matter.objects.filter(code__in=ys, name="结婚登记").exists()


@pytest.mark.django_db
def test_it_creates_a_user_for_every_front_role():
    seed()

    users = {user.username: user for user in User.objects.all()}
    assert {user.role for user in users.values()} >= {Role.CITIZEN, Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN}
    for user in users.values():
        if user.role == Role.COMPANY:
            # A legal person's account: nobody signs in with it (its people act for it, apps/front/mandates).
            assert not user.has_usable_password(), user
            continue
        assert user.check_password(DEMO_PASSWORD), user
    for name in ("citizen", "citizen2"):
        citizen = users[name]
        assert citizen.role == Role.CITIZEN and citizen.real_name
        assert idcard.is_valid(citizen.id_number)
        assert citizen.id_number_index == id_number_index(citizen.id_number)
        assert citizen.phone_index == phone_index(citizen.phone)
    assert users["citizen"].id_number != users["citizen2"].id_number
    assert (users["clerk"].post.hall.code, users["clerk"].post.window.number) == ("TZ", 5)
    assert users["clerk"].post.window.group.name == "社保医保"
    assert users["clerk_ys"].post.hall.code == "YS" and users["clerk_ys"].post.window is not None
    assert users["hallsup"].role == Role.HALL_SUPERVISOR and users["hallsup"].post.hall.code == "TZ"
    assert users["admin"].is_superuser and users["admin"].is_staff


@pytest.mark.django_db
def test_it_registers_a_terminal_per_hall_and_the_central_peer(settings):
    seed()

    for hall_code, (_name, token) in TERMINALS.items():
        terminal = terminal_authenticate(token)
        if hall_code == "SZ":  # the other demo platform's hall
            assert terminal is None
            continue
        assert terminal is not None and terminal.hall.code == hall_code and terminal.window is None
    for hall_code, number, _name, token in TABLETS:
        tablet = terminal_authenticate(token, tablet=True)
        assert tablet is not None and (tablet.hall.code, tablet.window.number) == (hall_code, number)
    peer = Peer.objects.get(code="central")
    assert peer.base_url == settings.CENTRAL_URL
    assert PeerKey.objects.get(key_id="k1").peer == peer
    assert secret_for("k1") == "dev-exchange-secret"
    # The municipal centre's front, asked for a person's cases there (make run NETWORK=1), on its own link key.
    other = Peer.objects.get(code="BJ-SZ")
    assert other.base_url == "http://127.0.0.1:8001" and PeerKey.objects.get(key_id="k-tz-sz").peer == other


@pytest.mark.django_db
def test_it_changes_nothing_on_a_second_run():
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "nothing changed" in output


@pytest.mark.django_db
def test_it_prints_the_logins_without_touching_data():
    output = seed("--logins")

    assert not User.objects.exists() and not Matter.objects.exists()
    for username in ("citizen", "citizen2", "clerk", "clerk_ys", "hallsup", "admin"):
        assert username in output
    assert DEMO_PASSWORD in output
    assert all(token in output for _name, token in TERMINALS.values())
    assert all(token in output for *_where, token in TABLETS)


@pytest.mark.django_db
def test_it_refuses_to_run_outside_dev_mode(settings):
    settings.DEV_MODE = False

    with pytest.raises(CommandError):
        seed()

    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_registers_the_partner_central_and_routes_its_region_there():
    seed()

    partner = Peer.objects.get(code="TJ")
    assert secret_for("k-tz-tj") == "dev-exchange-secret-tz-tj"
    route = Route.objects.get(region="12")
    assert route.peer == partner
    tianjin = Matter.objects.filter(code__startswith="12", is_current=True)
    assert tianjin.count() >= 2 and all(m.receiving_halls == ["TZ"] for m in tianjin)
    assert central_for(tianjin[0].code) == partner
    assert central_for(Matter.objects.filter(code__startswith="11").first().code).code == "central"


@pytest.mark.django_db
def test_it_seeds_the_municipal_centre_as_another_platform(settings):
    output = seed("--platform", "BJ-SZ")

    assert set(Hall.objects.values_list("code", flat=True)) == {"SZ"}
    assert User.objects.get(username="clerk_sz").post.hall.code == "SZ"
    assert not User.objects.filter(username__in=["clerk", "clerk_ys", "hallsup"]).exists()
    # Its central, and the Sub-center's front, whose cases of a person it lists beside its own (its own link key).
    assert set(Peer.objects.values_list("code", flat=True)) == {"central", "BJ-TZ"}
    assert secret_for("k-sz") == "dev-exchange-secret-sz" and secret_for("k1") is None
    assert PeerKey.objects.get(key_id="k-tz-sz").peer.code == "BJ-TZ"
    assert not Route.objects.exists() and not Matter.objects.filter(code__startswith="12").exists()
    assert GroupMatter.objects.filter(group__hall__code="SZ").count() == Matter.objects.filter(is_current=True).count()
    assert "clerk_sz" in output and "k-sz" in output


@pytest.mark.django_db
def test_it_refuses_an_unknown_platform():
    with pytest.raises(CommandError, match="no demo front platform"):
        seed("--platform", "TJ")

    assert not User.objects.exists()
