"""Central's side of the remote window: a matter served remotely, the front platform's signed relay, and the
staff of the matter's department (tests/personas_central.py: ``approver`` of 人社局, ``other_approver`` of 民政局)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from apps.central.review.models import ApproverPost
from apps.shared.accounts.models import Role
from govservice.lib import signing
from tests.factories import make_matter, make_user

RELAY = "/api/v1/remote/relay/"
KIOSK = "terminal:7"
# 李明 of the demo registry and tests/central/registry: the registry holds him under this name.
APPLICANT = {"name": "李明", "id_number": "11010519491231002X"}


def relay(client, payload: dict[str, Any] | bytes, *, key_id: str = "k1", secret: str = "test-secret", **extra):
    """A request of the front platform, signed with its key as apps/front/remote/relay.py signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    headers = signing.sign(
        key_id=key_id, secret=secret, method="POST", path=RELAY, message_id=str(uuid.uuid4()), body=body
    )
    return client.post(RELAY, data=body, content_type="application/json", headers=headers, **extra)


def open_payload(matter, *, device: str = KIOSK, consent: bool = True, **changes) -> dict[str, Any]:
    return {
        "op": "open",
        "matter_code": matter.code,
        "hall_code": "TZ",
        "hall_name": "北京城市副中心政务服务中心",
        "device": device,
        "device_label": "1号自助服务终端",
        "ticket_label": "",
        "applicant": APPLICANT,
        "consent": consent,
        **changes,
    }


@pytest.fixture
def remote_matter(department):
    return make_matter("RSJ-REMOTE", department=department, remote_window=True)


@pytest.fixture
def opened(client, platform, remote_matter) -> dict[str, Any]:
    """A session ringing in 人社局's queue, asked for by the kiosk: {"session", "ticket", ...}."""
    answer = relay(client, open_payload(remote_matter))
    assert answer.status_code == 200, answer.content
    return answer.json()


def hall(client, opened: dict[str, Any], op: str, *, device: str = KIOSK, ticket: str | None = None, **fields):
    return relay(
        client,
        {
            "op": op,
            "session": opened["session"],
            "device": device,
            "ticket": opened["ticket"] if ticket is None else ticket,
            **fields,
        },
    )


@pytest.fixture
def colleague(department):
    """A second approver of the same department, to race the first."""
    user = make_user("approver_b", Role.APPROVER, real_name="赵同事")
    ApproverPost.objects.create(user=user, department=department)
    return user


@pytest.fixture
def central_supervisor(db):
    return make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="周主管")


@pytest.fixture
def answered(client, opened, approver) -> dict[str, Any]:
    """The session, answered by ``approver`` (whose page the test client then is)."""
    from apps.central.remote.services import session_answer

    session_answer(staff=approver, session_id=opened["session"])
    client.force_login(approver)
    return opened


def staff_post(client, opened: dict[str, Any], path: str, data: dict[str, Any]):
    return client.post(
        f"/remote/{opened['session']}/{path}/",
        data=json.dumps(data, ensure_ascii=False),
        content_type="application/json",
    )
