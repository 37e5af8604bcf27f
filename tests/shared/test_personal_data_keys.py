"""Personal data at rest has keys of its own (issue 12, the edge, "Keys"): FIELD_ENCRYPTION_KEYS, not a key
derived from SECRET_KEY; the first key encrypts and all decrypt, ``reencrypt_personal_data`` moves everything
under the first one (columns, their audit copies, files), data of earlier releases is read only while
FIELD_ENCRYPTION_LEGACY says so, and uploaded files are encrypted on the disk. SECRET_KEY rotates on its own,
with SECRET_KEY_FALLBACKS keeping sessions and signed values alive."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from encrypted_fields.fields import EncryptedCharField as LibraryEncryptedCharField

from apps.shared.accounts.models import Role, User
from apps.shared.exchange.models import OutboxMessage, Peer, PeerKey
from govservice.lib.fieldcrypto import FILE_HEADER, UndecryptableError
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
K1 = "8rtmnEHlEaPMh7JUCMKKzGmDCIMtxk6tJ05-0zPqFXk="
K2 = "hGQU2PWmR0Tdr4OVv4QWOBFDcy6U-lzv6Qu3EkWvRss="
K3 = "4ZfTt7iC-0jFe7rK4ZoYxBGk2vyVEwA5P0nPsfPhXaA="
ID = "11010519491231002X"
# A scan of an ID card, as far as the bytes on the disk go: the JPEG magic and a recognisable body.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + "居民身份证 王小明 11010519491231002X".encode() + b"\x00" * 64 + b"\xff\xd9"
)


@pytest.fixture(autouse=True)
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    settings.FIELD_ENCRYPTION_LEGACY = False


def stored(model, field: str, pk) -> str:
    """The column as the database holds it."""
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE {model._meta.pk.column} = %s", [pk])
        return cursor.fetchone()[0]


def opens(key: str, token: str | bytes) -> bytes:
    return Fernet(key).decrypt(token.encode() if isinstance(token, str) else token)


def reencrypt(*args: str) -> dict[str, str]:
    """Run the command; its lines by what they count (``accounts.User.id_number`` → ``1 current, …``)."""
    out = io.StringIO()
    call_command("reencrypt_personal_data", *args, stdout=out)
    return dict(line.rsplit(": ", 1) for line in out.getvalue().splitlines())


def counts(current=0, stale=0, rewritten=0, unreadable=0) -> str:
    return f"{current} current, {stale} under an older key, {rewritten} rewritten, {unreadable} unreadable"


def test_it_encrypts_personal_data_with_its_own_key_not_one_derived_from_secret_key():
    user = make_user("keys_citizen", id_number=ID, phone="13912345678")
    raw = stored(User, "id_number", user.pk)
    assert ID not in raw and opens(K1, raw) == ID.encode()
    assert opens(K1, stored(User, "phone", user.pk)) == b"13912345678"


def test_personal_data_still_reads_after_secret_key_rotates(settings):
    user = make_user("keys_citizen", id_number=ID)
    raw = stored(User, "id_number", user.pk)
    settings.SECRET_KEY = "rotated-" + "k" * 50
    settings.SECRET_KEY_FALLBACKS = []
    # A field made now knows only today's settings (the library derived its key from SECRET_KEY when first used).
    fresh = User._meta.get_field("id_number").clone()
    assert fresh.from_db_value(raw, None, connection) == ID
    assert User.objects.get(pk=user.pk).id_number == ID


def test_sessions_and_signed_values_survive_a_secret_key_rotation_with_the_old_key_in_fallbacks(settings):
    admin = make_user("keys_admin", Role.ADMIN, is_staff=True, is_superuser=True)
    kept, dropped = Client(), Client()
    kept.force_login(admin)
    dropped.force_login(admin)
    assert kept.get("/admin/").status_code == 200
    signed = signing.dumps({"case": "TZ2026112400001"}, salt="keys-test")
    old = settings.SECRET_KEY

    settings.SECRET_KEY = "rotated-" + "s" * 50
    settings.SECRET_KEY_FALLBACKS = [old]
    assert kept.get("/admin/").status_code == 200
    assert signing.loads(signed, salt="keys-test") == {"case": "TZ2026112400001"}
    # Without the old key listed, a session made under it is over (the rotation's other half).
    settings.SECRET_KEY_FALLBACKS = []
    assert dropped.get("/admin/").status_code == 302
    with pytest.raises(signing.BadSignature):
        signing.loads(signed, salt="keys-test")


def test_it_reads_the_fallbacks_and_keys_from_the_environment():
    # The settings as a new process reads them (this one's are read already).
    read = "import json, govservice.settings as s; print(json.dumps([s.SECRET_KEY_FALLBACKS, s.STORAGES['default']['BACKEND']]))"
    environment = {**os.environ, "SECRET_KEY_FALLBACKS": "retired-key-one, retired-key-two"}
    done = subprocess.run(
        [sys.executable, "-c", read], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    fallbacks, storage = json.loads(done.stdout)
    assert fallbacks == ["retired-key-one", "retired-key-two"]
    assert storage == "govservice.lib.fieldcrypto.EncryptedFileSystemStorage"


def test_a_new_key_first_and_the_command_move_every_column_under_it(settings):
    first = make_user("keys_first", id_number=ID)
    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    assert User.objects.get(pk=first.pk).id_number == ID  # the old key still decrypts
    second = make_user("keys_second")
    assert opens(K2, stored(User, "id_number", second.pk))  # the new key encrypts

    lines = reencrypt()
    assert lines["accounts.User.id_number"] == counts(current=1, stale=1, rewritten=1)
    assert opens(K2, stored(User, "id_number", first.pk)) == ID.encode()
    settings.FIELD_ENCRYPTION_KEYS = [K2]  # the old key dropped
    assert User.objects.get(pk=first.pk).id_number == ID

    again = reencrypt("--check")
    assert again["accounts.User.id_number"] == counts(current=2)
    assert all(", 0 rewritten," in line for line in again.values())


def test_a_key_dropped_too_early_is_an_error_and_the_command_changes_nothing(settings):
    user = make_user("keys_citizen", id_number=ID)
    raw = stored(User, "id_number", user.pk)
    settings.FIELD_ENCRYPTION_KEYS = [K3]
    # The library handed back the ciphertext as if it were the ID number (and a save encrypted it twice).
    with pytest.raises(UndecryptableError, match=r"accounts\.User\.id_number") as refused:
        User.objects.get(pk=user.pk)
    assert raw not in str(refused.value)
    with pytest.raises(CommandError, match="no key opens"):
        reencrypt()
    assert stored(User, "id_number", user.pk) == raw
    with pytest.raises(CommandError, match="no key opens"):
        reencrypt("--check")


def test_data_of_an_earlier_release_is_read_only_while_legacy_is_on_and_the_command_moves_it(settings):
    user = make_user("keys_citizen", id_number=ID)
    # As django-fernet-encrypted-fields wrote it: under a key derived from SECRET_KEY and FIELD_ENCRYPTION_SALT.
    legacy = LibraryEncryptedCharField(max_length=18).get_prep_value(ID)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET id_number = %s WHERE id = %s", [legacy, user.pk])
    with pytest.raises(UndecryptableError):
        User.objects.get(pk=user.pk)

    settings.FIELD_ENCRYPTION_LEGACY = True
    assert User.objects.get(pk=user.pk).id_number == ID
    assert reencrypt()["accounts.User.id_number"] == counts(stale=1, rewritten=1)
    settings.FIELD_ENCRYPTION_LEGACY = False
    assert User.objects.get(pk=user.pk).id_number == ID
    assert opens(K1, stored(User, "id_number", user.pk)) == ID.encode()


def test_the_command_rewrites_audit_copies_and_wire_keys_without_writing_history(settings):
    peer = Peer.objects.create(code="KEYS-PEER", name="测试平台", base_url="http://127.0.0.1:9")
    key = PeerKey.objects.create(peer=peer, key_id="keys-k1", secret="wire-secret-0123456789")
    message = OutboxMessage.objects.create(
        peer=peer, kind="case.submitted", payload={"applicant": {"id_number": ID}, "n": 1}
    )
    audit = apps.get_model("exchange", "OutboxMessageAudit")
    history = list(audit.objects.filter(pgh_obj_id=message.pk).values_list("pgh_id", flat=True))
    assert history

    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    lines = reencrypt()
    assert lines["exchange.OutboxMessage.payload"] == counts(stale=1, rewritten=1)
    assert lines["exchange.OutboxMessageAudit.payload"] == counts(stale=len(history), rewritten=len(history))
    assert lines["exchange.PeerKey.secret"] == counts(stale=1, rewritten=1)
    # A re-encrypted value is the same value: no history row for it.
    assert list(audit.objects.filter(pgh_obj_id=message.pk).values_list("pgh_id", flat=True)) == history
    for pk in history:
        assert b"11010519491231002X" in opens(K2, stored(audit, "payload", pk))
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    assert OutboxMessage.objects.get(pk=message.pk).payload == {"applicant": {"id_number": ID}, "n": 1}
    assert PeerKey.objects.get(pk=key.pk).secret == "wire-secret-0123456789"


def test_uploaded_files_are_encrypted_on_the_disk_and_clear_through_the_storage():
    name = default_storage.save("vault/2026/11/id-card.jpg", ContentFile(JPEG))
    on_disk = Path(default_storage.path(name)).read_bytes()
    assert not on_disk.startswith(b"\xff\xd8\xff") and "王小明".encode() not in on_disk and b"JFIF" not in on_disk
    assert on_disk.startswith(FILE_HEADER) and opens(K1, on_disk[len(FILE_HEADER) :]) == JPEG
    with default_storage.open(name) as fh:
        assert fh.read() == JPEG
    assert default_storage.size(name) == len(JPEG)


def test_files_move_to_a_new_key_and_clear_files_of_an_earlier_release_are_encrypted(settings):
    encrypted = default_storage.save("cases/2026/11/scan.jpg", ContentFile(JPEG))
    clear = Path(settings.MEDIA_ROOT) / "review" / "2026" / "11" / "old.jpg"  # as stored before this release
    clear.parent.mkdir(parents=True)
    clear.write_bytes(JPEG)
    with pytest.raises(UndecryptableError, match="stored in clear"):
        default_storage.open("review/2026/11/old.jpg")

    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    settings.FIELD_ENCRYPTION_LEGACY = True
    assert default_storage.open("review/2026/11/old.jpg").read() == JPEG
    lines = reencrypt()
    assert lines[f"files {settings.MEDIA_ROOT}"] == counts(stale=2, rewritten=2)

    settings.FIELD_ENCRYPTION_KEYS = [K2]
    settings.FIELD_ENCRYPTION_LEGACY = False
    for name in (encrypted, "review/2026/11/old.jpg"):
        on_disk = Path(default_storage.path(name)).read_bytes()
        assert opens(K2, on_disk[len(FILE_HEADER) :]) == JPEG
        assert default_storage.open(name).read() == JPEG
    assert reencrypt()[f"files {settings.MEDIA_ROOT}"] == counts(current=2)
    assert sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == ["old.jpg", "scan.jpg"]
