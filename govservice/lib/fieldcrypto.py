"""Personal data at rest: the key ring of the encrypted columns and of the uploaded files.

**Keys.** ``FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys of its own, not derived from ``SECRET_KEY``:
rotating the session secret changes nothing here. The first key encrypts, every key decrypts (MultiFernet),
so a key is rotated by putting a new one first, running ``manage.py reencrypt_personal_data`` on each site
(govservice/lib/reencryption.py), and dropping the old one once ``--check`` finds nothing left under it.

**Before these keys** django-fernet-encrypted-fields derived its key from ``SECRET_KEY`` (and
``SECRET_KEY_FALLBACKS``) salted with ``FIELD_ENCRYPTION_SALT``, and files were stored in clear. A database
written then is read with ``FIELD_ENCRYPTION_LEGACY=1``, which adds those derived keys for decryption only and
accepts files without the header below, until the command has re-encrypted everything; then it goes off.

**Columns.** ``EncryptedCharField`` / ``EncryptedTextField`` are the library's fields on this key ring. A value
no key opens is an error naming the column: the library would hand the ciphertext back as if it were the
value, and a form saving it again would encrypt it twice.

**Files.** ``EncryptedFileSystemStorage`` (the default storage, so every ``FileField`` and ``default_storage``;
``objectstorage.EncryptedS3Storage`` the same on S3-compatible object storage, settings ``MEDIA_STORAGE``)
writes each file as ``FILE_HEADER`` and one Fernet token of the whole content, and ``open()`` gives the clear
bytes back: digests, PDFs, the wire and the viewers see what was uploaded, the disk holds no scan of an ID
card. Files are read whole into memory, as the uploads already are (``UPLOAD_MAX_BYTES``, 20 MB).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.dispatch import receiver
from encrypted_fields import fields as library

from govservice.lib.envvars import env_bool, env_fernet_keys
from govservice.lib.knobs import AppConf, Knob

# Public (it is in the repository): development and tests only; refused outside development.
DEVELOPMENT_KEYS = ["uT2SrFJLYa4y6RSvyl2F8rLyOLqBotRw-638oXRvXtE="]

# What an encrypted file starts with; the Fernet token follows. A file without it was stored in clear before.
FILE_HEADER = b"GSENC1\n"


def _keys(name: str, default: list[str]) -> list[str]:
    return env_fernet_keys(name, default, dev_mode=settings.DEV_MODE)


def _legacy(name: str, default: bool) -> bool:
    value = env_bool(name, default)
    if value and not settings.SALT_KEY:
        raise ImproperlyConfigured(
            f"{name}=1 reads data encrypted under the old derived key: set FIELD_ENCRYPTION_SALT too"
        )
    return value


class FieldCryptoConf(AppConf):
    # Fernet keys, comma-separated, newest first: the first encrypts, all decrypt (README, "Keys").
    FIELD_ENCRYPTION_KEYS = Knob(_keys, DEVELOPMENT_KEYS)
    # Also decrypt with the key earlier releases derived from SECRET_KEY and FIELD_ENCRYPTION_SALT, and read
    # files stored in clear: on only from the upgrade until reencrypt_personal_data has run on the site.
    FIELD_ENCRYPTION_LEGACY = Knob(_legacy, False)


field_crypto_conf = FieldCryptoConf()


class UndecryptableError(RuntimeError):
    """Stored personal data that no key of the ring opens (a key dropped too early, or legacy data)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what}: no key of FIELD_ENCRYPTION_KEYS opens it. Data written before those keys existed is read "
            "with FIELD_ENCRYPTION_LEGACY=1 until `manage.py reencrypt_personal_data` has run; a key is dropped "
            "only after `manage.py reencrypt_personal_data --check` finds nothing left under it."
        )


