"""Stand-in accounts: a staff member of another site who acted on one of this site's records.

A remote acceptance (远程受理, DOMAIN.md §9) is made by central's staff, but the front's case records its
acceptor (and its documents their issuer, its events their actor) as an account of the front. Rather than a
second way of naming who acted on every one of those records, the front keeps one account per remote staff
member: inactive and without a usable password (it can never sign in), named after the platform and the staff
member's account there, with their real name. The audit trail then names them as it names a clerk."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from .models import Role, User


def staff_stand_in(*, platform: str, username: str, real_name: str) -> User:
    """The stand-in of ``username`` at ``platform`` (made on first use; its name follows the latest)."""
    name = real_name.strip()[:64]
    user, _created = User.objects.get_or_create(
        username=f"{platform}.{username}"[:150],
        defaults={"role": Role.APPROVER, "real_name": name, "is_active": False, "password": make_password(None)},
    )
    if name and user.real_name != name:
        User.objects.filter(id=user.id).update(real_name=name)
        user.real_name = name
    return user
