"""Plan the week applies the minimum notice (rules/notice.py) as the options page does: no planned start sooner
than now plus the meeting's notice, for waiting meetings and for invited meetings the plan may move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from conference.auth.models import Role
from conference.cases.models import MissingRisk
from conference.convening.models import Conference, ConferenceStatus
from conference.convening.options import notice_for
from conference.extensions import db
from conference.planning import batch as planning_batch
from conference.planning import worker
from conference.planning.demo import add_waiting_meetings
from rules.display import to_london
from rules.notice import URGENT_NOTICE, earliest_start_with_notice
from rules.vocabulary import MeetingType
from tests.integration.convening.conftest import build_area, run_journey


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _drafts_open_since_an_hour_ago(factories: Any) -> tuple[Any, Any, list[Conference]]:
    """A strategy discussion (2 hours' notice), an urgent one (30 minutes) and an initial child protection
    conference (1 working day), each with a window that opened an hour ago; everyone works all week."""
    area = build_area(factories)
    factories.case(area.coordinator, child_first_name="Notice")
    factories.case(area.coordinator, child_first_name="Urgent")
    types = (
        MeetingType.STRATEGY_DISCUSSION,
        MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        MeetingType.STRATEGY_DISCUSSION,
    )
    today = to_london(datetime.now(UTC)).date()
    assert add_waiting_meetings(area.case.local_authority, area.coordinator, today, count=3, types=types) == 3
    now = datetime.now(UTC)
    drafts = list(db.session.scalars(select(Conference).where(Conference.status == ConferenceStatus.DRAFT)))
    strategy = [d for d in drafts if d.meeting_type is MeetingType.STRATEGY_DISCUSSION]
    assert len(strategy) == 2
    strategy[0].case.missing_risk = MissingRisk.LOW
    strategy[1].case.missing_risk = MissingRisk.HIGH  # urgent: 30 minutes
    for draft in drafts:
        draft.earliest_start_at = now - timedelta(hours=1)
        draft.deadline_at = now + timedelta(days=5)
    db.session.commit()
    manager = factories.user(area.coordinator.agency, Role.MANAGER)
    return area, manager, drafts


def test_no_planned_start_is_sooner_than_now_plus_the_meetings_notice(factories) -> None:
    _area, manager, drafts = _drafts_open_since_an_hour_ago(factories)
    now = datetime.now(UTC)
    today = to_london(now).date()
    built = planning_batch.build_batch(manager, today, today + timedelta(days=6), move_invited=False, now_at=now)
    by_reference = {c["id"]: c for c in built.batch["conferences"]}
    assert set(by_reference) == {d.reference for d in drafts}
    assert sorted(notice_for(d).words for d in drafts) == ["1 working day", "2 hours", "30 minutes"]
    least = {d.reference: earliest_start_with_notice(now, notice_for(d), d.nation) for d in drafts}
    for reference, entry in by_reference.items():
        earliest = _parse(entry["earliest_start"])
        assert earliest >= least[reference], (reference, earliest, least[reference])
        assert earliest - least[reference] < timedelta(minutes=15), "rounded up to the grain, no further"
        assert earliest >= now + URGENT_NOTICE

    result, greedy = worker.solve(built.batch)
    booked = [b for b in result["bookings"] if b["status"] == "booked"]
    assert booked, result
    for booking in [*booked, *(b for b in greedy["bookings"] if b["status"] == "booked")]:
        assert _parse(booking["start"]) >= least[booking["id"]], booking


def test_an_invited_meeting_the_plan_may_move_keeps_the_notice_too(client, factories) -> None:
    area = build_area(factories)
    factories.sign_in(client, area.coordinator)
    run_journey(client, area)
    invited = db.session.scalars(select(Conference).where(Conference.status == ConferenceStatus.INVITED)).one()
    manager = factories.user(area.coordinator.agency, Role.MANAGER)
    now = datetime.now(UTC)
    today = to_london(now).date()
    built = planning_batch.build_batch(manager, today, today + timedelta(days=6), move_invited=True, now_at=now)
    entry = next(c for c in built.batch["conferences"] if c["id"] == invited.reference)
    assert entry["fixed"] is None, "the plan may move it"
    least = earliest_start_with_notice(now, notice_for(invited), invited.nation)
    assert _parse(entry["earliest_start"]) >= least
