"""Immediate safety actions and missing episodes: the checklist made on opening, its updates (audited) and overdue
flag; missing episodes with their return and 72-hour return-home interview; reconvening with the risk's timescale;
the partners' notices through the outbox; repeated episodes; bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.auth.models import Role
from conference.cases.models import Case, CaseEvent, MissingRisk
from conference.convening.invitation_models import ConferenceArrangement
from conference.convening.models import Conference
from conference.extensions import db
from conference.outbox.models import OutboxMessage
from conference.safety.models import MissingEpisode, SafetyCheck
from rules.display import to_london
from rules.safety import CHECKLIST, PoliceRisk, SafetyItem, SafetyStatus, reconvene_window
from rules.vocabulary import AgencyKind, MeetingType
from tests.support.factories import csrf_token


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


@pytest.fixture()
def area(factories):  # type: ignore[no-untyped-def]
    area = factories.area("NB", "Northbridge")
    social_care = factories.agency(area, AgencyKind.CHILDREN_SOCIAL_CARE, name="Northbridge Children's Services")
    police = factories.agency(area, AgencyKind.POLICE, name="Northbridge Police")
    health = factories.agency(area, AgencyKind.HEALTH, name="Northbridge Health")
    coordinator = factories.user(social_care, Role.COORDINATOR)
    return {"area": area, "social_care": social_care, "police": police, "health": health, "coordinator": coordinator}


def _moment(name: str, at: datetime) -> dict[str, str]:
    local = to_london(at)
    return {
        f"{name}-day": str(local.day),
        f"{name}-month": str(local.month),
        f"{name}-year": str(local.year),
        f"{name}-time": f"{local.hour:02d}:{local.minute:02d}",
    }


def _episode_form(client, case_id, **overrides):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    data = {
        "csrf_token": csrf_token(client, f"/cases/{case_id}/missing-episodes/new"),
        **_moment("last_seen", now - timedelta(hours=3)),
        **_moment("reported", now - timedelta(hours=2)),
        "police_reference": "MP/26/01234",
        "risk": "high",
    }
    data.update(overrides)
    return data


def _record_episode(client, case_id, **overrides) -> MissingEpisode:  # type: ignore[no-untyped-def]
    form = _episode_form(client, case_id, **overrides)
    check = client.post(f"/cases/{case_id}/missing-episodes/new", data=form)
    assert check.status_code == 200
    assert "Check the missing episode" in check.get_data(as_text=True)
    response = client.post(f"/cases/{case_id}/missing-episodes/new", data={**form, "step": "check", "confirm": "yes"})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    episode_id = uuid.UUID(response.headers["Location"].rsplit("/", 1)[1])
    episode = db.session.get(MissingEpisode, episode_id)
    assert episode is not None
    return episode


def test_opening_a_case_makes_the_checklist_due_from_identification(client, factories, area) -> None:
    identified_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    case = factories.case(area["coordinator"], identified_at=identified_at)
    checks = db.session.scalars(
        select(SafetyCheck).where(SafetyCheck.case_id == case.id).order_by(SafetyCheck.position)
    ).all()
    assert [c.item for c in checks] == list(SafetyItem)
    assert len(checks) == 7
    for check in checks:
        assert check.due_at == identified_at + CHECKLIST[check.item].due_within
        assert check.status is SafetyStatus.TO_DO
    owners = {c.item: c.owner_agency_id for c in checks}
    assert owners[SafetyItem.SAFE_PLACEMENT] == area["social_care"].id
    assert owners[SafetyItem.PHOTO_AND_DESCRIPTION] == area["police"].id
    assert owners[SafetyItem.MEDICAL_NEEDS] == area["health"].id
    assert owners[SafetyItem.APPROPRIATE_ADULT] is None  # no guardian service in this area
    # Part of opening the case: one action, one audit row (case.create).
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety.checklist.create")).first() is None

    factories.sign_in(client, area["coordinator"])
    page = soup(client.get(f"/cases/{case.id}"))
    rows = page.select("#safety-checklist tbody tr")
    assert len(rows) == 7
    assert "Golden hour" in page.select_one("#golden-hour").get_text()
    assert "minutes left" in page.select_one("#golden-hour").get_text()


def test_updating_an_item_is_audited_and_overdue_items_are_flagged(client, factories, area) -> None:
    identified_at = datetime.now(UTC) - timedelta(hours=2)
    case = factories.case(area["coordinator"], identified_at=identified_at)
    factories.sign_in(client, area["coordinator"])
    page = soup(client.get(f"/cases/{case.id}"))
    # The 1-hour items are overdue two hours after identification; the 4- and 24-hour ones are not.
    assert page.select_one("#safety-checklist caption").get_text(strip=True) == "3 of 7 actions overdue"
    assert "golden hour after identification ended" in page.select_one("#golden-hour").get_text()

    check = db.session.scalars(
        select(SafetyCheck).where(SafetyCheck.case_id == case.id, SafetyCheck.item == SafetyItem.SAFE_PLACEMENT)
    ).one()
    path = f"/cases/{case.id}/safety/{check.id}"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "status": "done",
            "owner_agency_id": str(area["social_care"].id),
            "note": "Placed with foster carers out of area",
        },
    )
    assert response.status_code == 302
    db.session.refresh(check)
    assert check.status is SafetyStatus.DONE and check.note == "Placed with foster carers out of area"
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety.check.update")).one()
    assert audit.detail["before"]["status"] == "to_do" and audit.detail["after"]["status"] == "done"
    assert "Placed" not in str(audit.detail)  # the note is not copied into the audit log
    page = soup(client.get(f"/cases/{case.id}"))
    assert page.select_one("#safety-checklist caption").get_text(strip=True) == "2 of 7 actions overdue"

    dashboard = soup(client.get("/dashboard"))
    items = [li.get_text(" ", strip=True) for li in dashboard.select("#overdue-safety-actions li")]
    assert len(items) == 2 and all(case.reference in item for item in items)
    assert not any("Safe placement" in item for item in items)


def test_bad_check_update_is_refused_with_clear_messages(client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    check = db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id)).first()
    factories.sign_in(client, area["coordinator"])
    path = f"/cases/{case.id}/safety/{check.id}"
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "status": "", "owner_agency_id": str(uuid.uuid4()), "note": ""},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Select the status of this action" in text and "Select the agency that owns this action" in text
    db.session.refresh(check)
    assert check.status is SafetyStatus.TO_DO


def test_missing_episode_return_and_72_hour_interview(client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    factories.involve(case, area["police"])
    factories.sign_in(client, area["coordinator"])
    episode = _record_episode(client, case.id)
    assert episode.risk is PoliceRisk.HIGH and episode.police_reference == "MP/26/01234" and episode.missing
    page = soup(client.get(f"/missing-episodes/{episode.id}"))
    assert page.select_one(".govuk-notification-banner").get_text(" ", strip=True).startswith("Success")
    events = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "missing" in events
    dashboard = soup(client.get("/dashboard"))
    assert "Missing now" in dashboard.select_one("#missing-alerts").get_text()

    # The return, 80 hours ago: the interview was due 72 hours after it, so it is overdue.
    returned_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    path = f"/missing-episodes/{episode.id}/return"
    form = {
        "csrf_token": csrf_token(client, path),
        **_moment("found", returned_at),
        "found_where": "Returned to the placement",
        "return_interview_by": "Sam Patel, return interview service",
    }
    response = client.post(path, data=form)
    assert response.status_code == 302
    db.session.refresh(episode)
    assert episode.found_at == returned_at
    assert episode.return_interview_due_at == returned_at + timedelta(hours=72)
    clock = soup(client.get(f"/missing-episodes/{episode.id}")).select_one("#return-interview-clock").get_text()
    assert "left of the 72 hours" in clock

    episode.found_at = returned_at - timedelta(hours=80)
    episode.last_seen_at = returned_at - timedelta(hours=90)
    episode.reported_at = returned_at - timedelta(hours=89)
    episode.return_interview_due_at = episode.found_at + timedelta(hours=72)
    db.session.commit()
    clock = soup(client.get(f"/missing-episodes/{episode.id}")).select_one("#return-interview-clock").get_text()
    assert "overdue" in clock
    dashboard = soup(client.get("/dashboard"))
    assert "Return-home interview overdue" in dashboard.select_one("#missing-alerts").get_text()

    path = f"/missing-episodes/{episode.id}/return-interview"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), **_moment("held", returned_at)})
    assert response.status_code == 302
    db.session.refresh(episode)
    assert episode.return_interview_done_at == returned_at
    assert soup(client.get("/dashboard")).select_one("#missing-alerts") is None


def test_reconvene_requests_a_strategy_discussion_with_the_risks_timescale(client, factories, area) -> None:
    case = factories.case(area["coordinator"], missing_risk=MissingRisk.LOW)
    factories.sign_in(client, area["coordinator"])
    reported = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    episode = _record_episode(
        client, case.id, risk="medium", **_moment("reported", reported), **_moment("last_seen", reported)
    )
    path = f"/missing-episodes/{episode.id}"
    response = client.post(f"{path}/reconvene", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert "/timescale" in response.headers["Location"]
    conference = db.session.scalars(select(Conference).where(Conference.case_id == case.id)).one()
    assert conference.meeting_type is MeetingType.STRATEGY_DISCUSSION
    expected = reconvene_window(PoliceRisk.MEDIUM, case.nation, reported)
    assert conference.deadline_at == expected.deadline_at
    assert to_london(conference.deadline_at).hour == 17
    arrangement = db.session.scalars(
        select(ConferenceArrangement).where(ConferenceArrangement.conference_id == conference.id)
    ).one()
    assert arrangement.window_basis.startswith("Suggested deadline: ")
    assert "Missing episode graded medium" in arrangement.window_basis
    timescale = soup(client.get(response.headers["Location"])).select_one(".govuk-inset-text").get_text()
    assert "Missing episode graded medium" in timescale and "of identification" not in timescale
    db.session.refresh(episode)
    assert episode.conference_id == conference.id
    # A second click does not ask for a second meeting.
    again = client.post(f"{path}/reconvene", data={"csrf_token": csrf_token(client, path)})
    assert again.status_code == 409
    assert "already been requested" in soup(again).select_one(".govuk-error-summary").get_text()
    assert len(db.session.scalars(select(Conference).where(Conference.case_id == case.id)).all()) == 1


def test_high_risk_reconvenes_within_8_hours_of_the_report(client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    factories.sign_in(client, area["coordinator"])
    reported = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    episode = _record_episode(client, case.id, risk="high", **_moment("reported", reported))
    path = f"/missing-episodes/{episode.id}"
    client.post(f"{path}/reconvene", data={"csrf_token": csrf_token(client, path)})
    conference = db.session.scalars(select(Conference).where(Conference.case_id == case.id)).one()
    assert conference.deadline_at == reported + timedelta(hours=8)


def test_partners_are_told_through_the_outbox_without_the_childs_identity(client, factories, area) -> None:
    canaries = {"child_first_name": "Zephyrinecanary", "child_last_name": "Quillfeathercanary"}
    case = factories.case(area["coordinator"], nationality="Canarylandish", **canaries)
    factories.involve(case, area["police"])
    factories.involve(case, area["health"])
    factories.sign_in(client, area["coordinator"])
    episode = _record_episode(client, case.id)
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.method == "NOTICE")).all()
    assert sorted(m.to_email for m in messages) == sorted([area["police"].secure_email, area["health"].secure_email])
    case_row = db.session.get(Case, case.id)
    for message in messages:
        raw = message.body.decode("utf-8", "replace")
        parsed = message_from_bytes(message.body)
        text = raw + str(parsed.get_payload(decode=True) or b"", "utf-8", "replace") + str(parsed["Subject"])
        for canary in [*canaries.values(), "Canarylandish", case_row.reference, str(case.id)]:
            assert canary.lower() not in text.lower(), f"{canary} leaked"
        assert "traffick" not in text.lower() and "NRM" not in text
        assert f"/missing-episodes/{episode.id}" in text


def test_repeated_episodes_mark_the_case_on_the_list_and_dashboard(client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    other = factories.case(area["coordinator"])
    factories.sign_in(client, area["coordinator"])
    now = datetime.now(UTC)
    for days in (40, 20, 5):
        last_seen = now - timedelta(days=days)
        _record_episode(
            client,
            case.id,
            **_moment("last_seen", last_seen),
            **_moment("reported", last_seen + timedelta(hours=1)),
        )
    _record_episode(client, other.id)
    listing = soup(client.get("/cases"))
    rows = {
        tr.select_one("td a").get_text(strip=True): tr.select_one("td").get_text(" ", strip=True)
        for tr in listing.select("table tbody tr")
    }
    assert "Repeatedly missing" in rows[case.reference]
    assert "Repeatedly missing" not in rows[other.reference]
    assert soup(client.get(f"/cases/{case.id}")).select_one("#repeatedly-missing") is not None
    assert soup(client.get(f"/cases/{other.id}")).select_one("#repeatedly-missing") is None
    alerts = soup(client.get("/dashboard")).select("#missing-alerts li")
    by_case = {li.select_one("a").get_text(strip=True): li.get_text(" ", strip=True) for li in alerts}
    assert "Repeatedly missing" in by_case[f"Case {case.reference}"]
    assert "Repeatedly missing" not in by_case[f"Case {other.reference}"]
    period = soup(client.get("/dashboard")).select_one("#missing-episodes-in-period").get_text()
    assert "began in this period: 4" in period


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"police_reference": ""}, "police_reference", "Enter the police reference"),
        ({"risk": ""}, "risk", "Select the police's risk grading"),
        ({"last_seen-day": "", "last_seen-month": "", "last_seen-year": ""}, "last_seen-day", "Enter the date"),
        ({"last_seen-time": ""}, "last_seen-time", "Enter the time the child was last seen"),
        ({"last_seen-time": "25:99"}, "last_seen-time", "Enter a real time"),
        ({"reported-day": "31", "reported-month": "2"}, "reported-day", "must be a real date"),
    ],
)
def test_bad_episode_input_gets_a_clear_message_and_saves_nothing(
    client, factories, area, overrides, field, message
) -> None:
    case = factories.case(area["coordinator"])
    factories.sign_in(client, area["coordinator"])
    response = client.post(f"/cases/{case.id}/missing-episodes/new", data=_episode_form(client, case.id, **overrides))
    assert response.status_code == 400
    page = soup(response)
    summary = page.select_one(".govuk-error-summary")
    assert summary is not None and message in summary.get_text()
    assert summary.select_one(f'a[href="#{field}"]') is not None
    assert db.session.scalars(select(MissingEpisode)).first() is None


def test_future_and_out_of_order_times_are_refused(client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    factories.sign_in(client, area["coordinator"])
    now = datetime.now(UTC)
    future = client.post(
        f"/cases/{case.id}/missing-episodes/new",
        data=_episode_form(client, case.id, **_moment("reported", now + timedelta(days=2))),
    )
    assert future.status_code == 400
    assert "must be in the past" in future.get_data(as_text=True)
    backwards = client.post(
        f"/cases/{case.id}/missing-episodes/new",
        data=_episode_form(
            client,
            case.id,
            **_moment("last_seen", now - timedelta(hours=1)),
            **_moment("reported", now - timedelta(hours=5)),
        ),
    )
    assert backwards.status_code == 400
    assert "must be after the child was last seen" in backwards.get_data(as_text=True)
    # Confirming straight away (skipping the check page) still validates.
    sneaky = client.post(
        f"/cases/{case.id}/missing-episodes/new",
        data={**_episode_form(client, case.id, police_reference=""), "step": "check", "confirm": "yes"},
    )
    assert sneaky.status_code == 400
    assert db.session.scalars(select(MissingEpisode)).first() is None

    episode = _record_episode(client, case.id)
    path = f"/missing-episodes/{episode.id}/return"
    found_before = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            **_moment("found", episode.last_seen_at - timedelta(hours=1)),
            "found_where": "Placement",
            "return_interview_by": "Sam",
        },
    )
    assert found_before.status_code == 400
    assert "The time the child was found must be after the child was last seen" in found_before.get_data(as_text=True)
    missing_fields = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert missing_fields.status_code == 400
    text = missing_fields.get_data(as_text=True)
    assert "Enter where the child was found" in text and "Enter who will hold the return-home interview" in text
    db.session.refresh(episode)
    assert episode.found_at is None


def test_every_safety_page_is_scoped_to_the_users_cases(app, client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    factories.sign_in(client, area["coordinator"])
    episode = _record_episode(client, case.id)
    check = db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id)).first()
    elsewhere = factories.area("EM", "Eastmere")
    stranger = factories.user(factories.agency(elsewhere), Role.COORDINATOR)
    factories.sign_in(client, stranger)
    token = csrf_token(client, "/cases")
    values = {"case_id": case.id, "check_id": check.id, "episode_id": episode.id}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("safety."):
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={"csrf_token": token})
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked >= 10
    db.session.refresh(episode)
    assert episode.found_at is None and episode.conference_id is None


def test_demo_gives_checklists_in_progress_and_a_missing_episode(app) -> None:
    from conference.demo import load_demo

    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(environment="development")
    try:
        summary = load_demo()
        again = load_demo()
    finally:
        app.config["SETTINGS"] = settings
    assert summary.created["safety checklists"] == 4 and summary.created["missing episodes"] == 1
    assert "safety checklists" not in again.created and "missing episodes" not in again.created
    year = datetime.now(UTC).year
    first = db.session.scalars(select(Case).where(Case.reference == f"NB-{year}-0001")).one()
    statuses = db.session.scalars(select(SafetyCheck.status).where(SafetyCheck.case_id == first.id)).all()
    assert SafetyStatus.DONE in statuses and SafetyStatus.IN_PROGRESS in statuses and SafetyStatus.TO_DO in statuses
    second = db.session.scalars(select(Case).where(Case.reference == f"NB-{year}-0002")).one()
    episode = db.session.scalars(select(MissingEpisode).where(MissingEpisode.case_id == second.id)).one()
    assert episode.found_at is not None and episode.return_interview_done_at is None
    assert episode.return_interview_due_at > datetime.now(UTC)


def test_a_partner_follows_the_notice_link_and_sees_no_child_identity(client, factories, area) -> None:
    case = factories.case(area["coordinator"], child_first_name="Zephyrinecanary")
    factories.involve(case, area["police"])
    officer = factories.user(area["police"], Role.AGENCY_MEMBER)
    factories.sign_in(client, area["coordinator"])
    episode = _record_episode(client, case.id)
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == area["police"].secure_email))
    body = message_from_bytes(notice.one().body).get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/missing-episodes/" in line)
    factories.sign_in(client, officer)
    page = client.get(urlsplit(link.strip()).path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "MP/26/01234" in text and "Zephyrinecanary" not in text
    assert "Reconvene the strategy discussion" not in text  # a partner cannot convene
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety.missing.view")).all()
    assert any(v.actor_user_id == officer.id for v in views)
    token = csrf_token(client, f"/missing-episodes/{episode.id}")
    refused = client.post(f"/missing-episodes/{episode.id}/return", data={"csrf_token": token})
    assert refused.status_code == 403


def test_a_case_opened_before_checklists_can_start_one(client, factories, area) -> None:
    case = factories.case(area["coordinator"])
    for check in db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id)):
        db.session.delete(check)
    db.session.commit()
    factories.sign_in(client, area["coordinator"])
    page = soup(client.get(f"/cases/{case.id}"))
    assert page.select_one("#safety-checklist") is None
    token = csrf_token(client, f"/cases/{case.id}")
    assert client.post(f"/cases/{case.id}/safety/start", data={"csrf_token": token}).status_code == 302
    assert client.post(f"/cases/{case.id}/safety/start", data={"csrf_token": token}).status_code == 302
    assert len(db.session.scalars(select(SafetyCheck).where(SafetyCheck.case_id == case.id)).all()) == 7
    assert len(soup(client.get(f"/cases/{case.id}")).select("#safety-checklist tbody tr")) == 7
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "safety.checklist.create")).all()) == 1
