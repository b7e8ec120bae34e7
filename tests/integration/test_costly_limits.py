"""Costly pages are limited per person in the shared limiter storage (ASVS 11.1.4): PDFs, solving, calendar files
and the CSV export.

The limits sit before the page's own checks, so a made-up id is enough to count requests without the cost.
"""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.auth.models import Role
from conference.extensions import db
from tests.support.factories import csrf_token


def _refused(endpoint: str) -> list[AuditEvent]:
    return [
        row
        for row in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rate_limited"))
        if row.detail == {"endpoint": endpoint}
    ]


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed", "endpoint"),
    [
        (Role.CHAIR, "GET", "/conferences/{id}/record/versions/1/minutes.pdf", 20, "decisions.minutes_pdf"),
        (Role.COORDINATOR, "GET", "/cases/{id}/nrm/pack.pdf", 20, "decisions.nrm_pack_pdf"),
        (Role.COORDINATOR, "POST", "/conferences/{id}/options", 30, "convening.options"),  # solving is a POST
        (Role.MANAGER, "GET", "/dashboard/engagement.csv?x={id}", 20, "dashboard.engagement_csv"),
    ],
)
def test_costly_pages_are_limited_per_person(app, client, factories, role, method, path, allowed, endpoint):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, role))

    def call(who):
        if method == "GET":
            return who.get(path.format(id=uuid.uuid4()))
        token = csrf_token(who, "/account/password")
        return who.post(path.format(id=uuid.uuid4()), data={"csrf_token": token, "action": "find"})

    statuses = [call(client).status_code for _ in range(allowed + 1)]
    assert 429 not in statuses[:allowed] and statuses[allowed] == 429
    assert len(_refused(endpoint)) == 1
    colleague = app.test_client()  # another person is not affected
    factories.sign_in(colleague, factories.user(agency, role))
    assert call(colleague).status_code != 429


def test_calendar_uploads_are_limited_per_person(client, factories):
    agency = factories.agency(factories.area())
    factories.sign_in(client, factories.user(agency, Role.ADMINISTRATOR))
    path = f"/directory/agencies/{uuid.uuid4()}/people/new"
    token = csrf_token(client, "/directory/agencies")
    statuses = [
        client.post(
            path,
            data={"csrf_token": token, "availability_ics": (io.BytesIO(b"BEGIN:VCALENDAR"), "busy.ics")},
            content_type="multipart/form-data",
        ).status_code
        for _ in range(21)
    ]
    assert 429 not in statuses[:20] and statuses[20] == 429
    assert len(_refused("directory.new_person")) == 1
    # Saving a person without a calendar file is not counted.
    assert client.post(path, data={"csrf_token": token, "name": "x"}).status_code != 429
