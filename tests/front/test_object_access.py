"""Another citizen reaches nothing of a citizen's (the attacker's first try: someone else's identifiers in the
path). The real identifiers of one citizen's things — appointments, a consultation, a window case, an online
application and its files, its case, a waitlist entry, a mandate, a company — fill every route that takes one, and
another verified citizen (and a clerk of another hall) asks for each:

- through the API (every operation of the front's OpenAPI schema): a read answers no 2xx unless it is public (the
  same answer an anonymous caller gets: a matter's guide, its FAQ); a write sent with an empty body never succeeds
  (the action endpoints that need no body — cancel, withdraw, revoke, confirm … — are the dangerous ones);
- through the pages (every route of the site): a page that answers 200 shows none of the owner's codes, case
  numbers or name.

The owner asks for the same addresses first, so the identifiers are shown to reach real things (else the test proves
nothing). Per-feature tests say *which* refusal each one gives; this sweeps them all, new routes included."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.front.booking.models import Appointment, WaitlistEntry
from apps.front.consult.models import ConsultTicket
from apps.front.floor.models import Ticket
from apps.front.intake.models import Case
from apps.front.mandates.models import Mandate
from apps.front.notifications.models import Notification
from apps.front.online.models import ApplicationFile, OnlineApplication
from tests.front.online.conftest import fill, make_online_matter, start, submit
from tests.front.test_fuzz_api import small_hall
from tests.object_access import api_leaks, page_leaks

pytestmark = pytest.mark.django_db


def owners_things(citizen) -> dict[str, list]:
    """What the owner has, as it stands: whatever another person's requests may try, it must not move."""
    mine = {"citizen": citizen}
    return {
        "appointments": list(
            Appointment.objects.filter(**mine).values_list("id", "status", "updated_at").order_by("id")
        ),
        "cases": list(Case.objects.filter(**mine).values_list("id", "status", "updated_at").order_by("id")),
        "applications": list(
            OnlineApplication.objects.filter(applicant=citizen).values_list("id", "updated_at").order_by("id")
        ),
        "files": list(ApplicationFile.objects.values_list("id", flat=True).order_by("id")),
        "consultations": list(ConsultTicket.objects.filter(**mine).values_list("id", "status").order_by("id")),
        "waitlist": list(WaitlistEntry.objects.filter(**mine).values_list("id", "status").order_by("id")),
        "mandates": list(
            Mandate.objects.filter(agent=citizen).values_list("id", "status", "updated_at").order_by("id")
        ),
        "inbox": list(Notification.objects.filter(recipient=citizen).values_list("id", "read_at").order_by("id")),
    }


@pytest.fixture
def known(api, hall, matter, citizen, clerk, central_peer) -> dict[str, list]:
    """The citizen's things, by the name of the path parameter that names them."""
    known = small_hall(hall, matter, citizen, clerk)
    online = make_online_matter(hall)
    submitted = start(api, citizen, online)["code"]
    fill(api, citizen, submitted)
    number = submit(api, citizen, submitted)["case"]["number"]
    draft = start(api, citizen, online)["code"]  # a new draft beside the submitted one
    files = list(ApplicationFile.objects.values_list("id", flat=True))
    known["code"] += [submitted, draft]
    known["number"].append(number)
    known["file_id"] = known["material_id"] = known["id"] = files
    return known


def test_through_the_api(api, known, citizen, other_citizen):
    before = owners_things(citizen)
    owners, leaks = api_leaks(api(citizen), api(other_citizen), api(None), known)
    assert not leaks, "\n".join(leaks)
    assert owners_things(citizen) == before
    assert owners >= 15, owners  # the owner's own reads reached their things (21 when written)


def halls_things() -> list:
    """The hall's tickets and cases as they stand (a clerk of another hall must move neither)."""
    tickets = Ticket.objects.values_list("id", "status", "window_id").order_by("id")
    cases = Case.objects.values_list("id", "status", "updated_at").order_by("id")
    return [list(tickets), list(cases)]


def test_a_clerk_of_another_hall_reaches_nothing_of_this_halls(api, known, matter, citizen, clerk, other_hall_clerk):
    """The hall's ticket and cases, by their identifiers, from a window of another hall: the API and the pages."""
    before = halls_things()
    owners, leaks = api_leaks(api(clerk), api(other_hall_clerk), api(None), known)
    assert not leaks, "\n".join(leaks)
    assert owners >= 6, owners  # this hall's clerk reaches them (8 when written)
    owner, other = Client(), Client()
    owner.force_login(clerk)
    other.force_login(other_hall_clerk)
    marks = [code for code in known["code"] if code != matter.code] + known["number"] + [citizen.real_name]
    pages, leaks = page_leaks(owner, other, known, marks)
    assert not leaks, "\n".join(leaks)
    assert halls_things() == before
    assert pages >= 6, pages  # this hall's clerk's pages of them (11 when written)
    print("PAGES", pages)


def test_through_the_pages(known, matter, citizen, other_citizen):
    owner, other = Client(), Client()
    owner.force_login(citizen)
    other.force_login(other_citizen)
    marks = [code for code in known["code"] if code != matter.code] + known["number"] + [citizen.real_name]
    before = owners_things(citizen)
    owners, leaks = page_leaks(owner, other, known, marks)
    assert not leaks, "\n".join(leaks)
    assert owners_things(citizen) == before  # the pages' forms, posted empty by the other citizen, moved nothing
    assert owners >= 12, owners  # the owner's own pages (18 when written)
