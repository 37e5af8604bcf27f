"""The central site's demo data: the same consistent catalog, approvers of two departments, a supervisor,
an administrator and the client platform; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.central.review.management.commands.seed_demo import DEMO_PASSWORD
from apps.central.review.models import ApproverPost
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.models import CaseKind, Department, Material, Matter
from apps.shared.exchange.models import Peer, PeerKey
from apps.shared.exchange.services import secret_for

SEEDED_MODELS = (Department, Matter, Material, User, ApproverPost, Peer, PeerKey)


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
def test_it_loads_the_same_catalog_as_the_front():
    seed()

    assert Department.objects.count() >= 10
    assert Matter.objects.filter(is_current=True).count() >= 64
    for matter in Matter.objects.prefetch_related("materials"):
        assert 2 <= len(matter.materials.all()) <= 6, matter


@pytest.mark.django_db
def test_it_obeys_the_catalog_consistency_rules():
    seed()

    errors = [error for matter in Matter.objects.all() for error in consistency_errors(matter)]

    assert errors == []


@pytest.mark.django_db
def test_it_creates_a_user_for_every_central_role():
    seed()

    users = {user.username: user for user in User.objects.all()}
    assert {user.role for user in users.values()} >= {Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN}
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD), user
    assert users["centralsup"].role == Role.CENTRAL_SUPERVISOR
    assert users["admin"].is_superuser and users["admin"].is_staff


@pytest.mark.django_db
def test_it_posts_the_approver_to_the_department_serving_the_demo_journey():
    seed()

    journey = Matter.objects.get(name="社会保障卡申领", is_current=True)
    approver = User.objects.get(username="approver")
    other = User.objects.get(username="approver2")

    assert approver.role == Role.APPROVER and approver.approver_post.department == journey.department
    assert other.role == Role.APPROVER and other.approver_post.department != journey.department


@pytest.mark.django_db
def test_it_registers_the_client_platform_with_its_key():
    seed()

    peer = Peer.objects.get(code="BJ-TZ")
    assert peer.base_url == "http://127.0.0.1:8000" and peer.active
    assert PeerKey.objects.get(key_id="k1").peer == peer
    assert secret_for("k1") == "dev-exchange-secret"
    # The municipal centre's front is a second client platform with its own key.
    second = Peer.objects.get(code="BJ-SZ")
    assert second.base_url == "http://127.0.0.1:8001" and PeerKey.objects.get(key_id="k-sz").peer == second
    assert secret_for("k-sz") == "dev-exchange-secret-sz"


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
    for username in ("approver", "approver2", "centralsup", "admin"):
        assert username in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_it_refuses_to_run_outside_dev_mode(settings):
    settings.DEV_MODE = False

    with pytest.raises(CommandError):
        seed()

    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_seeds_the_partner_regions_central_with_its_own_matters_and_client():
    output = seed("--platform", "TJ")

    matters = Matter.objects.filter(is_current=True)
    assert matters.count() >= 2 and all(m.code.startswith("12") for m in matters)
    for username in ("approver_tj", "approver_tj2"):
        post = User.objects.get(username=username).approver_post
        assert post.department.code.startswith("120000-") and post.department.matters.exists()
    assert not User.objects.filter(username__in=["approver", "approver2"]).exists()
    assert set(Peer.objects.values_list("code", flat=True)) == {"BJ-TZ"}
    assert secret_for("k-tz-tj") == "dev-exchange-secret-tz-tj" and secret_for("k1") is None
    assert "approver_tj" in output


@pytest.mark.django_db
def test_it_refuses_an_unknown_platform():
    with pytest.raises(CommandError, match="no demo central platform"):
        seed("--platform", "BJ-TZ")
