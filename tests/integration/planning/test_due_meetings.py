"""Plan the week collects the meetings due by their timescale that nobody has started: an initial child protection
conference after a strategy discussion that started section 47 enquiries, and reviews after a conference."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from conference.auth.models import Role
from conference.cases.models import Case, CaseStatus, MissingRisk
from conference.convening.models import Conference, ConferenceStatus
from conference.extensions import db
from conference.planning import batch, services, worker
from conference.planning.models import PlanRun
from decisions.models import DecisionRecord, DecisionVersion
from rules.display import to_london
from rules.timescales import default_window
from rules.vocabulary import MeetingType, Nation
from tests.integration.convening.conftest import build_area, post, soup

pytestmark = pytest.mark.committed  # the plan's worker claims runs on its own connection

NOW = datetime.now(UTC)


def meeting(case: Case, meeting_type: MeetingType, status: ConferenceStatus, start_at: datetime | None) -> Conference:
    conference = Conference(
        case_id=case.id,
        reference=f"MTG-{secrets.token_hex(3).upper()}",
        meeting_type=meeting_type,
        nation=Nation.ENGLAND,
        status=status,
        start_at=start_at,
        end_at=start_at + timedelta(hours=1) if start_at else None,
        ical_uid=secrets.token_hex(12),
    )
    db.session.add(conference)
    db.session.flush()
    return conference


def sign(conference: Conference, signer_id: uuid.UUID, *, start_enquiries: str) -> None:
    """A signed decision for the conference answering "start section 47 enquiries"."""
    record = DecisionRecord(conference_id=conference.id, case_id=conference.case_id, signed_version=1)
    db.session.add(record)
    db.session.flush()
    content = json.dumps({"outcome": {"start_enquiries": start_enquiries}}, sort_keys=True)
    db.session.add(
        DecisionVersion(
            record_id=record.id,
            number=1,
            kind="signed",
            content=content,
            content_sha256="0" * 64,
            signed_by_id=signer_id,
        )
    )
    db.session.flush()


@pytest.fixture()
def area(factories) -> Any:  # type: ignore[no-untyped-def]
    built = build_area(factories)
    csc = db.session.get(type(built.coordinator.agency), built.coordinator.agency_id)
    built.manager = factories.user(csc, Role.MANAGER)
    return built


def week() -> tuple[Any, Any]:
    today = to_london(NOW).date()
    return today, today + timedelta(days=6)


def test_an_initial_conference_is_due_after_a_strategy_discussion_that_started_enquiries(area, factories) -> None:
    coordinator = area.coordinator
    enquiries = factories.case(coordinator, child_first_name="Enquiry", missing_risk=MissingRisk.HIGH)
    no_enquiries = factories.case(coordinator, child_first_name="Noenquiry")
    held_at = NOW - timedelta(days=2)
    sign(
        meeting(enquiries, MeetingType.STRATEGY_DISCUSSION, ConferenceStatus.HELD, held_at),
        coordinator.id,
        start_enquiries="yes",
    )
    sign(
        meeting(no_enquiries, MeetingType.STRATEGY_DISCUSSION, ConferenceStatus.HELD, held_at),
        coordinator.id,
        start_enquiries="no",
    )
    db.session.commit()

    due = services.find_due(area.manager, *week(), now_at=NOW)

    assert [(d.case_id, d.meeting_type) for d in due] == [
        (enquiries.id, MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE)
    ]
    expected = default_window(
        meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        nation=Nation.ENGLAND,
        identified_at=enquiries.identified_at,
        at_risk_of_going_missing=True,
        strategy_discussion_at=held_at,
        now_at=NOW,
    )
    assert due[0].deadline_at == expected.deadline_at and "15 working days" in due[0].basis
    assert due[0].priority == 3 + 3  # initial conference 3, high risk of going missing 3
    assert not due[0].overdue


def test_a_review_is_due_by_its_timescale_and_not_once_one_is_being_arranged(area, factories) -> None:
    coordinator = area.coordinator
    # The first review is due within 3 months of the initial conference (that day is day 1): held 3 months less
    # 4 days ago, the review is due in 3 days; one held a month ago is not due for two months: not collected.
    due_soon = factories.case(coordinator, child_first_name="Duesoon", missing_risk=MissingRisk.LOW)
    later = factories.case(coordinator, child_first_name="Later")
    overdue = factories.case(coordinator, child_first_name="Overdue", missing_risk=MissingRisk.MEDIUM)
    closed = factories.case(coordinator, child_first_name="Closed")
    long_overdue = factories.case(coordinator, child_first_name="Longoverdue")
    icpc = MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE
    meeting(due_soon, icpc, ConferenceStatus.HELD, NOW - timedelta(days=88))
    meeting(later, icpc, ConferenceStatus.HELD, NOW - timedelta(days=30))
    meeting(overdue, MeetingType.REVIEW, ConferenceStatus.HELD, NOW - timedelta(days=190))  # due a week ago
    # Due about two months ago: more than DUE_OVERDUE_DAYS overdue, not collected.
    meeting(long_overdue, MeetingType.REVIEW, ConferenceStatus.HELD, NOW - timedelta(days=240))
    meeting(closed, icpc, ConferenceStatus.HELD, NOW - timedelta(days=88))
    closed.status = CaseStatus.CLOSED
    db.session.commit()

    due = services.find_due(area.manager, *week(), now_at=NOW)

    assert [(d.case_id, d.meeting_type) for d in due] == [
        (overdue.id, MeetingType.REVIEW),  # priority 1 + 1 (medium risk)
        (due_soon.id, MeetingType.REVIEW),  # priority 1 + 0
    ]
    assert due[0].overdue and "6 months" in due[0].basis and due[0].priority == 2
    assert not due[1].overdue and "3 months" in due[1].basis and due[1].priority == 1
    assert NOW < due[1].deadline_at < NOW + timedelta(days=5)

    meeting(due_soon, MeetingType.REVIEW, ConferenceStatus.DRAFT, None)
    db.session.commit()
    assert [d.case_id for d in services.find_due(area.manager, *week(), now_at=NOW)] == [overdue.id]


def test_due_meetings_are_scoped_to_the_users_area(area, factories) -> None:
    elsewhere = factories.area("EM", "Eastmere")
    other = factories.user(factories.agency(elsewhere), Role.COORDINATOR)
    theirs = factories.case(other)
    meeting(theirs, MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, ConferenceStatus.HELD, NOW - timedelta(days=88))
    db.session.commit()
    assert services.find_due(area.manager, *week(), now_at=NOW) == []
    assert [d.case_id for d in services.find_due(other, *week(), now_at=NOW)] == [theirs.id]


def test_the_start_page_lists_them_and_the_plan_places_them_as_drafts(client, area, factories) -> None:
    coordinator = area.coordinator
    enquiries = factories.case(coordinator, child_first_name="Enquiry", missing_risk=MissingRisk.HIGH)
    sign(
        meeting(enquiries, MeetingType.STRATEGY_DISCUSSION, ConferenceStatus.HELD, NOW - timedelta(days=1)),
        coordinator.id,
        start_enquiries="yes",
    )
    db.session.commit()
    factories.sign_in(client, area.manager)

    page = soup(client.get("/planning"))
    rows = page.select("#due-meetings tbody tr")
    assert len(rows) == 1
    assert enquiries.reference in rows[0].get_text() and "Initial child protection conference" in rows[0].get_text()
    assert rows[0].find_all("td")[3].get_text(strip=True) == "6"

    today, last = week()
    form = {
        "from-day": str(today.day),
        "from-month": str(today.month),
        "from-year": str(today.year),
        "to-day": str(last.day),
        "to-month": str(last.month),
        "to-year": str(last.year),
    }
    response = post(client, "/planning", form)
    assert response.status_code == 302
    draft = db.session.scalars(
        select(Conference).where(
            Conference.case_id == enquiries.id,
            Conference.meeting_type == MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        )
    ).one()
    assert draft.status is ConferenceStatus.DRAFT and draft.roles
    run = db.session.scalars(select(PlanRun)).one()
    assert draft.reference in {m["reference"] for m in run.meetings}
    assert {c["id"]: c["priority"] for c in run.batch["conferences"]}[draft.reference] == 6

    # Asked again, the same plan: the draft is now waiting, not due again.
    assert post(client, "/planning", form).headers["Location"] == response.headers["Location"]
    assert soup(client.get("/planning")).select_one("#due-none") is not None
    while worker.run_once():
        pass


def test_nothing_due_and_nothing_waiting_is_refused_with_a_message(client, area, factories) -> None:
    factories.sign_in(client, area.manager)
    today, last = week()
    form = {
        "from-day": str(today.day),
        "from-month": str(today.month),
        "from-year": str(today.year),
        "to-day": str(last.day),
        "to-month": str(last.month),
        "to-year": str(last.year),
    }
    response = post(client, "/planning", form)
    assert response.status_code == 400
    assert "no meetings waiting" in soup(response).select_one(".govuk-error-summary").get_text()
    assert db.session.scalar(select(Conference.id).where(Conference.status == ConferenceStatus.DRAFT)) is None


def test_an_overdue_review_is_planned_over_the_whole_period_and_marked_overdue(client, area, factories) -> None:
    overdue = factories.case(area.coordinator, child_first_name="Overdue")
    meeting(overdue, MeetingType.REVIEW, ConferenceStatus.HELD, NOW - timedelta(days=190))
    db.session.commit()
    factories.sign_in(client, area.manager)
    page = soup(client.get("/planning"))
    assert "Overdue" in page.select_one("#due-meetings tbody tr").get_text()
    today, last = week()
    form = {
        "from-day": str(today.day),
        "from-month": str(today.month),
        "from-year": str(today.year),
        "to-day": str(last.day),
        "to-month": str(last.month),
        "to-year": str(last.year),
    }
    assert post(client, "/planning", form).status_code == 302
    run = db.session.scalars(select(PlanRun)).one()
    [entry] = [m for m in run.meetings if m["case_reference"] == overdue.reference]
    assert entry["overdue"] and entry["meeting_type"] == MeetingType.REVIEW.label
    _start, end = batch.period_bounds(today, last)
    assert services.parse_instant(entry["deadline"]) == end
    # Availability read over the plan's window, not the meeting's own (passed) one: the people with calendars
    # are known, not "unknown".
    [planned] = [c for c in run.batch["conferences"] if c["id"] == entry["id"]]
    people = {p for role in planned["roles"] for p in role["candidates"]}
    known = {str(p.id) for p in area.people.values() if p.availability_ics}
    assert people & known
    assert all(run.batch["people"][p].get("availability") != "unknown" for p in people & known)
    while worker.run_once():
        pass
