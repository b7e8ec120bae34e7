"""Who may own an action: the people of the case's area, and the conference's attendees."""

from __future__ import annotations

from sqlalchemy import select

from conference.convening.models import Conference
from conference.directory.models import Agency, Person
from conference.extensions import db


def find_action_owners(conference: Conference) -> dict[str, Person]:
    query = (
        select(Person)
        .join(Agency, Person.agency_id == Agency.id)
        .where(Agency.local_authority_id == conference.case.local_authority_id)
        .order_by(Agency.name, Person.name)
    )
    people = {str(p.id): p for p in db.session.scalars(query)}
    for attendee in conference.attendees:
        people.setdefault(str(attendee.person_id), attendee.person)
    return people
