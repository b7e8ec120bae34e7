"""Bad input on every decisions form: a clear message, status 400, nothing saved, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from conference.extensions import db
from decisions.models import DecisionAction, DecisionRecord, DecisionVersion, NrmReferral
from tests.integration.decisions.support import form_fields, make_world, post, record_everything, url

YESTERDAY = datetime.now(UTC) - timedelta(days=1)

BAD = [
    ("/attendance", {}, ["Select how children's social care attended", "Select how health attended"]),
    (
        "/attendance",
        {
            "status-social_care": "present_in_room",
            "status-police": "deputy_present",
            "status-health": "written_submission",
        },
        ["Enter the name of the deputy for police", "Enter a short summary of the written submission from health"],
    ),
    (
        "/attendance",
        {"status-social_care": "teleported", "status-police": "apologies", "status-health": "apologies"},
        ["Select how children's social care attended"],
    ),
    ("/information", {"information-police": "x" * 15_001}, ["Information from police must be 15,000 characters"]),
    ("/child-views", {}, ["Select yes if the child's views and wishes were sought"]),
    ("/child-views", {"sought": "yes"}, ["Enter the child's views and wishes"]),
    ("/child-views", {"sought": "no"}, ["Enter why the child's views could not be sought"]),
    ("/elements", {"exploitation_types": ["types-of-exploitation-other"]}, ["Enter the other type of exploitation"]),
    ("/elements", {"acts": ["teleportation"]}, ["Select options from the lists"]),
    ("/elements", {"where": "moon"}, ["Select where the exploitation happened"]),
    ("/indicators", {"indicator-goes_missing": "yes"}, ["Select the agency that raised"]),
    (
        "/indicators",
        {
            "indicator-goes_missing": "yes",
            "indicator-goes_missing-agency": "police",
            "indicator-goes_missing-note": "n" * 2001,
        },
        ["Note must be 2,000 characters or fewer"],
    ),
    (
        "/outcome",
        {},
        [
            "Select whether to start section 47 enquiries",
            "Select the outcome",
            "Enter the rationale",
            "Select whether the child is suspected of any offences",
        ],
    ),
    (
        "/outcome",
        {
            "start_enquiries": "no",
            "outcome": "more_information_needed",
            "rationale": "r",
            "suspected_of_offences": "no",
            "reconvene_on-day": str(YESTERDAY.day),
            "reconvene_on-month": str(YESTERDAY.month),
            "reconvene_on-year": str(YESTERDAY.year),
        },
        ["Reconvene date must be in the future"],
    ),
    (
        "/outcome",
        {"start_enquiries": "yes", "outcome": "trafficking_concern", "rationale": "r", "suspected_of_offences": "yes"},
        [
            "Confirm that an NRM referral will be made",
            "Enter the first responder's organisation",
            "Select whether the non-punishment principle may apply",
        ],
    ),
    (
        "/actions",
        {},
        [
            "Enter the action",
            "Select who owns the action",
            "Enter the date the action is due",
            "Enter the time the action is due",
        ],
    ),
    (
        "/actions",
        {
            "description": "Visit",
            "owner": "not-a-person",
            "due_on-day": "31",
            "due_on-month": "2",
            "due_on-year": "2027",
            "due_time": "25:99",
        },
        ["Select who owns the action", "must be a real date", "Enter a real time, for example 2:30pm or 14:30"],
    ),
    (
        "/actions",
        {
            "description": "Visit",
            "due_on-day": str(YESTERDAY.day),
            "due_on-month": str(YESTERDAY.month),
            "due_on-year": str(YESTERDAY.year),
            "due_time": "9am",
        },
        ["must be today or in the future"],
    ),
    ("/check", {}, ["Enter your password", "Enter the 6-digit code"]),
]


@pytest.mark.parametrize(("tail", "data", "messages"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, factories, tail, data, messages):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    if tail == "/check":
        record_everything(client, world)
    before = db.session.scalars(select(DecisionRecord)).first()
    version_before = before.version if before else None
    response = post(client, url(world, tail), data)
    assert response.status_code == 400
    summary = BeautifulSoup(response.get_data(as_text=True), "html5lib").select_one(".govuk-error-summary")
    assert summary is not None
    for message in messages:
        assert message in summary.get_text(), (message, summary.get_text())
    db.session.expire_all()
    record = db.session.scalars(select(DecisionRecord)).first()
    # A refused form changes nothing: not even the record is created by it (issue 12, finding 10).
    assert (record.version if record else None) == version_before
    assert db.session.scalar(select(func.count()).select_from(DecisionVersion)) == 0
    if tail == "/actions":
        assert db.session.scalar(select(func.count()).select_from(DecisionAction)) == 0


def test_sign_off_is_refused_until_every_section_is_done(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    page = client.get(url(world, "/check"))
    text = BeautifulSoup(page.get_data(as_text=True), "html5lib").get_text(" ", strip=True)
    for message in (
        "Record the attendance register",
        "Record the child's views and wishes",
        "Record the trafficking elements",
        "Record the outcome",
    ):
        assert message in text
    token = form_fields(client, url(world, "/information"))["csrf_token"]
    refused = client.post(
        url(world, "/check"), data={"csrf_token": token, "version": "1", "password": "x", "code": "123456"}
    )
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DecisionVersion)) == 0


def test_bad_nrm_forms_and_compare(client, factories):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    answers = post(
        client,
        f"/cases/{world.case.id}/nrm/answers",
        {
            "local-authority-contacted-about-child-local-authority-email": "not an email",
            "still-in-exploitative-situation": "perhaps",
        },
    )
    assert answers.status_code == 400
    text = answers.get_data(as_text=True)
    assert "Enter an email address in the correct format" in text and "Select an answer for" in text
    fields = form_fields(client, f"/cases/{world.case.id}/nrm")
    submitted = client.post(f"/cases/{world.case.id}/nrm/submitted", data={**fields, "reference": ""})
    assert submitted.status_code == 400
    assert "Enter the date the referral was made" in submitted.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NrmReferral)) == 0
    compare = client.get(url(world, "/versions/compare?from=abc&to=9"))
    assert compare.status_code in (400, 404)
