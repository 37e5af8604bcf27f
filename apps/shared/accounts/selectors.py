"""Reads of accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from govservice.lib import idcard
from govservice.lib.blindindex import blind_index

from .models import Role, User


def id_number_index(value: str) -> str:
    return blind_index(idcard.normalize(value), purpose="id_number")


def verified_citizens() -> QuerySet[User]:
    """Citizen accounts whose phone and identity are proved, active and not frozen (DOMAIN.md §8)."""
    return User.objects.filter(
        role=Role.CITIZEN,
        is_active=True,
        frozen_at__isnull=True,
        phone_verified_at__isnull=False,
        identity_verified_at__isnull=False,
    )


def citizen_verified_by_id_number(id_number: str, *, lock: bool = False) -> User | None:
    """ "The citizen" of an ID number, for every service that finds a person by the ID card (kiosk
    check-in and walk-in, intake, consult, staff booking): only a verified account, so an unverified
    registration of someone else's number never receives that person's ticket or case. At most one
    exists (the user_verified_id_number_unique constraint). ``lock`` takes a row lock (no key update),
    for a caller that must serialise on the person."""
    qs = verified_citizens().filter(id_number_index=id_number_index(id_number))
    if lock:
        qs = qs.select_for_update(no_key=True)
    return qs.first()
