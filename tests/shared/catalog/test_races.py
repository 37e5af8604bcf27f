"""Two editors at once, with real threads on PostgreSQL: every save becomes its own version, exactly one
version is current, and two first saves of one new code do not collide."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.shared.catalog.models import Matter
from apps.shared.catalog.services import matter_draft_from, matter_save

from .conftest import valid_draft

pytestmark = pytest.mark.django_db(transaction=True)


def _race(targets) -> list:
    barrier = threading.Barrier(len(targets))
    outcomes: list = []
    lock = threading.Lock()

    def run(target):
        try:
            connection.ensure_connection()
            barrier.wait()
            result = target()
            with lock:
                outcomes.append(result)
        except Exception as exc:
            with lock:
                outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_editors_at_once_make_two_versions(make):
    v1 = make()

    def edit(days: int):
        def save():
            draft = matter_draft_from(Matter.objects.get(pk=v1.pk))
            draft.matter.promised_days = days
            return matter_save(draft=draft)[1]

        return save

    outcomes = _race([edit(5), edit(7), edit(9)])
    assert sorted(outcomes) == ["versioned", "versioned", "versioned"], outcomes
    versions = Matter.objects.filter(code=v1.code)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2, 3, 4]
    assert versions.filter(is_current=True).count() == 1
    assert versions.get(is_current=True).version == 4


def test_two_first_saves_of_one_code_do_not_collide(department):
    def create(days: int):
        return lambda: matter_save(draft=valid_draft("NEW-1", department=department, promised_days=days))[1]

    same = _race([create(5), create(5)])
    assert sorted(same) == ["created", "unchanged"], same
    different = _race([create(6), create(7)])
    assert sorted(different) == ["versioned", "versioned"], different
    assert Matter.objects.filter(code="NEW-1", is_current=True).count() == 1
    assert Matter.objects.filter(code="NEW-1").count() == 3
