"""The decision queries the whole journey shares: a conference's record and a case's records (each step's own
queries are in decisions/{recording,sign_off,nrm,actions}/queries.py). Every one is scoped through the case:
a conference is reached only through ``get_conference`` (conference.convening.queries, ``case_scope``);
out of scope means not found."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from conference.convening.models import Conference
from conference.convening.queries import get_conference as get_conference  # the one scoped query: decisions use it
from conference.extensions import db
from decisions.models import DecisionRecord


def find_record(conference_id: uuid.UUID) -> DecisionRecord | None:
    return db.session.scalars(select(DecisionRecord).where(DecisionRecord.conference_id == conference_id)).first()


def get_record(conference_id: uuid.UUID) -> DecisionRecord:
    record = find_record(conference_id)
    if record is None:
        raise NotFound("nothing has been recorded for this conference yet")
    return record


def find_case_records(case_id: uuid.UUID) -> list[tuple[Conference, DecisionRecord | None]]:
    conferences = db.session.scalars(
        select(Conference).where(Conference.case_id == case_id).order_by(Conference.created_at)
    ).all()
    records = {
        r.conference_id: r for r in db.session.scalars(select(DecisionRecord).where(DecisionRecord.case_id == case_id))
    }
    return [(c, records.get(c.id)) for c in conferences]
