"""The case and safety services take the acting user explicitly (issue 13): each audit row names the user the
service was given, whoever the request's audit context holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from conference.audit import AuditContext, AuditEvent, enter_context, leave_context, run_views
from conference.auth.models import Role, User
from conference.cases import facts, involvement, linked, services
from conference.cases.fact_models import LinkKind
from conference.cases.models import Gender, MissingRisk
from conference.extensions import db
from conference.safety import services as safety
from rules.safety import PoliceRisk


def _rows(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def people(factories):  # type: ignore[no-untyped-def]
    agency = factories.agency(factories.area())
    return factories.user(agency, Role.COORDINATOR), factories.user(agency, Role.MANAGER)


@pytest.fixture
def someone_else_signed_in(people) -> Iterator[User]:  # type: ignore[no-untyped-def]
    """The request's context holds a different user from the one the services are given."""
    other = people[1]
    token = enter_context(AuditContext(request_id="r-13", ip="192.0.2.13", user=other))
    yield other
    leave_context(token)


def _details() -> services.NewCase:
    return services.NewCase(
        child_first_name="Testchild",
        child_last_name="",
        child_born_on=None,
        child_estimated_age=15,
        age_disputed=False,
        gender=Gender.NOT_KNOWN,
        nationality="",
        languages="",
        interpreter_needed=False,
        identified_at=datetime.now(UTC) - timedelta(hours=2),
        missing_risk=MissingRisk.MEDIUM,
    )


def test_opening_and_viewing_a_case_name_the_user_given(people, someone_else_signed_in) -> None:
    coordinator, other = people
    answers = involvement.OpeningAnswers(False, False, False, False)
    case = involvement.open_case_with_agencies(coordinator, _details(), answers).case
    services.record_case_view(coordinator, case, restricted=True)
    run_views(db.session)  # what the request layer does before it commits: a view's row is written last
    rows = [*_rows("case.create"), *_rows("case.agencies.propose"), *_rows("case.view")]
    assert [row.action for row in rows] == ["case.create", "case.agencies.propose", "case.view"]
    assert {row.object_id for row in rows} == {str(case.id)}
    assert {(row.actor_user_id, row.actor_role) for row in rows} == {(coordinator.id, "coordinator")}
    assert other.id not in {row.actor_user_id for row in rows}
    assert {row.request_id for row in rows} == {"r-13"}  # still in the request's context


def test_facts_links_and_safety_services_name_the_user_given(factories, people, someone_else_signed_in) -> None:
    coordinator, other = people
    case = factories.case(coordinator)
    second = factories.case(coordinator)
    values = facts.current_facts(case)
    facts.change_case_facts(coordinator, case, facts.FactEdit({**values, "nationality": "Eritrean"}, values, "New"))
    facts.record_history_viewed(coordinator, case)
    linked.link_cases(coordinator, case, second.reference, LinkKind.SIBLINGS, "Brothers")
    now = datetime.now(UTC)
    details = safety.NewEpisode(now - timedelta(hours=3), now - timedelta(hours=2), "MP/1", PoliceRisk.HIGH)
    episode = safety.record_missing_episode(coordinator, case, details)
    safety.record_episode_view(coordinator, episode)
    run_views(db.session)
    actions = ["case.facts.change", "case.facts.history.view", "case.link", "safety.missing.record"]
    rows = [row for action in actions for row in _rows(action)] + _rows("safety.missing.view")
    assert len(rows) == 5
    assert {row.actor_user_id for row in rows} == {coordinator.id}
    assert other.id not in {row.actor_user_id for row in rows}
