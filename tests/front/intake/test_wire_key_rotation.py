"""Key rotation with an overlap: both keys verify during it, the newest signs, the old one ends."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.shared.exchange.models import PeerKey
from apps.shared.exchange.services import signing_key
from govservice.lib import signing
from tests.front.intake.test_wire_inbox import decided_body, post_signed


@pytest.fixture
def rotated(monkeypatch, central_peer):
    monkeypatch.setenv("NEW_SECRET", "a-new-secret-of-some-length")
    call_command("exchange_key", peer="central", key_id="k2", secret_env="NEW_SECRET", retire="k1", overlap_hours=24)
    return central_peer


@pytest.mark.django_db
def test_it_signs_with_the_new_key_and_accepts_both_during_the_overlap(client, rotated, accepted_case):
    assert signing_key(rotated).key_id == "k2"
    old_id, new_id = str(uuid.uuid4()), str(uuid.uuid4())
    old = post_signed(client, decided_body(accepted_case.number, old_id), old_id, secret="test-secret", key_id="k1")
    assert old.status_code == 200
    new = post_signed(
        client, decided_body(accepted_case.number, new_id), new_id, secret="a-new-secret-of-some-length", key_id="k2"
    )
    assert new.status_code == 200


@pytest.mark.django_db
def test_it_refuses_the_old_key_after_the_overlap(client, rotated, accepted_case):
    later = timezone.now() + dt.timedelta(hours=25)
    message_id = str(uuid.uuid4())
    with time_machine.travel(later, tick=False):
        response = post_signed(
            client,
            decided_body(accepted_case.number, message_id),
            message_id,
            secret="test-secret",
            key_id="k1",
            now=later.timestamp(),
        )
    # An expired key is refused exactly like a wrong signature (the answer tells nobody which keys exist).
    assert response.status_code == 401 and response.json() == {"code": "bad_signature", "detail": signing.BAD_SIGNATURE}
    accepted_case.refresh_from_db()
    assert accepted_case.status == "in_review"


@pytest.mark.django_db
def test_it_refuses_a_weak_or_duplicate_key(monkeypatch, central_peer):
    monkeypatch.setenv("SHORT", "short")
    with pytest.raises(CommandError):
        call_command("exchange_key", peer="central", key_id="k9", secret_env="SHORT")
    monkeypatch.setenv("OK", "long-enough-secret-value")
    with pytest.raises(CommandError):
        call_command("exchange_key", peer="central", key_id="k1", secret_env="OK")
    assert PeerKey.objects.count() == 1
