"""Every status of every lifecycle at the front is entered and left by a test, or is removed (issue 13, "Done
when"; central's equivalents are tests/central/test_review_lifecycle.py and tests/central/test_status_reach.py).

The table below names, for each lifecycle the front site has (every model with a ``TRANSITIONS`` map, found by
itself, and the rectification's appeal), the statuses its rows are created in and, for every edge of its map,
the test that makes that move through the service a person or a job uses. The first tests fail when a lifecycle,
a status or an edge appears that the table does not name (or the table names one the map no longer has), when a
status is entered by nothing or never left, and when a named test does not exist. The last one runs the named
tests with the lifecycle trace (tests/lifecycle_trace.py) and checks that each made its edge — except the edges
written in bulk outside the mover (``UNTRACED``, each with where it is written), whose tests assert the status
themselves. What this table found was fixed in issue 13: edges nothing makes were removed (a checked-in
appointment is never a no-show; a pre-filed case is never voided; an inbox message is never moved to delivered),
办结 (CLOSED) is reached by a job, a delivery attempt has its own lifecycle without "created", a closure's offer
given back to waiting is in the waitlist's map, and the missing tests were written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

from apps.front.ratings.models import APPEAL_TRANSITIONS
from tests.status_reach import check_named_tests_exist, check_row
from tests.status_reach import named_tests as reach_named_tests

ROOT = Path(__file__).resolve().parents[2]

I = "tests/front/intake/"  # noqa: E741 - short prefixes keep the table readable
B = "tests/front/booking/"
F = "tests/front/floor/"
C = "tests/front/consult/"
N = "tests/front/notifications/"
R = "tests/front/ratings/"
CASE_EDGES = I + "test_case_edges.py::"

# lifecycle -> {"entries": {status: test}, "edges": {(from, to): test}}
TABLE: dict[str, dict[str, dict]] = {
    "exchange.OutboxMessage.status": {
        "entries": {"pending": I + "test_wire_relay.py::test_the_sweep_counts_the_messages_a_claim_let_through"},
        "edges": {
            ("pending", "dead"): I + "test_wire_relay.py::test_it_dead_letters_a_message_the_receiver_refuses",
            ("pending", "delivered"): I + "test_wire_relay.py::test_the_sweep_counts_the_messages_a_claim_let_through",
            ("dead", "pending"): I
            + "test_wire_relay.py::test_it_retries_when_the_peer_is_down_then_dead_letters_and_redrives",
        },
    },
    "booking.Appointment.status": {
        "entries": {"booked": B + "test_waitlist.py::test_a_retried_accept_returns_the_first_appointment"},
        "edges": {
            (
                "booked",
                "cancelled_by_citizen",
            ): "tests/front/mandates/test_acting.py::test_an_agent_cancels_what_they_booked",
            ("booked", "cancelled_by_hall"): B
            + "test_closures.py::TestClosingADay::test_a_part_of_a_day_for_one_window_group",
            ("booked", "checked_in"): I + "test_outcomes.py::test_it_refuses_without_a_reason_never",
            ("booked", "no_show"): B + "test_rules.py::test_a_late_arrival_marked_no_show_still_queues_as_a_walk_in",
            ("checked_in", "called"): I + "test_outcomes.py::test_it_refuses_without_a_reason_never",
            ("called", "checked_in"): F
            + "test_calling_actions.py::TestTransfer::test_it_puts_a_transferred_appointment_back_to_checked_in",
            ("called", "in_service"): I + "test_accept.py::test_it_hides_a_case_from_another_citizen",
            ("called", "no_show"): B
            + "test_rules.py::TestMissedAtTheWindow::test_a_missed_ticket_ends_its_appointment_as_a_counted_no_show",
            ("in_service", "completed"): I + "test_accept.py::test_it_hides_a_case_from_another_citizen",
        },
    },
    "booking.WaitlistEntry.status": {
        "entries": {"waiting": B + "test_waitlist.py::test_a_waiting_citizen_leaves_the_list"},
        "edges": {
            ("waiting", "cancelled"): B + "test_waitlist.py::test_a_waiting_citizen_leaves_the_list",
            ("waiting", "offered"): B + "test_waitlist.py::test_a_retried_accept_returns_the_first_appointment",
            ("waiting", "unfilled"): B
            + "test_waitlist.py::TestTheDayItself::test_when_the_day_comes_the_waiting_ends_and_the_citizen_is_told_once",
            ("offered", "accepted"): B + "test_waitlist.py::test_a_retried_accept_returns_the_first_appointment",
            ("offered", "cancelled"): B
            + "test_waitlist.py::TestHandOver::test_declining_passes_the_place_on_and_accepting_keeps_every_rule",
            ("offered", "expired"): B
            + "test_waitlist.py::TestHandOver::test_a_freed_place_goes_to_the_first_in_line_and_then_to_the_next",
            ("offered", "waiting"): B
            + "test_closures.py::TestWaitlistOnAClosedDay::test_an_offer_on_a_closed_slot_waits_again_and_a_closed_day_ends_the_waiting",
        },
    },
    "consult.ConsultTicket.status": {
        "entries": {
            "new": C + "test_tickets.py::test_closing_by_each_side",
            "claimed": C
            + "test_pages.py::test_a_clerk_logs_a_call_on_the_page",  # a call logged by the clerk who took it
        },
        "edges": {
            ("new", "claimed"): C + "test_tickets.py::test_closing_by_each_side",
            ("new", "closed"): C + "test_tickets.py::test_closing_by_each_side",
            ("claimed", "answered"): C + "test_tickets.py::test_closing_by_each_side",
            ("claimed", "closed"): C + "test_tickets.py::test_the_citizen_withdraws_a_question_someone_took_or_routed",
            ("claimed", "routed"): C
            + "test_tickets.py::test_the_owner_routes_it_to_a_department_whose_liaison_answers",
            ("routed", "answered"): C
            + "test_tickets.py::test_the_owner_routes_it_to_a_department_whose_liaison_answers",
            ("routed", "closed"): C + "test_tickets.py::test_the_citizen_withdraws_a_question_someone_took_or_routed",
            ("routed", "routed"): C + "test_tickets.py::test_the_citizen_withdraws_a_question_someone_took_or_routed",
            ("answered", "claimed"): C + "test_limits.py::test_a_follow_up_gets_a_fresh_limit",
            ("answered", "closed"): C + "test_tickets.py::test_closing_by_each_side",
        },
    },
    "delivery.Delivery.status": {
        "entries": {"chosen": "tests/front/delivery/test_delivery.py::TestPickup::test_the_pickup_desk_page"},
        "edges": {
            ("chosen", "ready"): "tests/front/delivery/test_delivery.py::TestPickup::test_the_pickup_desk_page",
            ("ready", "delivered"): "tests/front/delivery/test_delivery.py::TestPickup::test_the_pickup_desk_page",
            (
                "ready",
                "posted",
            ): "tests/front/delivery/test_delivery.py::TestPost::test_the_sweep_posts_what_the_kick_missed",
            (
                "posted",
                "delivered",
            ): "tests/front/delivery/test_delivery.py::TestPost::test_the_couriers_signed_push_completes_the_delivery",
        },
    },
    "delivery.OriginalsShipment.status": {
        "entries": {
            "waiting": "tests/front/delivery/test_originals.py::"
            "test_the_originals_of_a_case_for_another_region_are_posted_to_its_office_once"
        },
        "edges": {
            ("waiting", "posted"): "tests/front/delivery/test_originals.py::"
            "test_the_originals_of_a_case_for_another_region_are_posted_to_its_office_once",
        },
    },
    "hall.Ticket.status": {
        "entries": {
            "waiting": F
            + "test_calling_actions.py::TestTransferFromEveryState::test_a_ticket_in_service_or_parked_is_transferred[start]"
        },
        "edges": {
            ("waiting", "called"): F
            + "test_checkin_and_calling.py::TestCalling::test_it_calls_booked_tickets_in_order_once_each",
            ("called", "missed"): B
            + "test_rules.py::TestMissedAtTheWindow::test_a_missed_ticket_ends_its_appointment_as_a_counted_no_show",
            ("called", "parked"): F
            + "test_calling_actions.py::TestParkAndResume::test_it_parks_out_of_the_queue_and_resumes_at_the_same_window",
            ("called", "serving"): I + "test_accept.py::test_it_hides_a_case_from_another_citizen",
            ("called", "waiting"): F + "test_pages.py::TestWorkbenchPage::test_it_transfers_from_the_page",
            ("serving", "done"): I + "test_accept.py::test_it_hides_a_case_from_another_citizen",
            ("serving", "parked"): F
            + "test_calling_actions.py::TestParkAndResume::test_it_parks_a_ticket_in_service_and_resumes_it",
            ("serving", "waiting"): F
            + "test_calling_actions.py::TestTransferFromEveryState::test_a_ticket_in_service_or_parked_is_transferred[start]",
            ("parked", "called"): F
            + "test_calling_actions.py::TestParkAndResume::test_it_parks_a_ticket_in_service_and_resumes_it",
            ("parked", "waiting"): F
            + "test_calling_actions.py::TestTransferFromEveryState::test_a_ticket_in_service_or_parked_is_transferred[park]",
        },
    },
    "intake.Case.status": {
        "entries": {
            "submitted": I + "test_assist.py::test_it_files_for_a_registered_citizen_and_the_window_accepts_it",
            "received": I + "test_accept.py::test_it_hides_a_case_from_another_citizen",
        },
        "edges": {
            ("submitted", "received"): I
            + "test_assist.py::test_it_files_for_a_registered_citizen_and_the_window_accepts_it",
            ("submitted", "withdrawn"): CASE_EDGES + "test_a_case_pre_filed_online_is_withdrawn_by_its_applicant",
            ("received", "accepted"): I + "test_accept.py::test_it_hides_a_case_from_another_citizen",
            ("received", "rejected_at_intake"): I + "test_outcomes.py::test_it_refuses_with_reason_place_and_remedies",
            ("received", "withdrawn"): I
            + "test_central_events.py::test_it_withdraws_at_the_hall_at_once_and_asks_central_otherwise",
            ("accepted", "decided"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_a_decision_that_overtakes_the_reviews_start_is_recorded",
            ("accepted", "in_review"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_the_review_starts_on_an_accepted_case",
            ("accepted", "transferred"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_an_accepted_case_is_transferred",
            ("accepted", "voided"): I + "test_central_ends.py::test_a_void_ends_the_case_with_its_reason[accepted]",
            ("accepted", "withdrawn"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_central_confirms_a_withdrawal[accepted]",
            ("in_review", "closed_no_correction"): I
            + "test_central_ends.py::test_a_closure_crossing_a_late_supplement_still_ends_the_case",
            ("in_review", "correction"): I
            + "test_central_ends.py::test_a_closure_without_correction_ends_the_case_once",
            ("in_review", "decided"): "tests/front/delivery/test_delivery.py::TestPickup::test_the_pickup_desk_page",
            ("in_review", "special_procedure"): I
            + "test_central_events.py::test_it_tells_the_citizen_about_a_special_procedure_and_an_extension",
            ("in_review", "transferred"): I
            + "test_central_ends.py::test_a_transfer_tells_the_citizen_where_and_why_and_the_case_comes_back_to_review",
            ("in_review", "voided"): I + "test_central_ends.py::test_a_void_ends_the_case_with_its_reason[in_review]",
            ("in_review", "withdrawn"): I
            + "test_central_events.py::test_it_withdraws_at_the_hall_at_once_and_asks_central_otherwise",
            ("correction", "closed_no_correction"): I
            + "test_central_ends.py::test_a_closure_without_correction_ends_the_case_once",
            ("correction", "in_review"): I
            + "test_central_ends.py::test_a_closure_crossing_a_late_supplement_still_ends_the_case",
            ("correction", "voided"): I + "test_central_ends.py::test_a_void_ends_the_case_with_its_reason[correction]",
            ("correction", "withdrawn"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_central_confirms_a_withdrawal[correction]",
            ("special_procedure", "decided"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_a_decision_ends_a_special_procedure",
            ("special_procedure", "in_review"): I
            + "test_central_events.py::test_it_tells_the_citizen_about_a_special_procedure_and_an_extension",
            ("special_procedure", "voided"): I
            + "test_central_ends.py::test_a_void_ends_the_case_with_its_reason[special_procedure]",
            ("special_procedure", "withdrawn"): CASE_EDGES
            + "TestCentralsEventsFromEveryState::test_central_confirms_a_withdrawal[special_procedure]",
            ("decided", "closed"): CASE_EDGES
            + "TestClosing::test_a_denied_case_is_closed_and_an_approved_one_waits_for_its_result",
            ("decided", "result_ready"): "tests/front/delivery/test_delivery.py::TestPickup::test_the_pickup_desk_page",
            (
                "result_ready",
                "delivered",
            ): "tests/front/delivery/test_delivery.py::TestPickup::test_the_pickup_desk_page",
            ("delivered", "closed"): CASE_EDGES
            + "TestClosing::test_a_delivered_case_is_closed_after_the_rating_period_once",
            ("transferred", "in_review"): I
            + "test_central_ends.py::test_a_transfer_tells_the_citizen_where_and_why_and_the_case_comes_back_to_review",
            ("transferred", "voided"): I
            + "test_central_ends.py::test_a_void_ends_the_case_with_its_reason[transferred]",
            ("transferred", "withdrawn"): I + "test_central_ends.py::test_a_transferred_case_may_still_be_withdrawn",
        },
    },
    "mandates.Mandate.status": {
        "entries": {"pending": "tests/front/mandates/test_letters.py::test_the_pages_give_confirm_and_revoke"},
        "edges": {
            ("pending", "active"): "tests/front/mandates/test_letters.py::test_the_pages_give_confirm_and_revoke",
            (
                "pending",
                "revoked",
            ): "tests/front/mandates/test_letters.py::test_a_letter_is_withdrawn_before_it_is_confirmed",
            ("active", "revoked"): "tests/front/mandates/test_scope.py::test_revocation_counts_at_once",
        },
    },
    "feedback.Notification.status": {
        "entries": {
            "created": N + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
            "delivered": N
            + "test_callback.py::test_a_delivered_receipt_after_a_temporary_failure_stops_the_retry",  # inbox
        },
        "edges": {
            ("created", "sending"): N + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
            ("sending", "delivered"): N + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
            ("sending", "permanent-failure"): N
            + "test_channels.py::TestHttpSmsGateway::test_it_does_not_retry_what_the_gateway_refused_for_good",
            ("sending", "technical-failure"): N
            + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
            ("sending", "temporary-failure"): N
            + "test_channels.py::TestHttpSmsGateway::test_it_retries_when_the_receipt_says_temporary_failure",
            ("temporary-failure", "delivered"): N
            + "test_callback.py::test_a_delivered_receipt_after_a_temporary_failure_stops_the_retry",
            ("temporary-failure", "sending"): N
            + "test_channels.py::TestHttpSmsGateway::test_it_retries_when_the_receipt_says_temporary_failure",
            ("technical-failure", "delivered"): N
            + "test_callback.py::TestCallback::test_a_late_delivered_receipt_stops_the_retries",
            ("technical-failure", "sending"): N
            + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
        },
    },
    "feedback.DeliveryAttempt.status": {
        "entries": {"sending": N + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message"},
        "edges": {
            ("sending", "delivered"): N + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
            ("sending", "permanent-failure"): N
            + "test_channels.py::TestHttpSmsGateway::test_it_does_not_retry_what_the_gateway_refused_for_good",
            ("sending", "technical-failure"): N
            + "test_channels.py::TestFileSms::test_it_fails_then_records_the_message",
            ("sending", "temporary-failure"): N
            + "test_channels.py::TestHttpSmsGateway::test_it_retries_when_the_receipt_says_temporary_failure",
            ("temporary-failure", "delivered"): N
            + "test_callback.py::test_a_delivered_receipt_after_a_temporary_failure_stops_the_retry",
            ("technical-failure", "delivered"): N
            + "test_callback.py::TestCallback::test_a_late_delivered_receipt_stops_the_retries",
        },
    },
    "ratings.Rectification.status": {
        "entries": {
            "open": R + "test_rectification.py::test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision"
        },
        "edges": {
            ("open", "called_back"): R
            + "test_rectification.py::test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision",
            ("open", "voided"): R
            + "test_rectification.py::test_an_appeal_upheld_voids_the_rectification_wherever_it_is[open]",
            ("called_back", "called_back"): R
            + "test_rectification.py::test_an_appeal_upheld_voids_the_rectification_wherever_it_is[called_back]",
            ("called_back", "replied"): R
            + "test_rectification.py::test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision",
            ("called_back", "voided"): R
            + "test_rectification.py::test_an_appeal_upheld_voids_the_rectification_wherever_it_is[called_back]",
            ("replied", "closed"): R
            + "test_rectification.py::test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision",
            ("replied", "voided"): R
            + "test_rectification.py::test_an_appeal_upheld_voids_the_rectification_wherever_it_is[replied]",
            ("closed", "voided"): R
            + "test_rectification.py::test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision",
        },
    },
    "ratings.Rectification.appeal_status": {
        "entries": {
            "none": R + "test_rectification.py::test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision"
        },
        "edges": {
            ("none", "pending"): R + "test_rectification.py::test_a_rejected_appeal_leaves_the_bad_rating_counted",
            ("pending", "rejected"): R + "test_rectification.py::test_a_rejected_appeal_leaves_the_bad_rating_counted",
            ("pending", "upheld"): R
            + "test_rectification.py::test_an_appeal_upheld_voids_the_rectification_wherever_it_is[open]",
        },
    },
    "remote.HallSession.status": {
        "entries": {
            "ringing": "tests/front/remote/test_hall_sessions.py::test_the_session_survives_the_hall_page_reloading"
        },
        "edges": {
            (
                "ringing",
                "active",
            ): "tests/front/remote/test_hall_sessions.py::test_the_session_survives_the_hall_page_reloading",
            (
                "ringing",
                "ended",
            ): "tests/front/remote/test_hall_sessions.py::test_the_halls_session_log_is_for_its_supervisors",
            (
                "active",
                "ended",
            ): "tests/front/remote/test_hall_sessions.py::test_the_session_survives_the_hall_page_reloading",
        },
    },
}

# Moves written outside the mover (govservice.lib.lifecycle) and save(), so the trace cannot see them; their
# tests assert the status after the move themselves.
UNTRACED = {
    # a booking inserts its appointment in SQL (booking/fastpath.py; "" is a row created in its status)
    ("booking.Appointment.status", "", "booked"),
    # call-next's one-statement claim (floor/fastpath.py, DESIGN.md §6)
    ("hall.Ticket.status", "waiting", "called"),
    # a closure gives offers back in one UPDATE (booking/services/closures.py)
    ("booking.WaitlistEntry.status", "offered", "waiting"),
    # the send's conditional claim (notifications/services/delivery.py)
    ("feedback.Notification.status", "created", "sending"),
    ("feedback.Notification.status", "temporary-failure", "sending"),
    ("feedback.Notification.status", "technical-failure", "sending"),
    # the appeal's decision is written with the rectification's own move (ratings/services/appeals.py)
    ("ratings.Rectification.appeal_status", "pending", "upheld"),
}


def lifecycles() -> dict[str, dict[str, frozenset[str]]]:
    """Every lifecycle of the front site: each model with a TRANSITIONS map, and the rectification's appeal."""
    found = {
        f"{model._meta.label}.status": {str(s): frozenset(map(str, t)) for s, t in model.TRANSITIONS.items()}
        for model in apps.get_models()
        if getattr(model, "TRANSITIONS", None) is not None
    }
    found["ratings.Rectification.appeal_status"] = {
        str(s): frozenset(map(str, t)) for s, t in APPEAL_TRANSITIONS.items()
    }
    return found


