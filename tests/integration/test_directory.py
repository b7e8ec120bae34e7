"""Administrators keep people's working hours and calendars up to date; bad input is explained, nothing saved."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from conference.auth.models import Role
from conference.directory.models import Person
from conference.directory.services import parse_hours
from conference.extensions import db
from tests.support.factories import csrf_token

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\n"
    b"DTSTAMP:20261123T090000Z\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def _form(client, path, **overrides):
    data = {
        "csrf_token": csrf_token(client, path),
        "name": "Avery Example",
        "job_title": "Designated nurse",
        "email": "avery@example.test",
        "role_tags": "designated nurse, may_chair",
        "hours_mon": "09:00-17:00",
        "hours_tue": "",
        "hours_wed": "09:00-12:00, 13:00-17:30",
        "hours_thu": "",
        "hours_fri": "",
        "hours_sat": "",
        "hours_sun": "",
        "on_call": "no",
        "availability_source": "ics_upload",
        "availability_url": "",
    }
    data.update(overrides)
    return data


def test_parse_hours():
    assert parse_hours("09:00-12:00, 13:00-17:30") == [["09:00", "12:00"], ["13:00", "17:30"]]
    assert parse_hours("9.30 to 16:00") == [["09:30", "16:00"]]
    assert parse_hours("") == []
    for bad in ("17:00-09:00", "09:00-12:00, 11:00-13:00", "nine to five", "25:00-26:00"):
        assert parse_hours(bad) is None


def test_an_administrator_adds_a_person_with_a_calendar_file(client, factories):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{agency.id}/people/new"
    data = _form(client, path)
    data["availability_ics"] = (io.BytesIO(ICS), "diary.ics")
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    person = db.session.scalars(select(Person)).one()
    assert person.working_hours == {"mon": [["09:00", "17:00"]], "wed": [["09:00", "12:00"], ["13:00", "17:30"]]}
    assert person.role_tags == ["designated_nurse", "may_chair"]
    assert "DTSTART:20261124T100000Z" in person.availability_ics


def test_bad_input_is_explained_and_nothing_is_saved(client, factories):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{agency.id}/people/new"
    data = _form(client, path, name="", email="not-an-email", hours_mon="17:00-09:00")
    data["availability_ics"] = (io.BytesIO(b"this is not a calendar"), "diary.ics")
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    for message in (
        "Enter the person",
        "Enter an email address in the correct format",
        "Enter Monday",
        "not a calendar file",
    ):
        assert message in text
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_only_administrators_of_the_area_manage_it(client, factories):
    home, away = factories.area("NB"), factories.area("EM")
    away_agency = factories.agency(away)
    factories.sign_in(client, factories.user(factories.agency(home), Role.ADMINISTRATOR))
    assert client.get(f"/directory/agencies/{away_agency.id}/people/new").status_code == 404
    coordinator_client = client.application.test_client()
    factories.sign_in(coordinator_client, factories.user(away_agency, Role.COORDINATOR))
    assert coordinator_client.get(f"/directory/agencies/{away_agency.id}/people/new").status_code == 403


def test_a_calendar_address_inside_the_network_is_refused_when_saved(client, factories):
    # Server-side request forgery (issue 12, finding 7): Convene would fetch this address from inside the network.
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{agency.id}/people/new"
    for url in (
        "http://127.0.0.1:8080/calendar.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/feed.ics",
        "http://localhost/cal/",
    ):
        data = _form(client, path, availability_source="ics_url", availability_url=url)
        response = client.post(path, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, url
        text = response.get_data(as_text=True)
        assert "There is a problem" in text
        assert "Convene does not read calendars from local or private network addresses" in text
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_an_allowed_calendar_server_inside_the_network_is_accepted(app, client, factories):
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(calendar_allowed_hosts=("127.0.0.1",))
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{agency.id}/people/new"
    data = _form(client, path, availability_source="caldav", availability_url="http://127.0.0.1:5232/avery/work/")
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalars(select(Person)).one().availability_url == "http://127.0.0.1:5232/avery/work/"


def test_a_calendar_bomb_upload_is_refused_with_a_clear_message(client, factories):
    hours = ",".join(str(n) for n in range(24))
    minutes = ",".join(str(n) for n in range(60))
    bomb = ICS.replace(
        b"DTEND:20261124T110000Z",
        f"DURATION:PT1S\r\nRRULE:FREQ=DAILY;BYHOUR={hours};BYMINUTE={minutes};BYSECOND={minutes}".encode(),
    )
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{agency.id}/people/new"
    data = _form(client, path)
    data["availability_ics"] = (io.BytesIO(bomb), "diary.ics")
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "repeats too often" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
