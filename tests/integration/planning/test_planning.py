"""Plan the week: the plan runs, their worker, the page, accepting a plan, and the exports."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from typing import Any

import icalendar
import pytest
from sqlalchemy import func, select

from conference.auth.models import Role
from conference.convening.models import Conference, ConferenceStatus
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from conference.planning import services, worker
from conference.planning.demo import add_waiting_meetings
from conference.planning.models import PlanRun, PlanStatus
from rules.display import to_london
from rules.vocabulary import MeetingType, Seat
from tests.integration.convening.conftest import build_area, post, run_journey, soup

# The worker claims runs on its own connections (FOR UPDATE SKIP LOCKED), so these tests need real commits.
pytestmark = pytest.mark.committed


def _setup(
    factories: Any, meetings: int = 4, types: tuple[MeetingType, ...] = (MeetingType.STRATEGY_DISCUSSION,)
) -> tuple[Any, Any, list[Conference]]:
    area = build_area(factories)
    csc = db.session.get(type(area.coordinator.agency), area.coordinator.agency_id)
    for n in range(meetings):
        factories.case(area.coordinator, child_first_name=f"Child{n}")
    local_area = area.case.local_authority
    added = add_waiting_meetings(
        local_area, area.coordinator, to_london(datetime.now(UTC)).date(), count=meetings, types=types
    )
    db.session.commit()
    assert added == meetings
    manager = factories.user(csc, Role.MANAGER)
    drafts = list(db.session.scalars(select(Conference).where(Conference.status == ConferenceStatus.DRAFT)))
    return area, manager, drafts


def _period_form(days: int = 6) -> dict[str, str]:
    today = to_london(datetime.now(UTC)).date()
    last = today + timedelta(days=days)
    return {
        "from-day": str(today.day),
        "from-month": str(today.month),
        "from-year": str(today.year),
        "to-day": str(last.day),
        "to-month": str(last.month),
        "to-year": str(last.year),
    }


def _request(client: Any, extra: dict[str, str] | None = None) -> Any:
    return post(client, "/planning", {**_period_form(), **(extra or {})})


def test_worker_claims_a_run_once_and_stores_the_plan_and_the_baseline(client, factories, app) -> None:
    _area, manager, drafts = _setup(factories)
    factories.sign_in(client, manager)
    response = _request(client)
    assert response.status_code == 302
    run_id = uuid.UUID(response.headers["Location"].rsplit("/", 1)[1])
    page = soup(client.get(f"/planning/runs/{run_id}"))
    assert "Waiting to start" in page.select_one("#plan-status").get_text()
    assert page.select_one("#refresh-plan") is not None

    claimed = worker.claim("worker-a")
    assert claimed == run_id
    assert worker.claim("worker-b") is None  # claimed once
    db.session.expire_all()
    assert db.session.get(PlanRun, run_id).status is PlanStatus.RUNNING
    assert worker.run_claimed(claimed) is PlanStatus.DONE
    db.session.expire_all()
    run = db.session.get(PlanRun, run_id)
    assert run.status is PlanStatus.DONE and run.error == ""
    assert {b["id"] for b in run.result["bookings"]} == {d.reference for d in drafts}
    assert "lower_bound" in run.result["summary"] and run.greedy["summary"]["method"] == "greedy"
    assert worker.run_once() == 0

    page = soup(client.get(f"/planning/runs/{run_id}"))
    rows = page.select("#comparison tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == ["Planned together", "One at a time"]
    assert len(page.select("#proposals input[name=meeting]")) == len(drafts)
    assert page.select("#timeline-table tbody tr")
    assert client.get(f"/planning/runs/{run_id}/status").get_json()["status"] == "done"


def test_a_meeting_that_cannot_be_placed_says_why(client, factories) -> None:
    _area, manager, drafts = _setup(factories, meetings=2, types=(MeetingType.STRATEGY_DISCUSSION, MeetingType.REVIEW))
    # Nobody may chair the review (the area's chair is a candidate only for the strategy discussion).
    review = next(d for d in drafts if d.meeting_type is MeetingType.REVIEW)
    next(s for s in review.roles if s.role is Seat.CHAIR).candidate_ids = []
    db.session.commit()
    factories.sign_in(client, manager)
    location = _request(client).headers["Location"]
    assert worker.run_once() == 1
    page = soup(client.get(location))
    assert len(page.select("#proposals input[name=meeting]")) == 1
    assert "Chair: no candidate can attend" in page.select_one("#proposals").get_text()
    assert "Not placed" in page.select_one("#proposals").get_text()


def test_the_same_plan_is_not_queued_twice(client, factories) -> None:
    _area, manager, _drafts = _setup(factories, meetings=2)
    factories.sign_in(client, manager)
    first = _request(client)
    second = _request(client)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(PlanRun)) == 1
    page = soup(client.get(second.headers["Location"]))
    assert "already being made" in page.select_one(".govuk-notification-banner").get_text()
    # other inputs are another plan
    third = _request(client, {"move-invited": "yes"})
    assert third.headers["Location"] != first.headers["Location"]
    # once done, asking again makes a new plan (the data may have changed)
    while worker.run_once():
        pass
    fourth = _request(client)
    assert fourth.headers["Location"] not in (first.headers["Location"], third.headers["Location"])


def test_a_failed_solve_ends_as_failed_with_a_message(client, factories, monkeypatch) -> None:
    _area, manager, _drafts = _setup(factories, meetings=2)
    factories.sign_in(client, manager)
    location = _request(client).headers["Location"]
    from scheduler.errors import RequestError

    def broken(batch: dict[str, Any]) -> Any:
        raise RequestError("conference 'MTG-X' deadline: not a date")

    monkeypatch.setattr(worker, "solve", broken)
    assert worker.run_once() == 1
    db.session.expire_all()
    run = db.session.scalars(select(PlanRun)).one()
    assert run.status is PlanStatus.FAILED and "could not be planned" in run.error
    page = soup(client.get(location))
    assert "Could not plan" in page.select_one("#plan-status").get_text()
    assert "could not be planned" in page.select_one(".govuk-warning-text").get_text()


def test_bad_periods_are_refused_with_a_message(client, factories) -> None:
    _area, manager, _drafts = _setup(factories, meetings=1)
    factories.sign_in(client, manager)
    form = _period_form()
    form.update({"to-day": "", "to-month": "", "to-year": ""})
    response = post(client, "/planning", form)
    assert response.status_code == 400
    assert "Enter the last day to plan" in soup(response).select_one(".govuk-error-summary").get_text()
    assert db.session.scalar(select(func.count()).select_from(PlanRun)) == 0


def test_accepting_some_meetings_sends_their_invitations(client, factories) -> None:
    _area, manager, drafts = _setup(factories)
    factories.sign_in(client, manager)
    location = _request(client).headers["Location"]
    assert worker.run_once() == 1
    run_id = location.rsplit("/", 1)[1]
    page = soup(client.get(location))
    ids = [i["value"] for i in page.select("#proposals input[name=meeting]")][:3]
    token_path = location
    check = client.post(
        f"/planning/runs/{run_id}/check", data={"meeting": ids, "csrf_token": _token(client, token_path)}
    )
    assert check.status_code == 200
    check_page = soup(check)
    assert len(check_page.select("#check-meetings tbody tr")) == 3
    missing_place = client.post(
        f"/planning/runs/{run_id}/accept", data={"meeting": ids, "csrf_token": _token(client, token_path)}
    )
    assert missing_place.status_code == 400
    assert "Enter the venue" in soup(missing_place).select_one(".govuk-error-summary").get_text()
    done = client.post(
        f"/planning/runs/{run_id}/accept",
        data={"meeting": ids, "venue": "Room 2, Civic Centre", "csrf_token": _token(client, token_path)},
    )
    assert done.status_code == 302
    db.session.expire_all()
    invited = db.session.scalars(select(Conference).where(Conference.status == ConferenceStatus.INVITED)).all()
    assert sorted(c.reference for c in invited) == sorted(ids)
    run = db.session.get(PlanRun, uuid.UUID(run_id))
    planned = {p.id: p.start_at for p in services.proposed_meetings(run)}
    assert all(c.start_at == planned[c.reference] for c in invited)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3 * 4  # with the chair
    after = soup(client.get(location))
    assert "Invitations sent for 3 meetings" in after.select_one(".govuk-notification-banner").get_text()
    assert len(after.select("#proposals input[name=meeting]")) == len(drafts) - 3
    nothing = client.post(f"/planning/runs/{run_id}/check", data={"csrf_token": _token(client, token_path)})
    assert nothing.status_code == 400
    assert "Select at least one meeting" in soup(nothing).select_one(".govuk-error-summary").get_text()


def _token(client: Any, path: str) -> str:
    from tests.support.factories import csrf_token

    return csrf_token(client, path)


def test_an_invited_meeting_is_never_moved_without_a_reschedule(client, factories) -> None:
    area, manager, _drafts = _setup(factories, meetings=2)
    factories.sign_in(client, area.coordinator)
    conference_id = run_journey(client, area)
    invited = db.session.get(Conference, uuid.UUID(conference_id))
    # push the invited meeting late in the period, as if it had been booked before the others
    later = invited.start_at + timedelta(days=3)
    invited.start_at, invited.end_at = later, later + timedelta(minutes=invited.duration_minutes)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    factories.sign_in(client, manager)

    # 1. by default it stays where it is and cannot be selected
    location = _request(client).headers["Location"]
    assert worker.run_once() == 1
    page = soup(client.get(location))
    row = page.select_one(f"#proposals tr[data-meeting='{invited.reference}']")
    assert "Already invited" in row.get_text() and row.select_one("input") is None
    run_id = location.rsplit("/", 1)[1]
    ignored = client.post(
        f"/planning/runs/{run_id}/accept",
        data={"meeting": [invited.reference], "venue": "x", "csrf_token": _token(client, location)},
    )
    assert ignored.status_code == 400
    db.session.expire_all()
    assert db.session.get(Conference, invited.id).start_at == later
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before

    # 2. let the plan move invited meetings: moving it is a reschedule, SEQUENCE+1 REQUEST to its attendees
    location = _request(client, {"move-invited": "yes"}).headers["Location"]
    assert worker.run_once() == 1
    page = soup(client.get(location))
    row = page.select_one(f"#proposals tr[data-meeting='{invited.reference}']")
    assert "Moves a meeting already invited" in row.get_text()
    assert "attendees are sent an update" in row.get_text()
    run_id = location.rsplit("/", 1)[1]
    check = client.post(
        f"/planning/runs/{run_id}/check", data={"meeting": [invited.reference], "csrf_token": _token(client, location)}
    )
    assert "An update to the invitation" in soup(check).get_text()
    done = client.post(
        f"/planning/runs/{run_id}/accept", data={"meeting": [invited.reference], "csrf_token": _token(client, location)}
    )
    assert done.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Conference, invited.id)
    assert moved.start_at != later and moved.ical_sequence == 1
    updates = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.conference_id == invited.id).order_by(OutboxMessage.created_at)
    ).all()[4:]
    assert len(updates) == 4  # with the chair
    for message in updates:
        parsed = BytesParser(policy=policy.default).parsebytes(bytes(message.body))
        part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
        calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 1
        assert str(event["UID"]) == moved.ical_uid and event.decoded("DTSTART") == moved.start_at


def test_exports_csv_neutralised_and_a_calendar_per_person(client, factories) -> None:
    area, manager, drafts = _setup(factories, meetings=3)
    factories.sign_in(client, manager)
    location = _request(client).headers["Location"]
    assert worker.run_once() == 1
    run = db.session.scalars(select(PlanRun)).one()
    run.meetings = [{**m, "meeting_type": "=HYPERLINK(1)"} for m in run.meetings]
    db.session.commit()
    response = client.get(f"{location}/plan.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "Meeting" and all(r[2].startswith("'=") for r in rows[1:])
    page = soup(client.get(location))
    links = [a["href"] for a in page.select("a[href$='.ics']")]
    assert links
    ics = client.get(links[0])
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(ics.get_data())
    assert str(calendar["METHOD"]) == "PUBLISH"
    text = ics.get_data(as_text=True)
    for event in calendar.walk("VEVENT"):
        assert str(event["SUMMARY"]).startswith("Multi-agency meeting – MTG-")
    assert "Zephyrine" not in text and area.case.reference not in text
    assert "Content-Disposition" in ics.headers and "Zephyrine" not in ics.headers["Content-Disposition"]
    assert client.get(f"{location}/people/{uuid.uuid4()}.ics").status_code == 404


def test_only_managers_and_coordinators_plan_and_only_their_area(client, factories) -> None:
    area, manager, _drafts = _setup(factories, meetings=1)
    factories.sign_in(client, manager)
    location = _request(client).headers["Location"]
    other_area = factories.area("EM", "Eastmere")
    other = factories.user(factories.agency(other_area), Role.MANAGER)
    factories.sign_in(client, other)
    assert client.get(location).status_code == 404
    chair = factories.user(db.session.get(type(area.coordinator.agency), area.coordinator.agency_id), Role.CHAIR)
    factories.sign_in(client, chair)
    assert client.get("/planning").status_code == 403


def test_a_meeting_changed_since_the_plan_is_not_sent(client, factories) -> None:
    _area, manager, drafts = _setup(factories, meetings=2)
    factories.sign_in(client, manager)
    location = _request(client).headers["Location"]
    assert worker.run_once() == 1
    changed = drafts[0]
    changed.duration_minutes = 90  # the coordinator changed it after the plan was made
    db.session.commit()
    run_id = location.rsplit("/", 1)[1]
    response = client.post(
        f"/planning/runs/{run_id}/accept",
        data={"meeting": [changed.reference], "venue": "Room 1", "csrf_token": _token(client, location)},
    )
    assert response.status_code == 400
    assert "has changed since the plan was made" in soup(response).select_one(".govuk-error-summary").get_text()
    db.session.expire_all()
    assert db.session.get(Conference, changed.id).status is ConferenceStatus.DRAFT
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_cli_solves_one_queued_run(client, factories, app) -> None:
    _area, manager, _drafts = _setup(factories, meetings=1)
    factories.sign_in(client, manager)
    _request(client)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["planning", "work", "--once"])
    assert result.exit_code == 0 and "Solved 1 plan run." in result.output
    assert runner.invoke(args=["planning", "work", "--once"]).output.strip() == "Solved 0 plan runs."
    db.session.expire_all()
    assert db.session.scalars(select(PlanRun)).one().status is PlanStatus.DONE
