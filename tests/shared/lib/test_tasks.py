"""enqueue_on_commit (govservice/lib/tasks.py): a task starts after the commit, never on a rollback."""

import pytest
from django.db import transaction

from govservice.lib.tasks import TaskKick, enqueue_on_commit


class FakeTask:
    name = "tests.fake"

    def __init__(self, broken=False):
        self.calls = []
        self.broken = broken

    def delay(self, *args):
        if self.broken:
            raise ConnectionError("broker down")
        self.calls.append(args)


@pytest.mark.django_db(transaction=True)
def test_it_queues_only_after_the_commit():
    task = FakeTask()
    with transaction.atomic():
        kick = enqueue_on_commit(task, 7, "x")
        assert task.calls == []  # never inside the transaction
    assert task.calls == [(7, "x")]
    assert isinstance(kick, TaskKick) and kick.task is task and kick.args == (7, "x")


@pytest.mark.django_db(transaction=True)
def test_it_queues_nothing_when_the_transaction_rolls_back():
    task = FakeTask()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(task, 7)
        raise RuntimeError("the change fails")
    # A nested block that rolls back drops its kick; the outer commit queues only its own.
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(task, 8)
            raise RuntimeError("the inner change fails")
        enqueue_on_commit(task, 9)
    assert task.calls == [(9,)]


@pytest.mark.django_db(transaction=True)
def test_it_queues_at_once_outside_a_transaction():
    task = FakeTask()
    enqueue_on_commit(task, 1)
    assert task.calls == [(1,)]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_does_not_fail_the_commit(caplog):
    task = FakeTask(broken=True)
    with transaction.atomic():
        enqueue_on_commit(task, 3)
    assert "tests.fake(3,) not queued" in caplog.text


def test_no_app_calls_delay_itself():
    # Every kick goes through enqueue_on_commit, so none can run inside a transaction.
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    callers = [str(p.relative_to(root)) for p in (root / "apps").rglob("*.py") if ".delay(" in p.read_text()]
    assert callers == []
