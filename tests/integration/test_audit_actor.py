"""Services take the acting user explicitly: the audit row names the user the service was given, in the same
transaction as the change, whatever (or whoever) the request's audit context holds."""

from __future__ import annotations

from sqlalchemy import select

from conference.audit import AuditContext, AuditEvent, enter_context, leave_context, record_event
from conference.auth import admin
from conference.auth.models import Role
from conference.directory import services as directory
from conference.directory.models import AvailabilitySource, Person
from conference.extensions import db


def _last(action: str) -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).one()


def _details(name: str) -> directory.PersonDetails:
    return directory.PersonDetails(
        name=name,
        job_title="Designated nurse",
        email=f"{name.lower().replace(' ', '.')}@example.test",
        role_tags=["designated_nurse"],
        working_hours={"mon": [["09:00", "17:00"]]},
        on_call=False,
        availability_source=AvailabilitySource.NONE,
        availability_url="",
        availability_ics=None,
    )


def test_a_service_called_outside_any_request_names_the_user_it_was_given(factories):
    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    person = directory.save_person(administrator, agency, None, _details("Avery Example"))
    row = _last("directory.person_create")
    assert row.object_id == str(person.id)
    assert (row.actor_user_id, row.actor_agency_id, row.actor_role) == (administrator.id, agency.id, "administrator")
    # the change and its row are in the one transaction: both are there before anything is committed
    assert db.session.get(Person, person.id) is not None


def test_the_user_given_wins_over_the_user_in_the_request_context(factories):
    agency = factories.agency(factories.area())
    administrator = factories.user(agency, Role.ADMINISTRATOR)
    someone_else = factories.user(agency, Role.COORDINATOR)
    target = factories.user(agency, Role.CHAIR)
    token = enter_context(AuditContext(request_id="r-1", ip="192.0.2.1", user=someone_else))
    try:
        assert admin.change_role(administrator, target, Role.MANAGER)
        record_event(db.session, "test.no_actor_given", object_type="user", object_id=target.id)
    finally:
        leave_context(token)
    changed = _last("user.role_change")
    assert (changed.actor_user_id, changed.actor_role, changed.request_id) == (administrator.id, "administrator", "r-1")
    # without an actor the row still takes the context's user, so the difference above is the service's doing
    assert _last("test.no_actor_given").actor_user_id == someone_else.id
