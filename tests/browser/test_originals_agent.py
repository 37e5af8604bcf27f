"""最多跑一次 for someone acting for the applicant, in a real browser (issue 15): the 代办人 who filed a person's online
application follows the accepted case from their 代办 page, books the one visit to have the originals checked for
the principal, and the principal sees the visit on their case page with who booked it."""

import pytest
from playwright.sync_api import expect

from apps.front.intake.models import OriginalsCheck
from tests.factories import PASSWORD
from tests.front.mandates.conftest import make_mandate
from tests.front.online.conftest import make_online_matter
from tests.front.online.test_originals_agent import filed_and_accepted
from tests.personas_front import make_slot

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_books_the_originals_visit_for_the_principal(
    browser, live_server, api, citizen, agent, hall, clerk, central_peer
):
    matter = make_online_matter(hall, code="ON-003", depth=3, trips=1, name="居住证签注")
    make_mandate(citizen, agent, matter_codes=[matter.code])
    case = filed_and_accepted(api, agent, citizen, clerk, matter)
    slot = make_slot(hall, hour=10, capacity=2)

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, agent.username, PASSWORD)
    page.goto(f"{live_server.url}/acting/")
    page.get_by_role("link", name=citizen.real_name).click()
    page.get_by_role("link", name=case.number).click()
    page.get_by_role("link", name="预约一次到大厅核验原件").click()
    expect(page.locator("#acting-for")).to_contain_text(citizen.real_name)
    page.locator(f'input[name="slot"][value="{slot.id}"]').check()
    page.get_by_role("button", name="预约核验原件").click()
    expect(page.get_by_text(f"已为{citizen.real_name}预约到大厅核验原件")).to_be_visible()
    appointment = OriginalsCheck.objects.select_related("appointment").get(case=case).appointment
    assert (appointment.citizen, appointment.agent) == (citizen, agent)
    expect(page.locator("#original-visit")).to_contain_text(appointment.code)

    # The principal sees the visit on their case, booked by the agent.
    mine = browser.new_context(locale="zh-CN").new_page()
    login(mine, live_server, citizen.username, PASSWORD)
    mine.goto(f"{live_server.url}/cases/{case.number}/")
    expect(mine.locator("#original-visit")).to_contain_text(appointment.code)
    expect(mine.locator("#visit-booked-by")).to_contain_text(agent.real_name)
