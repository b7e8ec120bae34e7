"""Issue 9, part A: partner agencies on the case, the seats of a meeting, the chair, and the child's voice."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.auth.models import Role
from conference.cases.models import Case, CaseAgency
from conference.convening.models import Conference
from conference.extensions import db
from rules.vocabulary import AgencyKind, Seat
from tests.integration.test_cases import _new_case_form
from tests.support.factories import Factories, csrf_token


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def _errors(response: Any) -> list[str]:
    return [a.get_text(strip=True) for a in _soup(response).select(".govuk-error-summary a")]


@pytest.fixture()
def world(client: Any, factories: Factories) -> dict[str, Any]:
    area = factories.convening_area()
    partners = factories.partners(area.case.local_authority)
    factories.sign_in(client, area.coordinator)
    return {"area": area, "partners": partners, "coordinator": area.coordinator}


def _open_case(client: Any, **answers: str) -> Case:
    data = _new_case_form(client, **answers)
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302, _errors(response)
    case_id = uuid.UUID(response.headers["Location"].rsplit("/", 1)[1])
    case = db.session.get(Case, case_id)
    assert case is not None
    return case


def _involved(case: Case) -> dict[AgencyKind, CaseAgency]:
    links = db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id)).all()
    return {AgencyKind(link.agency.kind): link for link in links}


def _start(client: Any, case: Case, meeting_type: str = "strategy_discussion") -> Conference:
    path = f"/cases/{case.id}/conferences/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "meeting_type": meeting_type})
    assert response.status_code == 302
    conference = db.session.get(Conference, uuid.UUID(response.headers["Location"].split("/")[2]))
    assert conference is not None
    return conference


def _seats(conference: Conference) -> dict[Seat, Any]:
    db.session.refresh(conference)
    return {Seat(s.role): s for s in conference.roles}


def _people_post(client: Any, conference: Conference, **data: str) -> Any:
    path = f"/conferences/{conference.id}/people"
    page = _soup(client.get(path))
    form = {i["name"]: i["value"] for i in page.select("input[type=radio][checked]")}
    form.update(data)
    return client.post(path, data={"csrf_token": csrf_token(client, path), **form})


# --- partner agencies on the case ------------------------------------------------------------------------


def test_opening_answers_propose_the_agencies_and_record_who_added_them(client, world):
    case = _open_case(client, foreign_national="yes", guardian_allocated="yes", in_education="no")
    involved = _involved(case)
    assert set(involved) == {
        AgencyKind.CHILDREN_SOCIAL_CARE,
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.HOME_OFFICE,
        AgencyKind.GUARDIAN_SERVICE,
    }
    # The Home Office team sits in the neighbouring area and is shared with this one.
    assert involved[AgencyKind.HOME_OFFICE].agency.id == world["partners"]["home_office"].id
    assert all(link.added_by_id == world["coordinator"].id and link.added_at for link in involved.values())
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.agencies.propose", AuditEvent.object_id == str(case.id))
    ).one()
    assert audit.detail["answers"]["foreign_national"] is True

    page = _soup(client.get(f"/cases/{case.id}"))
    table = page.select_one("#involved-agencies").get_text(" ", strip=True)
    assert "Home Office Safeguarding Team North" in table and "ICTG Service" in table
    assert world["coordinator"].display_name in table
    assert "Northbridge Academy" not in table


def test_each_answer_adds_its_agency_and_a_missing_one_is_explained(client, world, factories):
    case = _open_case(client, foreign_national="no", in_education="yes", nrm_referral_made="yes")
    assert set(_involved(case)) == {
        AgencyKind.CHILDREN_SOCIAL_CARE,
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.EDUCATION,
        AgencyKind.SINGLE_COMPETENT_AUTHORITY,
    }
    # An area with no ICTG service serving it (the service moved to the neighbouring area, serving only there; the
    # first case's safety checklist still names it as an owner, so it is moved rather than deleted): the page says so.
    world["partners"]["ictg"].local_authority_id = world["partners"]["neighbour"].id
    db.session.flush()
    case = _open_case(client, guardian_allocated="yes")
    assert AgencyKind.GUARDIAN_SERVICE not in _involved(case)
    warning = _soup(client.get(f"/cases/{case.id}")).select_one(".govuk-warning-text").get_text(" ", strip=True)
    assert "No Guardian service (ICTG) in the directory serves this area" in warning


def test_the_opening_questions_must_be_answered(client, world):
    data = _new_case_form(client)
    del data["foreign_national"]
    data["guardian_allocated"] = "perhaps"
    response = client.post("/cases/new", data=data)
    assert response.status_code == 400
    assert _errors(response) == [
        "Select yes if the child is a foreign national",
        "Select yes if an Independent Child Trafficking Guardian has been allocated",
    ]
    assert db.session.scalars(select(Case).where(Case.child_first_name == "Canaryfirst")).first() is None


def test_a_member_of_an_involved_agency_sees_the_case_and_others_do_not(client, world, factories):
    case = _open_case(client, foreign_national="yes")
    home_office_member = factories.user(world["partners"]["home_office"], Role.AGENCY_MEMBER)
    education_member = factories.user(world["partners"]["education"], Role.AGENCY_MEMBER)
    factories.sign_in(client, home_office_member)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert case.reference in client.get("/cases").get_data(as_text=True)
    factories.sign_in(client, education_member)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert case.reference not in client.get("/cases").get_data(as_text=True)


def test_coordinator_adds_and_removes_an_agency_audited_with_clear_errors(client, world, factories):
    case = _open_case(client)
    path = f"/cases/{case.id}/agencies"
    education = world["partners"]["education"]
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "action": "add", "agency": str(education.id)}
    )
    assert response.status_code == 302
    assert "Northbridge Academy is now involved" in client.get(path).get_data(as_text=True)
    assert _involved(case)[AgencyKind.EDUCATION].added_by_id == world["coordinator"].id
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.agency.add")).first() is not None

    for value, message in (
        (str(uuid.uuid4()), "Select an agency from the list"),
        ("not-an-id", "Select an agency from the list"),
        (str(education.id), "Northbridge Academy is already involved in this case"),
    ):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), "action": "add", "agency": value})
        assert response.status_code == 400
        assert _errors(response) == [message]
    # An agency of another area, not shared with this one, is not offered and is refused.
    elsewhere = factories.agency(world["partners"]["neighbour"], AgencyKind.POLICE, "East Bramley Police")
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "action": "add", "agency": str(elsewhere.id)}
    )
    assert response.status_code == 400 and _errors(response) == ["Select an agency from the list"]

    response = client.post(path, data={"csrf_token": csrf_token(client, path), "action": f"remove:{education.id}"})
    assert response.status_code == 302
    assert AgencyKind.EDUCATION not in _involved(case)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.agency.remove")).first() is not None
    social_care = _involved(case)[AgencyKind.CHILDREN_SOCIAL_CARE].agency
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "action": f"remove:{social_care.id}"})
    assert response.status_code == 400
    assert _errors(response) == [f"{social_care.name} holds the case and cannot be removed"]


# --- seats ---------------------------------------------------------------------------------------------


def test_foreign_national_child_with_an_ictg_gets_home_office_guardian_and_chair_seats(client, world):
    case = _open_case(client, foreign_national="yes", guardian_allocated="yes", languages="Vietnamese")
    seats = _seats(_start(client, case))
    people = world["partners"]["people"]
    assert seats[Seat.CHAIR].required
    assert seats[Seat.CHAIR].candidate_ids == [str(world["area"].people["chair"].id)]
    assert str(people["home_office"].id) in seats[Seat.HOME_OFFICE].candidate_ids  # shared from East Bramley
    page = _soup(client.get(f"/conferences/{seats[Seat.HOME_OFFICE].conference_id}/people"))
    card = page.select_one(f"#role-{seats[Seat.HOME_OFFICE].id}").get_text(" ", strip=True)
    assert "Home Office Safeguarding Team North (shared from East Bramley)" in card
    assert seats[Seat.GUARDIAN].candidate_ids == [str(people["ictg"].id)]
    # The interpreter's seat is for the child's language only.
    assert seats[Seat.INTERPRETER].candidate_ids == [str(people["vietnamese"].id)]
    assert Seat.EDUCATION not in seats


def test_only_people_who_may_chair_are_chair_candidates_here_or_elsewhere(client, world, factories):
    neighbour_csc = factories.agency(world["partners"]["neighbour"], AgencyKind.CHILDREN_SOCIAL_CARE)
    factories.known_person(neighbour_csc, "Not A Chair", "social_worker")
    chair_elsewhere = factories.known_person(neighbour_csc, "Rene Reviewing", "reviewing_officer")
    case = _open_case(client)
    conference = _start(client, case)
    seat = _seats(conference)[Seat.CHAIR]
    assert seat.candidate_ids == [str(world["area"].people["chair"].id)]
    page = _soup(client.get(f"/conferences/{conference.id}/people"))
    options = [o.get_text() for o in page.select(f"#add-{seat.id} option")]
    assert any("Rene Reviewing" in o for o in options)
    assert not any("Not A Chair" in o for o in options)
    response = _people_post(client, conference, action=f"add:{seat.id}", **{f"add-{seat.id}": str(chair_elsewhere.id)})
    assert response.status_code == 302
    assert _seats(conference)[Seat.CHAIR].candidate_ids[-1] == str(chair_elsewhere.id)


def test_no_interpreter_speaks_the_child_s_language_is_explained(client, world):
    case = _open_case(client, languages="Tigrinya, some English")
    conference = _start(client, case)
    seat = _seats(conference)[Seat.INTERPRETER]
    assert seat.candidate_ids == []
    page = _soup(client.get(f"/conferences/{conference.id}/people"))
    assert "No interpreter in the directory speaks Tigrinya." in page.select_one(f"#explain-{seat.id}").get_text()


def test_coordinator_adds_removes_and_toggles_seats_with_clear_errors(client, world):
    case = _open_case(client, interpreter_needed="no")
    conference = _start(client, case)
    assert Seat.EDUCATION not in _seats(conference)
    education = world["partners"]["education"]

    response = _people_post(
        client, conference, action="seat-add", **{"seat-role": "education", "seat-agency": str(education.id)}
    )
    assert response.status_code == 302
    seat = _seats(conference)[Seat.EDUCATION]
    assert not seat.required and seat.candidate_ids == [str(world["partners"]["people"]["education"].id)]
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "conference.seat.add")).first()

    for data, message in (
        ({"seat-role": "astronaut"}, "Select the role of the new seat"),
        ({"seat-role": "education"}, "There is already a seat for Education. Add people to it instead."),
        (
            {"seat-role": "legal", "seat-agency": str(education.id)},
            "Select an agency that can fill the Legal seat, or 'Any agency'",
        ),
        (
            {"seat-role": "legal", "seat-agency": str(uuid.uuid4())},
            "Select an agency that can fill the Legal seat, or 'Any agency'",
        ),
        ({"seat-role": "legal", "seat-required": "maybe"}, "Select whether the new seat is required"),
    ):
        response = _people_post(client, conference, action="seat-add", **data)
        assert response.status_code == 400, data
        assert _errors(response) == [message]

    police = _seats(conference)[Seat.POLICE]
    response = _people_post(client, conference, action=f"remove:{police.id}")
    assert response.status_code == 400
    assert _errors(response) == ["Police is required, so it cannot be removed. Choose 'Optional' first."]
    assert Seat.POLICE in _seats(conference)

    response = _people_post(client, conference, action=f"remove:{seat.id}")
    assert response.status_code == 302
    assert Seat.EDUCATION not in _seats(conference)
    # Made optional and removed in one step.
    response = _people_post(client, conference, action=f"remove:{police.id}", **{f"required-{police.id}": "no"})
    assert response.status_code == 302
    assert Seat.POLICE not in _seats(conference)


def test_a_required_seat_without_anyone_stops_find_times_with_a_message(client, world):
    case = _open_case(client)
    conference = _start(client, case)
    response = _people_post(client, conference, action="seat-add", **{"seat-role": "legal", "seat-required": "yes"})
    assert response.status_code == 302
    response = _people_post(client, conference, action="continue")
    assert response.status_code == 400
    assert _errors(response) == ["Add a person to Legal, or make it optional"]


def test_the_seats_still_make_a_scheduler_request_of_the_documented_format(client, world):
    from conference.convening.options import solved_request

    case = _open_case(client, foreign_national="yes", guardian_allocated="yes", languages="Arabic")
    conference = _start(client, case)
    from datetime import UTC, datetime, timedelta

    from conference.convening import options, request

    now = datetime.now(UTC)
    request.set_window(world["coordinator"], conference, now, now + timedelta(days=2), 60)
    options.find_options(conference)
    solved = solved_request(conference)
    assert solved is not None
    roles = {r["role"]: r for r in solved["roles"]}
    assert {"chair", "home_office", "guardian", "interpreter"} <= set(roles)
    assert roles["chair"]["required"] is True
    assert roles["interpreter"]["candidates"] == [str(world["partners"]["people"]["arabic"].id)]


# --- demo ----------------------------------------------------------------------------------------------


def test_the_demo_foreign_national_case_has_partners_and_its_meeting_their_seats(app):
    from conference.demo import load_demo
    from conference.directory.models import Person

    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(environment="development")
    try:
        load_demo()
    finally:
        app.config["SETTINGS"] = settings
    case = db.session.scalars(select(Case).where(Case.reference.endswith("-0001"))).one()
    involved = {
        link.agency.name: link for link in db.session.scalars(select(CaseAgency).where(CaseAgency.case_id == case.id))
    }
    assert "Home Office Safeguarding Hub, Eastmere" in involved and "Northbridge Guardian Service" in involved
    assert all(link.added_by_id is not None for link in involved.values())
    conference = db.session.scalars(select(Conference).where(Conference.case_id == case.id)).first()
    assert conference is not None
    seats = {Seat(s.role): s for s in conference.roles}
    assert {Seat.CHAIR, Seat.HOME_OFFICE, Seat.GUARDIAN, Seat.INTERPRETER} <= set(seats)
    hub_lead = db.session.scalars(select(Person).where(Person.email == "parisa.hollingworth@homeoffice.example")).one()
    assert str(hub_lead.id) in seats[Seat.HOME_OFFICE].candidate_ids
    interpreters = [db.session.get(Person, uuid.UUID(i)) for i in seats[Seat.INTERPRETER].candidate_ids]
    assert interpreters and all("Vietnamese" in p.languages for p in interpreters)
    chairs = [db.session.get(Person, uuid.UUID(i)) for i in seats[Seat.CHAIR].candidate_ids]
    assert chairs and all({"may_chair", "reviewing_officer"} & set(p.role_tags) for p in chairs)


# --- directory: languages --------------------------------------------------------------------------------


def test_an_administrator_records_an_interpreter_s_languages_and_the_directory_shows_them(client, world, factories):
    from conference.directory.models import Person
    from tests.integration.test_directory import _form

    interpreting = world["partners"]["interpreting"]
    factories.sign_in(client, factories.user(interpreting, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{interpreting.id}/people/new"
    data = _form(client, path, name="Tigi Interpreter", email="tigi@example.test", role_tags="interpreter")
    data.update(availability_source="none", languages="Tigrinya, Amharic, Tigrinya")
    assert client.post(path, data=data).status_code == 302
    person = db.session.scalars(select(Person).where(Person.email == "tigi@example.test")).one()
    assert person.languages == ["Tigrinya", "Amharic"]
    page = client.get(f"/directory/agencies/{interpreting.id}").get_data(as_text=True)
    assert "Speaks Tigrinya, Amharic" in page
    shared = client.get(f"/directory/agencies/{world['partners']['home_office'].id}").get_data(as_text=True)
    assert "Also serves NB, EB" in shared
    data = _form(client, path, name="Long Languages", email="long@example.test", languages="x" * 201)
    response = client.post(path, data={**data, "availability_source": "none"})
    assert response.status_code == 400
    assert _errors(response) == ["Languages must be 200 characters or fewer"]

    # The child's Tigrinya now finds the new interpreter.
    factories.sign_in(client, world["coordinator"])
    case = _open_case(client, languages="Tigrinya")
    seat = _seats(_start(client, case))[Seat.INTERPRETER]
    assert seat.candidate_ids == [str(person.id)]


def test_the_child_s_advocate_and_guardian_have_seats_at_the_conference_the_child_attends(client, world, factories):
    advocacy = factories.agency(world["area"].case.local_authority, AgencyKind.ADVOCACY, "Children's Advocacy")
    advocate = factories.known_person(advocacy, "Ada Advocate", "advocate")
    case = _open_case(client, guardian_allocated="yes")
    path = f"/cases/{case.id}/agencies"
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "action": "add", "agency": str(advocacy.id)}
    )
    assert response.status_code == 302
    conference_seats = _seats(_start(client, case, "initial_child_protection_conference"))
    assert conference_seats[Seat.ADVOCATE].candidate_ids == [str(advocate.id)]
    assert not conference_seats[Seat.ADVOCATE].required
    assert Seat.GUARDIAN in conference_seats and conference_seats[Seat.CHAIR].required
    strategy_seats = _seats(_start(client, case))
    assert Seat.ADVOCATE not in strategy_seats and Seat.GUARDIAN in strategy_seats
