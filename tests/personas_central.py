"""Central-site personas: approvers of two departments, a supervisor, a client platform."""

from __future__ import annotations

import pytest

from apps.central.review.models import ApproverPost
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department
from apps.shared.exchange.models import Peer, PeerKey
from tests.factories import make_matter, make_user


@pytest.fixture
def department(db):
    return Department.objects.create(code="RSJ", name="区人力资源和社会保障局")


@pytest.fixture
def other_department(db):
    return Department.objects.create(code="MZJ", name="区民政局")


@pytest.fixture
def matter(department):
    return make_matter(department=department)


@pytest.fixture
def platform(db):
    peer = Peer.objects.create(code="BJ-TZ", name="北京城市副中心前台", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=peer, key_id="k1", secret="test-secret")
    return peer


@pytest.fixture
def approver(department):
    user = make_user("approver", Role.APPROVER, real_name="钱审批")
    ApproverPost.objects.create(user=user, department=department)
    return user


@pytest.fixture
def other_approver(other_department):
    user = make_user("approver2", Role.APPROVER, real_name="孙审批")
    ApproverPost.objects.create(user=user, department=other_department)
    return user
