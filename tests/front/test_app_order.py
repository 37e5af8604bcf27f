"""The front apps depend on each other in one direction (ARCHITECTURE.md, "Rules of the house"); where a
lower app must reach a higher one it fires a hook that the higher app connects in its AppConfig.ready().
These tests fail when a connection is lost (the flow would silently stop) or when a table gets a second
writer again."""

from __future__ import annotations

import re
from pathlib import Path

from apps.front.booking.demo import demo_logins, demo_seeders
from apps.front.delivery.selectors import delivery_submission_fields
from apps.front.delivery.services import delivery_downloaded, delivery_result_arrived
from apps.front.floor.demo import terminal_logins, terminals_seed_demo
from apps.front.floor.hooks import supervisor_panels, walk_in_for_others
from apps.front.guidance.services import guidance_seed_demo
from apps.front.intake import hooks as intake_hooks
from apps.front.intake.demo import vault_seed_demo
from apps.front.intake.selectors import supervisor_near_limit
from apps.front.mandates import selectors as mandates_selectors
from apps.front.mandates.demo import mandates_logins, mandates_seed_demo
from apps.front.mandates.selectors import agent_check, agent_submission_fields
from apps.front.online.selectors import bundle_materials_covered, bundle_submission_fields
from apps.front.online.services.bundle_visits import bundle_ticket_elsewhere

APPS = Path(__file__).resolve().parents[2] / "apps"


def test_it_connects_delivery_and_bundles_to_what_intake_tells_of_a_case():
    assert intake_hooks.result_ready.receivers() == (delivery_result_arrived,)
    # The window asks the mandates for the authority of whoever acts for the applicant.
    assert intake_hooks.agent_check.receivers() == (agent_check,)
    assert intake_hooks.document_downloaded.receivers() == (delivery_downloaded,)
    # What central is told with a case: the way home of the result, who acted for the applicant, the bundle.
    assert intake_hooks.submission_fields.receivers() == (
        delivery_submission_fields,
        agent_submission_fields,
        bundle_submission_fields,
    )
    # A ticket booked for a 一件事 bundle opens the bundle's window page instead of intake's.
    assert intake_hooks.ticket_elsewhere.receivers() == (bundle_ticket_elsewhere,)
    # What an earlier step of a bundle issues is not missing from a later step's acceptance.
    assert intake_hooks.materials_covered.receivers() == (bundle_materials_covered,)


def test_it_connects_online_bundles_to_the_answers_of_their_cases():
    from apps.front.online.services import bundle_part_settled

    assert intake_hooks.case_settled.receivers() == (bundle_part_settled,)


def test_it_asks_the_mandates_whether_a_person_at_the_kiosk_acts_for_a_company():
    assert walk_in_for_others.receivers() == (mandates_selectors.walk_in_for_others,)


def test_it_connects_intakes_panel_to_the_supervisor_view():
    assert supervisor_panels.receivers() == (supervisor_near_limit,)


def test_it_lets_the_floor_guidance_intake_and_mandates_seed_their_own_demo_rows():
    assert set(demo_seeders.receivers()) == {
        terminals_seed_demo,
        guidance_seed_demo,
        vault_seed_demo,
        mandates_seed_demo,
    }
    assert set(demo_logins.receivers()) == {terminal_logins, mandates_logins}


def _writers(pattern: str) -> set[str]:
    found = set()
    for path in APPS.rglob("*.py"):
        if "migrations" not in path.parts and re.search(pattern, path.read_text(encoding="utf-8")):
            found.add(str(path.relative_to(APPS)))
    return found


def test_it_writes_the_personal_data_access_log_in_accounts_only():
    assert _writers(
        r"PersonalDataAccess\.objects\.(create|bulk_create|update|get_or_create)|(?<!class )PersonalDataAccess\("
    ) == {"shared/accounts/services.py"}


def test_it_writes_intakes_documents_in_intake_only():
    writers = _writers(r"\bDocument\.objects\.(create|bulk_create|get_or_create)|\bDocument\(")
    assert writers and all(path.startswith("front/intake/") for path in writers), writers
