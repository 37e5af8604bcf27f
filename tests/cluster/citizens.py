"""Verified citizens with API tokens, made inside the front site (as seed_demo makes its demo citizens), for
tests that need many of them at once without a PBKDF2 login each:

    manage.py shell -c "from tests.cluster.citizens import main; main(count=12, tag='a1b2c3')"

prints one JSON line: {"tokens": [...], "ids": [...]}.
"""

from __future__ import annotations

import datetime as dt
import json
import random


def main(*, count: int, tag: str) -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from knox.models import AuthToken

    from apps.shared.accounts.models import IdentityProof, Role, User
    from apps.shared.accounts.services import id_number_index, phone_index
    from govservice.lib.idcard import check_char

    rng = random.Random(tag)
    now = timezone.now()
    tokens, ids = [], []
    for i in range(count):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        body = f"110105{birth:%Y%m%d}{rng.randrange(1000):03d}"
        id_number = body + check_char(body)
        phone = f"139{rng.randrange(10**8):08d}"
        user = User(username=f"k_{tag}_{i}", role=Role.CITIZEN, real_name="集群测试", password=make_password(None))
        user.id_number, user.id_number_index = id_number, id_number_index(id_number)
        user.phone, user.phone_index = phone, phone_index(phone)
        user.phone_verified_at = user.identity_verified_at = now
        user.identity_verified_via = IdentityProof.SEED
        user.save()
        _instance, token = AuthToken.objects.create(user=user, expiry=dt.timedelta(hours=2))
        tokens.append(token)
        ids.append(user.pk)
    print(json.dumps({"tokens": tokens, "ids": ids}))
