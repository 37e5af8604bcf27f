"""DOMAIN.md §8, at rest: the ID number and the phone are stored encrypted, a keyed hash (HMAC, not a plain hash
of the number) beside each serves lookup and uniqueness, and one real person holds one verified account."""

from __future__ import annotations

import hashlib

import pytest
from django.db import IntegrityError, connection, transaction

from apps.shared.accounts.models import User
from apps.shared.accounts.services import id_number_index, phone_index
from tests.factories import make_user, valid_id_number

pytestmark = pytest.mark.django_db


def _raw(user: User, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {User._meta.db_table} WHERE id = %s", [user.id])
        return str(cursor.fetchone()[0])


def test_the_id_number_and_the_phone_are_encrypted_at_rest_with_a_keyed_hash_beside_them():
    number = valid_id_number("19800101")
    user = make_user("enc", id_number=number, phone="13912345678")
    assert number not in _raw(user, "id_number") and "13912345678" not in _raw(user, "phone")
    assert User.objects.get(id=user.id).id_number == number  # clear through the model
    index = _raw(user, "id_number_index")
    assert index == id_number_index(number) and number not in index
    # Keyed: not a plain digest anyone could compute from the number.
    assert index not in {hashlib.sha256(number.encode()).hexdigest(), hashlib.md5(number.encode()).hexdigest()}
    assert User.objects.get(phone_index=phone_index("13912345678")) == user


def test_one_verified_account_per_id_number():
    number = valid_id_number("19800102")
    make_user("first", id_number=number)
    with pytest.raises(IntegrityError, match="user_verified_id_number_unique"), transaction.atomic():
        make_user("second", id_number=number)
