"""The dashboard's "Open a new case" button: shown to users allowed to open a case, linking to the case opening
page; not shown to others."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conference.auth.models import Role


def test_a_coordinator_sees_open_a_new_case_and_it_opens_the_case_page(client, factories) -> None:
    area = factories.area("NB", "Northbridge")
    coordinator = factories.user(factories.agency(area), Role.COORDINATOR)
    factories.sign_in(client, coordinator)
    page = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html5lib")
    button = page.select_one("a#open-a-new-case.govuk-button")
    assert button is not None and button.get_text(strip=True) == "Open a new case"
    opened = client.get(button["href"])
    assert opened.status_code == 200 and button["href"] == "/cases/new"


def test_a_manager_who_cannot_open_cases_sees_no_button(client, factories) -> None:
    area = factories.area("NB", "Northbridge")
    manager = factories.user(factories.agency(area), Role.MANAGER)
    factories.sign_in(client, manager)
    page = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html5lib")
    assert page.select_one("h1").get_text(strip=True) == "Dashboard"
    assert page.select_one("#open-a-new-case") is None and "Open a new case" not in page.get_text()