def test_every_lifecycle_of_the_front_is_in_the_table():
    assert set(lifecycles()) == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_edge_is_named_and_every_status_entered_and_left(name):
    check_row(name, TABLE[name], lifecycles()[name])


def named_tests() -> set[str]:
    return reach_named_tests(TABLE)


def test_every_named_test_exists():
    check_named_tests_exist(TABLE)


@pytest.mark.slow
def test_the_named_tests_make_their_moves(tmp_path):
    """Runs the named tests (in a process of their own, their own database) with the lifecycle trace on, and
    checks each made what the table says it makes."""
    trace = tmp_path / "trace.jsonl"
    env = {
        **os.environ,
        "LIFECYCLE_TRACE": str(trace),
        "TEST_DB_SUFFIX": os.environ.get("TEST_DB_SUFFIX", "") + "reach",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *sorted(named_tests())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    made = {
        (row["test"], f"{row['model']}.{row['field']}", row["from"], row["to"])
        for row in map(json.loads, trace.read_text().splitlines())
    }
    missing = []
    for name, row in TABLE.items():
        for status, test in row["entries"].items():
            if (name, "", status) not in UNTRACED and (test, name, "", status) not in made:
                missing.append(f"{test} creates no {name} in {status}")
        for (source, target), test in row["edges"].items():
            if (name, source, target) not in UNTRACED and (test, name, source, target) not in made:
                missing.append(f"{test} makes no {name} {source} -> {target}")
    assert not missing, "\n".join(missing)
