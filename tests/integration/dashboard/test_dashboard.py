"""The case dashboard and the agency engagement report, on a real database with seeded rows."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, func, select, update

from conference.audit import AuditEvent
from conference.auth.models import Role, User
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.dashboard import cache, decisions_adapter
from conference.dashboard.panel import Panel
from conference.directory.models import Person
from conference.extensions import db
from conference.safety.models import MissingEpisode
from rules.age import birthday_in
from rules.safety import PoliceRisk
from rules.timescales import london_date
from rules.vocabulary import AgencyKind, MeetingType, Nation, Seat

_refs = itertools.count(1)
NOW = datetime.now(UTC)
TODAY = london_date(NOW)


def conference(case: Case, *, status: ConferenceStatus, start_at: datetime) -> Conference:
    n = next(_refs)
    row = Conference(
        case_id=case.id,
        reference=f"MTG-T{n:03d}",
        meeting_type=MeetingType.STRATEGY_DISCUSSION,
        nation=Nation.ENGLAND,
        status=status,
        start_at=start_at,
        end_at=start_at + timedelta(hours=1),
        ical_uid=f"uid-{uuid.uuid4()}@convene.test",
    )
    db.session.add(row)
    db.session.flush()
    return row


def invite(
    meeting: Conference,
    seat: Seat,
    person: Person,
    response: ResponseStatus,
    *,
    reply_after: timedelta | None = None,
    deputy_rank: int = 0,
) -> Attendee:
    role = next((r for r in meeting.roles if r.role == seat), None)
    if role is None:
        role = ConferenceRole(conference_id=meeting.id, role=seat, position=len(meeting.roles))
        meeting.roles.append(role)
        db.session.flush()
    invited_at = meeting.start_at - timedelta(days=2)  # type: ignore[operator]
    attendee = Attendee(
        conference_id=meeting.id,
        conference_role_id=role.id,
        person_id=person.id,
        response=response,
        deputy_rank=deputy_rank,
        responded_at=invited_at + reply_after if reply_after is not None else None,
    )
    db.session.add(attendee)
    db.session.flush()
    attendee.created_at = invited_at
    return attendee


def missing_episode(case: Case, index: int) -> MissingEpisode:
    return MissingEpisode(
        case_id=case.id,
        last_seen_at=NOW - timedelta(hours=index + 3),
        reported_at=NOW - timedelta(hours=index + 2),
        police_reference=f"MP/{index}",
        risk=PoliceRisk.HIGH,
    )


@pytest.fixture()
def area_setup(factories):  # type: ignore[no-untyped-def]
    area = factories.area("NB", "Northbridge")
    social_care = factories.agency(area, AgencyKind.CHILDREN_SOCIAL_CARE, name="Northbridge Children's Services")
    police = factories.agency(area, AgencyKind.POLICE, name="Northbridge Police")
    health = factories.agency(area, AgencyKind.HEALTH, name='=HYPERLINK("http://evil.example")')
    coordinator = factories.user(social_care, Role.COORDINATOR)
    other_area = factories.area("EM", "Eastmere")
    other_agency = factories.agency(other_area, AgencyKind.POLICE, name="Eastmere Police")
    other_coordinator = factories.user(factories.agency(other_area), Role.COORDINATOR)
    return {
        "area": area,
        "social_care": social_care,
        "police": police,
        "health": health,
        "coordinator": coordinator,
        "other_agency": other_agency,
        "other_coordinator": other_coordinator,
        "factories": factories,
    }


@contextmanager
def count_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def soup_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def test_open_cases_by_urgency_in_the_users_area_only(client, area_setup) -> None:
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    low = f.case(coordinator, missing_risk=MissingRisk.LOW, identified_at=NOW - timedelta(hours=1))
    high_old = f.case(coordinator, missing_risk=MissingRisk.HIGH, identified_at=NOW - timedelta(days=3, hours=4))
    high_new = f.case(coordinator, missing_risk=MissingRisk.HIGH, identified_at=NOW - timedelta(hours=5))
    closed = f.case(coordinator, missing_risk=MissingRisk.HIGH)
    db.session.execute(update(Case).where(Case.id == closed.id).values(status=CaseStatus.CLOSED))
    db.session.commit()
    elsewhere = f.case(area_setup["other_coordinator"], missing_risk=MissingRisk.HIGH)
    f.sign_in(client, coordinator)

    page = soup_of(client.get("/dashboard"))
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all("td")] for tr in page.select("#open-cases tbody tr")]
    assert [r[0] for r in rows] == [high_new.reference, high_old.reference, low.reference]
    assert rows[1][1:] == ["High", "3 days 4 hours"]
    assert elsewhere.reference not in page.get_text() and closed.reference not in page.get_text()
    assert "3 open cases" in page.select_one("#open-cases caption").get_text()


def test_meetings_coming_up_and_awaiting_a_decision(client, area_setup) -> None:
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    case = f.case(coordinator)
    soon = conference(case, status=ConferenceStatus.INVITED, start_at=NOW + timedelta(hours=3))
    later = conference(case, status=ConferenceStatus.INVITED, start_at=NOW + timedelta(days=2))
    conference(case, status=ConferenceStatus.DRAFT, start_at=NOW + timedelta(hours=1))
    conference(case, status=ConferenceStatus.CANCELLED, start_at=NOW - timedelta(hours=1))
    held = conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=1))
    past_invited = conference(case, status=ConferenceStatus.INVITED, start_at=NOW - timedelta(hours=2))
    other_case = f.case(area_setup["other_coordinator"])
    hidden = conference(other_case, status=ConferenceStatus.INVITED, start_at=NOW + timedelta(hours=4))
    db.session.commit()
    f.sign_in(client, coordinator)

    page = soup_of(client.get("/dashboard"))
    coming = page.select_one("#meetings-coming-up").get_text(" ", strip=True)
    awaiting = page.select_one("#meetings-awaiting-decision").get_text(" ", strip=True)
    assert coming.index(soon.reference) < coming.index(later.reference)
    assert hidden.reference not in page.get_text()
    assert len(page.select("#meetings-coming-up li")) == 2
    assert len(page.select("#meetings-awaiting-decision li")) == 2
    assert "no signed decision" in awaiting and str(case.reference) in awaiting
    assert awaiting.index(held.reference) < awaiting.index(past_invited.reference)  # in start order


def _seed_engagement(area_setup) -> dict[str, object]:  # type: ignore[no-untyped-def]
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    police, health = area_setup["police"], area_setup["health"]
    officer, sergeant = f.person(police), f.person(police)
    nurse = f.person(health)
    case = f.case(coordinator)
    first = conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=10))
    second = conference(case, status=ConferenceStatus.INVITED, start_at=NOW - timedelta(days=3))
    before_period = conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=200))
    invite(first, Seat.POLICE, officer, ResponseStatus.ACCEPTED, reply_after=timedelta(hours=2))
    invite(first, Seat.HEALTH, nurse, ResponseStatus.WRITTEN_SUBMISSION, reply_after=timedelta(hours=10))
    invite(second, Seat.POLICE, officer, ResponseStatus.SENDING_DEPUTY, reply_after=timedelta(hours=4))
    invite(second, Seat.POLICE, sergeant, ResponseStatus.ACCEPTED, reply_after=timedelta(hours=9), deputy_rank=1)
    invite(second, Seat.HEALTH, nurse, ResponseStatus.NEEDS_ACTION)
    invite(second, Seat.EDUCATION, f.person(health), ResponseStatus.NOT_SENT)  # not sent: not counted
    invite(before_period, Seat.POLICE, officer, ResponseStatus.DECLINED, reply_after=timedelta(hours=1))
    other_case = f.case(area_setup["other_coordinator"])
    elsewhere = conference(other_case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=5))
    invite(
        elsewhere,
        Seat.POLICE,
        f.person(area_setup["other_agency"]),
        ResponseStatus.ACCEPTED,
        reply_after=timedelta(hours=1),
    )
    db.session.commit()
    return {"case": case}


def test_engagement_report_by_agency_over_the_period(client, area_setup) -> None:
    _seed_engagement(area_setup)
    area_setup["factories"].sign_in(client, area_setup["coordinator"])
    page = soup_of(client.get("/dashboard"))
    table = {
        tr.find("th").get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.select("#engagement-table tbody tr")
    }
    assert set(table) == {"Northbridge Police", '=HYPERLINK("http://evil.example")'}  # Eastmere is out of scope
    # invitations, in person, remotely, deputies, written, no-shows, median reply (2h, 4h, 9h -> 4h)
    assert table["Northbridge Police"] == ["3", "Not recorded", "Not recorded", "2", "0", "Not recorded", "4 hours"]
    assert table['=HYPERLINK("http://evil.example")'] == [
        "2",
        "Not recorded",
        "Not recorded",
        "0",
        "1",
        "Not recorded",
        "10 hours",
    ]
    chart = page.select_one("svg.app-chart__svg")
    assert chart["role"] == "img" and chart["aria-labelledby"]
    police_bars = [r.find("title").get_text() for r in chart.select("rect")]
    assert "Northbridge Police: 3 other answers or not recorded" in police_bars

    start, end = NOW - timedelta(days=300), NOW - timedelta(days=150)
    earlier = client.get(
        "/dashboard",
        query_string={
            "from-day": str(start.day),
            "from-month": str(start.month),
            "from-year": str(start.year),
            "to-day": str(end.day),
            "to-month": end.strftime("%b"),
            "to-year": str(end.year),
        },
    )
    assert earlier.status_code == 200
    rows = soup_of(earlier).select("#engagement-table tbody tr")
    assert [r.find("th").get_text(strip=True) for r in rows] == ["Northbridge Police"]
    assert rows[0].find_all("td")[0].get_text(strip=True) == "1"


def test_engagement_csv_is_neutralised_and_audited(client, area_setup) -> None:
    _seed_engagement(area_setup)
    area_setup["factories"].sign_in(client, area_setup["coordinator"])
    response = client.get("/dashboard/engagement.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="agency-engagement-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "Agency" and len(rows) == 3
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in names and "Northbridge Police" in names
    police = next(r for r in rows if r[0] == "Northbridge Police")
    assert police[1:] == ["3", "", "", "2", "0", "", "4.0"]
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.engagement_csv")).all()
    assert len(exports) == 1 and exports[0].detail["agencies"] == 2


def test_period_errors_use_design_system_messages(client, area_setup) -> None:
    area_setup["factories"].sign_in(client, area_setup["coordinator"])
    reversed_period = {
        "from-day": "10",
        "from-month": "3",
        "from-year": "2026",
        "to-day": "1",
        "to-month": "3",
        "to-year": "2026",
    }
    response = client.get("/dashboard", query_string=reversed_period)
    assert response.status_code == 400
    summary = soup_of(response).select_one(".govuk-error-summary").get_text()
    assert "The end of the period must be after the start of the period" in summary
    unreal = client.get("/dashboard", query_string={**reversed_period, "from-day": "31", "from-month": "feb"})
    assert unreal.status_code == 400
    assert "The start of the period must be a real date" in unreal.get_data(as_text=True)
    csv_refused = client.get("/dashboard/engagement.csv", query_string=reversed_period)
    assert csv_refused.status_code == 400 and csv_refused.mimetype == "text/html"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export.engagement_csv")
        )
        == 0
    )


def test_only_coordinators_and_managers_see_the_dashboard(client, area_setup) -> None:
    f = area_setup["factories"]
    member = f.user(area_setup["police"], Role.AGENCY_MEMBER)
    f.sign_in(client, member)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/engagement.csv").status_code == 403
    client.post("/logout", data={"csrf_token": _token(client)})
    f.sign_in(client, f.user(area_setup["social_care"], Role.MANAGER))
    assert client.get("/dashboard").status_code == 200


def _token(client) -> str:  # type: ignore[no-untyped-def]
    from tests.support.factories import csrf_token

    return csrf_token(client, "/cases")


def test_dashboard_queries_do_not_grow_with_the_data(client, area_setup) -> None:
    """No N+1: the same number of SQL statements for 2 meetings and 3 agencies as for 12 and 6."""
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    f.sign_in(client, coordinator)

    def seed(meetings: int, agencies: int) -> None:
        people = [f.person(f.agency(area_setup["area"], AgencyKind.POLICE)) for _ in range(agencies)]
        for index in range(meetings):
            case = f.case(coordinator)  # with its safety checklist, 3 items overdue 2 hours after identification
            db.session.add(missing_episode(case, index))
            # A child turning 18 within 100 days, and one whose estimate may (the "Approaching 18" panel).
            f.case(coordinator, child_born_on=birthday_in(TODAY + timedelta(days=index + 1), TODAY.year - 18))
            f.case(coordinator, child_estimated_age=17, child_born_on=None)
            past = conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=index + 1))
            conference(case, status=ConferenceStatus.INVITED, start_at=NOW + timedelta(days=index + 1))
            for person in people:
                invite(
                    past,
                    Seat.POLICE if person is people[0] else Seat.HEALTH,
                    person,
                    ResponseStatus.ACCEPTED,
                    reply_after=timedelta(hours=index + 1),
                )
        db.session.commit()

    seed(2, 3)
    client.get("/dashboard")
    cache.clear()  # the panels worked out afresh both times (a cached load is counted in test_dashboard_cache.py)
    with count_statements() as small:
        client.get("/dashboard")
    seed(10, 3)
    cache.clear()
    with count_statements() as large:
        page = soup_of(client.get("/dashboard"))
    assert len(page.select("#meetings-coming-up li")) == 12
    assert len(page.select("#missing-alerts li")) == 12 and len(page.select("#overdue-safety-actions li")) == 20
    assert len(page.select("#approaching-18 li")) == 12
    assert len(large) == len(small), "\n".join(large)
    # 10 before the safety (3 statements) and approaching-18 (1) panels; the bound moves only with a new panel.
    assert len(large) <= 15


def test_without_the_decisions_tables_the_adapter_answers_empty(monkeypatch, client, area_setup) -> None:
    monkeypatch.setattr(decisions_adapter, "_tables_present", {id(db.engine): False})
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    case = f.case(coordinator)
    held = conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=1))
    db.session.commit()
    user = db.session.get(User, coordinator.id)
    assert decisions_adapter.available() is False
    assert decisions_adapter.find_overdue_actions(user, NOW) == Panel([], 0)
    assert decisions_adapter.find_waiting_referrals(user, NOW.date()) == Panel([], 0)
    assert decisions_adapter.find_attendance([held.id]) == []
    f.sign_in(client, coordinator)
    page = soup_of(client.get("/dashboard"))
    assert held.reference in page.select_one("#meetings-awaiting-decision").get_text()
    assert "Actions appear here once meetings record them." in page.get_text()


def test_open_cases_panel_shows_the_most_urgent_twenty_and_counts_the_rest(client, area_setup) -> None:
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    high = [f.case(coordinator, missing_risk=MissingRisk.HIGH, identified_at=NOW - timedelta(hours=n)) for n in (1, 2)]
    for n in range(23):
        f.case(coordinator, missing_risk=MissingRisk.LOW, identified_at=NOW - timedelta(days=n + 1))
    f.sign_in(client, coordinator)

    page = soup_of(client.get("/dashboard"))
    rows = page.select("#open-cases tbody tr")
    assert len(rows) == 20
    assert [r.find("td").get_text(strip=True) for r in rows[:2]] == [high[0].reference, high[1].reference]
    assert "The 20 most urgent of 25 open cases" in page.select_one("#open-cases caption").get_text()
    link = page.select_one("#open-cases-more a")
    assert link.get_text(strip=True) == "See all 25 open cases" and link["href"] == "/cases?sort=urgency"
    tags = [r.select_one("strong.govuk-tag") for r in rows]
    assert tags[0]["class"] == ["govuk-tag", "govuk-tag--red"] and tags[0].get_text(strip=True) == "High"
    assert tags[-1]["class"] == ["govuk-tag", "govuk-tag--grey"] and tags[-1].get_text(strip=True) == "Low"


def test_meeting_panels_show_twenty_and_say_how_many_more(client, area_setup) -> None:
    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    case = f.case(coordinator)
    for n in range(22):
        conference(case, status=ConferenceStatus.INVITED, start_at=NOW + timedelta(days=n + 1))
    conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=1))
    db.session.commit()
    f.sign_in(client, coordinator)

    page = soup_of(client.get("/dashboard"))
    assert len(page.select("#meetings-coming-up li")) == 20
    more = page.select_one("#meetings-coming-up-more").get_text(" ", strip=True)
    assert more == "Showing 20 of 22 meetings, the most pressing first."
    assert page.select_one("#meetings-awaiting-decision-more") is None  # one meeting: nothing more to say


def test_overdue_actions_and_referrals_panels_count_beyond_their_limit(client, area_setup) -> None:
    from decisions.models import DecisionAction, DecisionRecord, NrmReferral

    f, coordinator = area_setup["factories"], area_setup["coordinator"]
    owner = f.person(area_setup["police"])
    cases = [f.case(coordinator) for _ in range(3)]
    for n, case in enumerate(cases):
        meeting = conference(case, status=ConferenceStatus.HELD, start_at=NOW - timedelta(days=30 + n))
        record = DecisionRecord(conference_id=meeting.id, case_id=case.id)
        db.session.add(record)
        db.session.flush()
        for k in range(2):
            db.session.add(
                DecisionAction(
                    record_id=record.id,
                    case_id=case.id,
                    description=f"Action {n}-{k}",
                    owner_person_id=owner.id,
                    agency_id=area_setup["police"].id,
                    due_at=NOW - timedelta(days=10 * n + k + 1),
                )
            )
        db.session.add(NrmReferral(case_id=case.id, referred_on=(NOW - timedelta(days=5 * n + 1)).date()))
    db.session.commit()
    user = db.session.get(User, coordinator.id)

    actions = decisions_adapter.find_overdue_actions(user, NOW, limit=4)
    assert actions.total == 6 and actions.more == 2
    assert [a.description for a in actions.rows] == ["Action 2-1", "Action 2-0", "Action 1-1", "Action 1-0"]
    assert {a.owner_name for a in actions.rows} == {owner.name}
    assert {a.agency_name for a in actions.rows} == {"Northbridge Police"}
    referrals = decisions_adapter.find_waiting_referrals(user, NOW.date(), limit=2)
    assert referrals.total == 3 and [r.case_reference for r in referrals.rows] == [
        cases[2].reference,
        cases[1].reference,
    ]  # the oldest referrals are read first
    assert (
        decisions_adapter.find_overdue_actions(db.session.get(User, area_setup["other_coordinator"].id), NOW).total == 0
    )

    f.sign_in(client, coordinator)
    page = soup_of(client.get("/dashboard"))
    assert len(page.select("#overdue-actions li")) == 6 and page.select_one("#overdue-actions-more") is None


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"from-day": "1", "from-month": "9", "from-year": "2026"}, None),
        ({}, None),
        ({"from-day": '<script>"x"</script>', "from-month": "feb"}, ("from-month", "The start must be a real date")),
        ({"from-day": "31"}, ("to-day", "An error on another field")),
    ],
)
def test_dashboard_date_input_is_the_shared_component_written_out(app, form, error) -> None:  # type: ignore[no-untyped-def]
    from conference.forms import FormErrors

    errors = FormErrors()
    if error:
        errors.add(*error)
    call = '{{ date_input("from", "From", "For example, 1 9 2026", form, errors) }}'
    shared = app.jinja_env.from_string('{% from "components/date.html" import date_input %}' + call)
    light = app.jinja_env.from_string('{% from "dashboard/_date_input.html" import date_input %}' + call)
    with app.test_request_context("/dashboard"):
        expected, actual = (BeautifulSoup(t.render(form=form, errors=errors), "html5lib") for t in (shared, light))

    def shape(soup: BeautifulSoup) -> list[tuple[str, dict[str, object], str]]:
        return [
            (tag.name, dict(tag.attrs), " ".join(tag.find_all(string=True, recursive=False)).strip())
            for tag in soup.body.find_all(True)
        ]

    assert shape(actual) == shape(expected)
    assert " ".join(actual.get_text().split()) == " ".join(expected.get_text().split())