class KeyRing:
    """The first key encrypts; every key decrypts, and so do the legacy keys while they are accepted."""

    def __init__(self, keys: list[str], legacy: list[bytes]) -> None:
        if not keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
        self.primary = Fernet(keys[0])
        others: list[str | bytes] = [*keys[1:], *legacy]
        self.fernet = MultiFernet([self.primary, *(Fernet(key) for key in others)])

    def encrypt(self, clear: bytes) -> bytes:
        return self.primary.encrypt(clear)

    def decrypt(self, token: bytes) -> bytes:
        """The clear bytes; ``InvalidToken`` if no key opens the token."""
        return self.fernet.decrypt(token)

    def is_current(self, token: bytes) -> bool:
        """Whether the first key opens it (nothing to re-encrypt)."""
        try:
            self.primary.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """The same clear bytes under the first key; ``InvalidToken`` if no key opens the token."""
        return self.fernet.rotate(token)


def legacy_keys() -> list[bytes]:
    """The keys django-fernet-encrypted-fields derives from SECRET_KEY (+ fallbacks) and SALT_KEY, computed by
    the library itself so that they are the very keys it encrypted with."""
    keys: list[bytes] = library.EncryptedTextField().keys
    return keys


@functools.cache
def key_ring() -> KeyRing:
    legacy = legacy_keys() if field_crypto_conf.FIELD_ENCRYPTION_LEGACY else []
    return KeyRing(list(field_crypto_conf.FIELD_ENCRYPTION_KEYS), legacy)


# What the ring is made of: the keys, and for the legacy keys what the library derived them from.
RING_SETTINGS = frozenset(
    {"FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_LEGACY", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "SALT_KEY"}
)


@receiver(setting_changed)
def _forget_the_ring(*, setting: str, **kwargs: Any) -> None:
    # Tests change keys with override_settings; the ring (and its PBKDF2-derived legacy keys) is rebuilt.
    if setting in RING_SETTINGS:
        key_ring.cache_clear()


class KeyRingFieldMixin:
    """Before the library's field in the bases: its encryption on this key ring, and strict reading."""

    @property
    def f(self) -> MultiFernet:
        return key_ring().fernet

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.decrypt_stored(value)

    def decrypt_stored(self, value: str) -> str:
        try:
            return key_ring().decrypt(value.encode()).decode()
        except InvalidToken:
            model = getattr(self, "model", None)
            raise UndecryptableError(f"{model._meta.label if model else '?'}.{getattr(self, 'name', '?')}") from None


if TYPE_CHECKING:
    # The library has no type information, so its fields were Any to the type checker; these stay so (typed as
    # the CharField they are, every nullable column would become ``str | None`` in each app that reads one).
    EncryptedCharField: Any
    EncryptedTextField: Any
else:

    class EncryptedCharField(KeyRingFieldMixin, library.EncryptedCharField):
        pass

    class EncryptedTextField(KeyRingFieldMixin, library.EncryptedTextField):
        pass


def file_encrypt(clear: bytes) -> bytes:
    return FILE_HEADER + key_ring().encrypt(clear)


def file_decrypt(stored: bytes, *, name: str) -> bytes:
    if stored.startswith(FILE_HEADER):
        try:
            return key_ring().decrypt(stored[len(FILE_HEADER) :])
        except InvalidToken:
            raise UndecryptableError(f"file {name}") from None
    if field_crypto_conf.FIELD_ENCRYPTION_LEGACY:
        return stored
    raise UndecryptableError(f"file {name} (stored in clear)")


class EncryptedStorageMixin:
    """Encryption over any Django storage: each file written as ``file_encrypt`` of its whole content, clear
    through ``open()``. Put first in the bases, before the storage it encrypts for (a disk, object storage:
    ``govservice/lib/objectstorage.py``)."""

    # django-stubs leaves out _save and _open, the two methods Django's docs say a custom storage implements.
    def _save(self, name: str, content: File) -> str:
        return super()._save(name, ContentFile(file_encrypt(b"".join(content.chunks()))))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            raise ValueError(f"encrypted files are opened to read, in 'rb' mode (not {mode!r})")
        with super()._open(name, "rb") as stored:  # type: ignore[misc]
            return ContentFile(file_decrypt(stored.read(), name=name), name=name)

    def size(self, name: str) -> int:
        # The clear size (what was uploaded), not the token's in the store.
        return self._open(name).size


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    """Files encrypted on the disk (MEDIA_ROOT: a directory every node of a site shares), clear through ``open()``."""
