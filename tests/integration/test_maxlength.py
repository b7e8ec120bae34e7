"""Text fields carry a maxlength that matches the server's limit, and the server still refuses longer input in words."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.auth.models import Role
from conference.directory.models import Person
from conference.extensions import db
from tests.integration.decisions.support import make_world, url
from tests.integration.test_directory import ICS, _form

TEXT_TYPES = {"text", "email", "url", "tel", "password", "search", "number"}


def _text_fields_without_maxlength(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html5lib")
    fields = [i for i in soup.find_all("input") if i.get("type", "text") in TEXT_TYPES] + soup.find_all("textarea")
    return [f.get("name", "?") for f in fields if not (f.get("maxlength") or "").isdecimal()]


def test_the_new_case_and_directory_forms_have_a_maxlength_on_every_text_field(client, factories):  # type: ignore[no-untyped-def]
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    page = client.get(f"/directory/agencies/{agency.id}/people/new").get_data(as_text=True)
    assert _text_fields_without_maxlength(page) == []
    soup = BeautifulSoup(page, "html5lib")
    assert soup.find("input", {"name": "job_title"})["maxlength"] == "160"
    assert soup.find("input", {"name": "email"})["maxlength"] == "254"


def test_the_case_form_fields_match_the_server_limits(client, factories):  # type: ignore[no-untyped-def]
    factories.sign_in(client, factories.user(factories.agency(factories.area()), Role.COORDINATOR))
    page = client.get("/cases/new").get_data(as_text=True)
    assert _text_fields_without_maxlength(page) == []
    soup = BeautifulSoup(page, "html5lib")
    limits = {name: soup.find("input", {"name": name})["maxlength"] for name in ("child_first_name", "nationality")}
    assert limits == {"child_first_name": "120", "nationality": "80"}
    assert soup.find("input", {"name": "identified_on-month"})["maxlength"] == "9"  # "September"


@pytest.mark.parametrize(
    "tail",
    ["/information", "/attendance", "/child-views", "/elements", "/indicators", "/outcome", "/actions", "/quorum"],
)
def test_the_decision_forms_have_a_maxlength_on_every_text_field(client, factories, tail):  # type: ignore[no-untyped-def]
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    response = client.get(url(world, tail))
    assert response.status_code == 200
    assert _text_fields_without_maxlength(response.get_data(as_text=True)) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("job_title", "J" * 161, "Job title must be 160 characters or fewer"),
        ("availability_url", "https://cal.example/" + "a" * 500, "Calendar address must be 500 characters or fewer"),
        ("role_tags", "tag, " * 120, "Role tags must be 500 characters or fewer"),
        ("hours_mon", "09:00-17:00, " * 10, "Monday's hours must be 100 characters or fewer"),
    ],
)
def test_over_long_directory_fields_are_refused_in_words(client, factories, field, value, message):  # type: ignore[no-untyped-def]
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{agency.id}/people/new"
    data = _form(client, path, **{field: value})
    if field == "availability_url":
        data["availability_source"] = "ics_url"
    else:
        data["availability_ics"] = (io.BytesIO(ICS), "diary.ics")
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in BeautifulSoup(response.get_data(as_text=True), "html5lib").get_text()
    assert db.session.scalars(select(Person)).first() is None


def test_an_over_long_phone_in_the_nrm_answers_is_refused_in_words() -> None:
    from conference.forms import FormErrors
    from decisions.forms import read_nrm_answers
    from decisions.nrm.pack import NrmField

    phone = NrmField("fr-details-phone", "Phone", "phone", required=True, applies=True, value=None)
    errors = FormErrors()
    assert read_nrm_answers({"fr-details-phone": "0" * 41}, [phone], errors) is None
    assert errors.message("fr-details-phone") == {"text": "Telephone number must be 40 characters or fewer"}
