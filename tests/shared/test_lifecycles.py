"""Every model with a status column declares its whole lifecycle: a transition map whose keys are exactly
the column's choices and whose targets are among them, and a CHECK constraint keeping the column to them
(STYLE.md "State changes"). Runs under both roles: each checks the models its site installs."""

from __future__ import annotations

import os

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test.utils import isolate_apps

from govservice.lib.lifecycle import lifecycle_problems

# The lifecycles each site must have (the test refuses to pass by finding no model at all).
EXPECTED = {
    "front": {
        "Appointment",
        "WaitlistEntry",
        "Ticket",
        "Case",
        "Delivery",
        "ConsultTicket",
        "Rectification",
        "Notification",
        "DeliveryAttempt",
        "OutboxMessage",
        "HallSession",
    },
    "central": {"ReviewCase", "ExtensionRequest", "OutboxMessage", "RemoteSession"},
}


def status_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        try:
            field = model._meta.get_field("status")
        except FieldDoesNotExist:
            continue
        # pghistory's snapshots (…Audit) copy the column, not the rule.
        if field.concrete and field.choices and not model.__name__.endswith("Audit"):
            found.append(model)
    return found


def test_it_finds_every_lifecycle_of_the_site():
    names = {model.__name__ for model in status_models()}
    assert EXPECTED[os.environ.get("SITE_ROLE", "front")] <= names


def test_it_has_a_complete_map_and_a_check_constraint_for_every_status_column():
    problems = [problem for model in status_models() for problem in lifecycle_problems(model)]
    assert problems == []


@isolate_apps("tests")
def test_it_reports_a_map_that_misses_a_choice_and_a_column_left_unchecked():
    class Thing(models.Model):
        TRANSITIONS = {"a": frozenset({"b", "z"})}
        status = models.CharField(max_length=4, choices=[("a", "A"), ("b", "B")], default="a")

        class Meta:
            app_label = "tests"

        def __str__(self) -> str:
            return self.status

    problems = "\n".join(lifecycle_problems(Thing))
    assert "map keys ['b']" in problems
    assert "targets ['z']" in problems
    assert "no CheckConstraint" in problems
