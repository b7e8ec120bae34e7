"""Facts that change, with history: changing them (and bad input), two people at once, deadlines that move,
"changed since the last meeting", age on a meeting's date, the approaching-18 alert, restricted identity,
linked cases across areas, and a signed decision flagged "Facts changed since this decision"."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from conference.audit import AuditEvent
from conference.auth.models import Role
from conference.cases.fact_models import CaseFactChange, CaseFactConflict, CaseLink
from conference.cases.models import Case, MissingRisk
from conference.convening import request as convening_request
from conference.extensions import db
from decisions.models import DecisionRecord, RecordStatus
from rules.age import ADULTHOOD_ALERT_DAYS, birthday_in
from rules.timescales import london_date
from rules.vocabulary import MeetingType
from tests.integration.decisions.support import record_everything, sign_off
from tests.support.factories import csrf_token


def _facts_path(case: Case) -> str:
    return f"/cases/{case.id}/facts"


def _form(client, case: Case) -> dict[str, str]:
    """The change form as the page gives it (all fields, and the values seen)."""
    page = client.get(_facts_path(case))
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    form: dict[str, str] = {}
    for field in soup.select("form input, form textarea"):
        name = field.get("name")
        if not name:
            continue
        kind = field.get("type", "text")
        if kind in ("radio", "checkbox"):
            if field.has_attr("checked"):
                form[name] = field["value"]
        elif field.name == "textarea":
            form[name] = field.get_text()
        else:
            form[name] = field.get("value", "")
    return form


def _text(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib").get_text(" ", strip=True)


def _coordinator_case(factories, code="NB", **case_fields):
    area = factories.area(code, f"Area {code}")
    agency = factories.agency(area)
    coordinator = factories.user(agency, Role.COORDINATOR)
    case = factories.case(coordinator, **case_fields)
    return area, agency, coordinator, case


def _history(case: Case) -> list[CaseFactChange]:
    return list(db.session.scalars(select(CaseFactChange).where(CaseFactChange.case_id == case.id)))


def test_a_change_updates_the_fact_appends_history_and_audits_it(client, factories):
    _, _, coordinator, case = _coordinator_case(factories, missing_risk=MissingRisk.MEDIUM, nationality="Albanian")
    factories.sign_in(client, coordinator)
    form = _form(client, case)
    form.update(missing_risk="high", nationality="Vietnamese", reason="Police intelligence of a planned pick-up")
    response = client.post(_facts_path(case), data=form)
    assert response.status_code == 302, _text(response)[:500]

    db.session.refresh(case)
    assert case.missing_risk is MissingRisk.HIGH and case.nationality == "Vietnamese"
    rows = {row.fact: row for row in _history(case)}
    assert set(rows) == {"missing_risk", "nationality"}
    assert (rows["missing_risk"].old_value, rows["missing_risk"].new_value) == ("medium", "high")
    assert rows["nationality"].old_value == "Albanian"
    assert rows["missing_risk"].reason == "Police intelligence of a planned pick-up"
    assert rows["missing_risk"].changed_by_id == coordinator.id
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.facts.change")).one()
    assert audit.actor_user_id == coordinator.id and sorted(audit.detail["facts"]) == ["missing_risk", "nationality"]
    assert "Vietnamese" not in str(audit.detail)  # audit details hold ids and names of facts, never values

    page = client.get(f"/cases/{case.id}")
    assert "Facts changed: Nationality, Risk of going missing" in _text(page)
    history = client.get(f"/cases/{case.id}/facts/history")
    text = _text(history)
    assert "Albanian" in text and "Vietnamese" in text and "Police intelligence of a planned pick-up" in text

    # A second change appends: the first stays as it was.
    form = _form(client, case)
    form.update(missing_risk="low", reason="Placed with a foster carer")
    assert client.post(_facts_path(case), data=form).status_code == 302
    risk_rows = sorted((r for r in _history(case) if r.fact == "missing_risk"), key=lambda r: r.changed_at)
    assert [(r.old_value, r.new_value) for r in risk_rows] == [("medium", "high"), ("high", "low")]


def test_bad_input_gives_clear_errors_and_saves_nothing(client, factories):
    _, _, coordinator, case = _coordinator_case(factories)
    factories.sign_in(client, coordinator)
    base = _form(client, case)
    cases = [
        ({"missing_risk": "low", "reason": ""}, "Enter the reason for the change"),
        ({"child_estimated_age": "30", "reason": "x"}, "Estimated age must be a whole number between 0 and 25"),
        ({"child_estimated_age": "fifteen", "reason": "x"}, "Estimated age must be a whole number between 0 and 25"),
        (
            {"child_born_on-day": "31", "child_born_on-month": "2", "child_born_on-year": "2012", "reason": "x"},
            "Date of birth must be a real date",
        ),
        (
            {"child_born_on-day": "1", "child_born_on-month": "1", "child_born_on-year": "2999", "reason": "x"},
            "Date of birth must be today or in the past",
        ),
        ({"child_estimated_age": "", "reason": "x"}, "Enter the child's date of birth or their estimated age"),
        (
            {
                "age_assessment_requested_on-day": "10",
                "age_assessment_requested_on-month": "3",
                "age_assessment_requested_on-year": "2026",
                "age_assessment_carried_out_on-day": "1",
                "age_assessment_carried_out_on-month": "3",
                "age_assessment_carried_out_on-year": "2026",
                "reason": "x",
            },
            "must be the same as or after the date it was requested",
        ),
        (
            {"age_assessment_outcome": "Assessed as 16", "reason": "x"},
            "Enter the date the age assessment was carried out",
        ),
        ({"missing_risk": "extreme", "reason": "x"}, "Select the risk of the child going missing"),
        ({"reason": "Nothing really"}, "You have not changed any facts"),
    ]
    for changes, message in cases:
        form = {**base, **changes, "nationality": "Typed but not saved"}
        if "reason" in changes and changes == {"reason": "Nothing really"}:
            form["nationality"] = base.get("nationality", "")
        response = client.post(_facts_path(case), data=form)
        assert response.status_code == 400, (changes, response.status_code)
        text = _text(response)
        assert "There is a problem" in text and message in text, (changes, text[:600])
        soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
        if form["nationality"]:
            assert soup.select_one("#nationality")["value"] == "Typed but not saved"  # nothing typed is lost
    assert _history(case) == []
    db.session.refresh(case)
    assert case.nationality == "" and case.child_estimated_age == 15


def test_two_people_editing_at_once_both_changes_kept_or_a_clear_conflict(client, app, factories):
    area, agency, first, case = _coordinator_case(factories, missing_risk=MissingRisk.MEDIUM)
    second = factories.user(agency, Role.COORDINATOR)
    factories.sign_in(client, first)
    form_first = _form(client, case)
    other = app.test_client()
    factories.sign_in(other, second)
    form_second = _form(other, case)
    version_before = case.version

    # Different facts: both kept, whoever saves second.
    form_first.update(missing_risk="high", reason="Seen with an older man")
    assert client.post(_facts_path(case), data=form_first).status_code == 302
    form_second.update(languages="Tigrinya", reason="Interpreter confirmed the language")
    assert other.post(_facts_path(case), data=form_second).status_code == 302
    db.session.refresh(case)
    assert case.missing_risk is MissingRisk.HIGH and case.languages == "Tigrinya"
    assert case.version == version_before + 2
    assert {r.fact for r in _history(case)} == {"missing_risk", "languages"}

    # The same fact from a stale form: a clear conflict; the saved value stays and the typed one is on the page.
    stale = dict(form_second)
    stale.update(missing_risk="low", reason="Moved to a safe placement")
    response = other.post(_facts_path(case), data=stale)
    assert response.status_code == 409
    text = _text(response)
    assert "Risk of going missing was changed by someone else to 'High' while you were editing" in text
    soup = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert soup.select_one("#missing_risk-3")["value"] == "low" and soup.select_one("#missing_risk-3").has_attr(
        "checked"
    )
    assert soup.select_one("#reason").get_text() == "Moved to a safe placement"
    db.session.refresh(case)
    assert case.missing_risk is MissingRisk.HIGH
    # Saving again, having seen the other change, applies it.
    again = {str(i["name"]): str(i.get("value", "")) for i in soup.select("form input[type=hidden]")}
    resubmit = {**stale, **again}
    assert other.post(_facts_path(case), data=resubmit).status_code == 302
    db.session.refresh(case)
    assert case.missing_risk is MissingRisk.LOW


def test_a_higher_missing_risk_brings_the_open_meeting_deadline_forward(client, factories):
    _, _, coordinator, case = _coordinator_case(factories, missing_risk=MissingRisk.MEDIUM)
    from flask import g

    g.user = coordinator
    conference = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
    factories.save()
    g.user = None
    before = conference.deadline_at
    assert before is not None
    factories.sign_in(client, coordinator)
    form = _form(client, case)
    form.update(missing_risk="high", reason="Went missing overnight")
    assert client.post(_facts_path(case), data=form).status_code == 302

    db.session.refresh(conference)
    expected = max(case.identified_at + timedelta(hours=8), datetime.now(UTC) + timedelta(hours=2))
    assert conference.deadline_at < before
    assert abs((conference.deadline_at - expected).total_seconds()) < 120
    page = _text(client.get(f"/cases/{case.id}"))
    assert f"The deadline of meeting {conference.reference} moved from" in page
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "conference.deadline_recomputed")).first()
        is not None
    )

    # Lowering the risk again does not quietly push the deadline back: it says what the default would be.
    moved = conference.deadline_at
    form = _form(client, case)
    form.update(missing_risk="low", reason="Placed out of area")
    assert client.post(_facts_path(case), data=form).status_code == 302
    db.session.refresh(conference)
    assert conference.deadline_at == moved
    assert "its deadline stays" in _text(client.get(f"/cases/{case.id}"))


def test_changed_since_the_last_meeting_and_age_on_the_meeting_date(client, factories):
    world = factories.held_meeting()
    case = world.case
    born = date.today().replace(year=date.today().year - 14) - timedelta(days=10)
    case.child_born_on = born
    factories.save()
    coordinator = factories.user(world.social_care, Role.COORDINATOR)
    factories.sign_in(client, coordinator)
    page = client.get(f"/cases/{case.id}")
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    assert soup.select(".app-fact-changed") == []
    row = soup.select_one(f'#meeting-deadlines tr[data-meeting="{world.conference.reference}"]')
    assert row is not None and row.find_all("td")[-1].get_text(strip=True) == "14"

    form = _form(client, case)
    form.update(missing_risk="low", reason="Stable placement")
    assert client.post(_facts_path(case), data=form).status_code == 302
    soup = BeautifulSoup(client.get(f"/cases/{case.id}").get_data(as_text=True), "html5lib")
    tagged = [tag.find_parent("div", class_="govuk-summary-list__row") for tag in soup.select(".app-fact-changed")]
    assert [row.select_one("dt").get_text(strip=True) for row in tagged] == ["Risk of going missing"]


def test_age_on_a_meeting_date_from_an_estimate(client, factories):
    world = factories.held_meeting()
    coordinator = factories.user(world.social_care, Role.COORDINATOR)
    factories.sign_in(client, coordinator)
    soup = BeautifulSoup(client.get(f"/cases/{world.case.id}").get_data(as_text=True), "html5lib")
    row = soup.select_one(f'#meeting-deadlines tr[data-meeting="{world.conference.reference}"]')
    assert row.find_all("td")[-1].get_text(strip=True) == "about 15 (estimated)"


def _eighteen_in(days: int) -> date:
    """A date of birth whose 18th birthday is ``days`` from today (London)."""
    target = london_date(datetime.now(UTC)) + timedelta(days=days)
    born = birthday_in(target, target.year - 18)
    assert birthday_in(born, born.year + 18) == target
    return born


def test_the_approaching_18_alert_starts_exactly_100_days_before(client, factories):
    _, _, coordinator, case = _coordinator_case(factories)
    factories.sign_in(client, coordinator)
    for days, shown in ((ADULTHOOD_ALERT_DAYS + 1, False), (ADULTHOOD_ALERT_DAYS, True), (1, True), (0, False)):
        case.child_born_on = _eighteen_in(days)
        factories.save()
        soup = BeautifulSoup(client.get(f"/cases/{case.id}").get_data(as_text=True), "html5lib")
        alert = soup.select_one("#approaching-18")
        assert (alert is not None) is shown, days
        if shown:
            assert f"in {days} day" in alert.get_text(" ", strip=True)


def test_restricted_identity_stays_restricted_in_facts_history_and_decision_flags(client, factories):
    world = factories.held_meeting()
    case = world.case
    coordinator = factories.user(world.social_care, Role.COORDINATOR)
    factories.sign_in(client, coordinator)
    form = _form(client, case)
    form.update(child_first_name="Canaryrenamed", nationality="Canarystan", reason="Canaryreason from passport")
    assert client.post(_facts_path(case), data=form).status_code == 302

    member = world.member  # an agency member involved in the case: no identity permission
    factories.sign_in(client, member)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    history = client.get(f"/cases/{case.id}/facts/history")
    assert history.status_code == 200
    for response in (page, history):
        body = response.get_data(as_text=True)
        assert "Canary" not in body and "Testchild" not in body
    assert "Restricted" in _text(history) and "First name" in _text(history)
    assert client.get(_facts_path(case)).status_code == 403  # members cannot change facts


def test_linked_cases_show_no_identity_beyond_the_user_scope(client, factories):
    _, _, coordinator_a, case_a = _coordinator_case(factories, "AA", child_first_name="Canaryalpha")
    _, _, coordinator_b, case_b = _coordinator_case(factories, "BB", child_first_name="Canarybeta")
    _, _, _, case_b2 = _coordinator_case(factories, "BC", child_first_name="Canarygamma")
    factories.sign_in(client, coordinator_b)

    path = f"/cases/{case_b.id}/links/new"
    bad = client.post(path, data={"csrf_token": csrf_token(client, path), "reference": "", "kind": "", "reason": ""})
    assert bad.status_code == 400
    assert "Enter the reference of the case to link" in _text(bad) and "Select how the children are connected" in _text(
        bad
    )
    missing = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "reference": "ZZ-2026-9999", "kind": "siblings", "reason": "x"},
    )
    assert missing.status_code == 400 and "There is no case with the reference ZZ-2026-9999" in _text(missing)
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "reference": case_a.reference.lower(),
            "kind": "co_victims",
            "reason": "Found together in a raid",
        },
    )
    assert response.status_code == 302
    assert db.session.scalars(select(CaseLink)).one().kind.value == "co_victims"
    again = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "reference": case_a.reference, "kind": "siblings", "reason": "x"},
    )
    assert again.status_code == 400 and "already linked" in _text(again)

    # Area B sees case A's reference and area, but no identity and no way in.
    body = client.get(f"/cases/{case_b.id}").get_data(as_text=True)
    soup = BeautifulSoup(body, "html5lib")
    linked = soup.select_one("#linked-cases").get_text(" ", strip=True)
    assert case_a.reference in linked and "outside your area" in linked
    assert "Canaryalpha" not in body and "Found together" not in linked
    assert soup.select_one(f'#linked-cases a[href="/cases/{case_a.id}"]') is None
    assert client.get(f"/cases/{case_a.id}").status_code == 404

    # Area A sees case B the same way; a case B links nothing to stays unlisted.
    factories.sign_in(client, coordinator_a)
    body = client.get(f"/cases/{case_a.id}").get_data(as_text=True)
    assert case_b.reference in body and "Canarybeta" not in body and case_b2.reference not in body


def test_linked_case_in_scope_is_listed_with_its_child(client, factories):
    area, agency, coordinator, case = _coordinator_case(factories, "NB")
    other = factories.case(coordinator, child_first_name="Siblingname")
    factories.sign_in(client, coordinator)
    path = f"/cases/{case.id}/links/new"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "reference": other.reference,
            "kind": "siblings",
            "reason": "Brothers",
        },
    )
    assert response.status_code == 302
    soup = BeautifulSoup(client.get(f"/cases/{case.id}").get_data(as_text=True), "html5lib")
    linked = soup.select_one("#linked-cases")
    assert linked.select_one(f'a[href="/cases/{other.id}"]') is not None
    assert "Siblingname" in linked.get_text() and "Brothers" in linked.get_text()


def test_a_signed_decision_is_flagged_when_facts_change_and_the_chair_amends_it(client, factories):
    world = factories.held_meeting()
    world.case.missing_risk = MissingRisk.MEDIUM
    factories.save()
    coordinator = factories.user(world.social_care, Role.COORDINATOR)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    record = db.session.scalars(select(DecisionRecord).where(DecisionRecord.case_id == world.case.id)).one()
    assert record.status is RecordStatus.SIGNED
    assert "Facts changed since this decision" not in _text(client.get(f"/cases/{world.case.id}"))

    factories.sign_in(client, coordinator)
    form = _form(client, world.case)
    form.update(missing_risk="high", reason="Went missing")
    assert client.post(_facts_path(world.case), data=form).status_code == 302

    factories.sign_in(client, world.chair)
    text = _text(client.get(f"/cases/{world.case.id}"))
    assert "Facts changed since this decision" in text and "Was Medium, now High" in text
    version_page = client.get(f"/conferences/{world.conference.id}/record/versions/1")
    assert "Facts changed since this decision" in _text(version_page)
    soup = BeautifulSoup(version_page.get_data(as_text=True), "html5lib")
    form_tag = soup.select_one(".app-facts-changed form")
    data = {str(i["name"]): str(i.get("value", "")) for i in form_tag.select("input")}
    response = client.post(form_tag["action"], data=data)
    assert response.status_code == 302
    db.session.refresh(record)
    assert record.status is RecordStatus.AMENDING
    assert record.amendment_reason == "Facts changed since this decision: risk of going missing"

    # An agency member sees the flag, without the chair's button.
    factories.sign_in(client, world.member)
    record.status = RecordStatus.SIGNED
    factories.save()
    soup = BeautifulSoup(client.get(f"/cases/{world.case.id}").get_data(as_text=True), "html5lib")
    flag = soup.select_one(".app-facts-changed")
    assert flag is not None and flag.select_one("form") is None


def test_the_demo_shows_changed_facts_a_child_approaching_18_and_linked_cases(app, client, factories):
    from conference.demo import DEMO_ACCOUNTS, load_demo
    from tests.integration.test_demo_history import sign_in_demo

    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(environment="development")
    try:
        summary = load_demo()
    finally:
        app.config["SETTINGS"] = settings
    assert summary.created["fact changes"] == 3 and summary.created["case links"] == 1
    year = datetime.now(UTC).year
    first = db.session.scalars(select(Case).where(Case.reference == f"NB-{year}-0001")).one()
    third = db.session.scalars(select(Case).where(Case.reference == f"NB-{year}-0003")).one()
    sign_in_demo(client, DEMO_ACCOUNTS[0][0])
    soup = BeautifulSoup(client.get(f"/cases/{third.id}").get_data(as_text=True), "html5lib")
    assert "in 60 days" in soup.select_one("#approaching-18").get_text()
    soup = BeautifulSoup(client.get(f"/cases/{first.id}").get_data(as_text=True), "html5lib")
    assert f"NB-{year}-0002" in soup.select_one("#linked-cases").get_text()


def test_the_dashboard_lists_children_approaching_18_in_scope_from_exactly_100_days(client, factories):
    _, _, coordinator, due = _coordinator_case(factories, "NB", child_born_on=_eighteen_in(ADULTHOOD_ALERT_DAYS))
    not_yet = factories.case(coordinator, child_born_on=_eighteen_in(ADULTHOOD_ALERT_DAYS + 1))
    soon = factories.case(coordinator, child_born_on=_eighteen_in(3))
    _, _, _, elsewhere = _coordinator_case(factories, "EM", child_born_on=_eighteen_in(10))
    factories.sign_in(client, coordinator)
    soup = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html5lib")
    items = [li.get_text(" ", strip=True) for li in soup.select("#approaching-18 li")]
    assert items == [
        f"Case {soon.reference} Turns 18 in 3 days",
        f"Case {due.reference} Turns 18 in {ADULTHOOD_ALERT_DAYS} days",
    ]
    assert not_yet.reference not in str(items) and elsewhere.reference not in soup.get_text()


@pytest.mark.committed
def test_two_saves_at_the_same_moment_both_kept_or_one_clear_conflict(app, factories):
    """Two people press Save together (two threads, two connections): the row lock orders them. Different facts:
    both kept. The same fact: one wins, the other gets the conflict with their text on the page, and the refusal
    is audited after the rollback."""
    _, agency, first, case = _coordinator_case(factories, missing_risk=MissingRisk.MEDIUM)
    second = factories.user(agency, Role.COORDINATOR)
    clients = [app.test_client(), app.test_client()]
    factories.sign_in(clients[0], first)
    factories.sign_in(clients[1], second)

    def race(changes: list[dict[str, str]]) -> list[int]:
        forms = [{**_form(c, case), **change} for c, change in zip(clients, changes, strict=True)]
        barrier = threading.Barrier(2)
        answers: list[tuple[int, str]] = [(0, ""), (0, "")]

        def save(index: int) -> None:
            with app.app_context():
                barrier.wait()
                response = clients[index].post(_facts_path(case), data=forms[index])
                answers[index] = (response.status_code, response.get_data(as_text=True))
                db.session.remove()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        race.bodies = [body for _, body in answers]  # type: ignore[attr-defined]
        return [status for status, _ in answers]

    assert race([{"languages": "Amharic", "reason": "one"}, {"nationality": "Eritrean", "reason": "two"}]) == [
        302,
        302,
    ]
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.languages == "Amharic" and saved.nationality == "Eritrean"

    statuses = race([{"missing_risk": "high", "reason": "one"}, {"missing_risk": "low", "reason": "Typed by two"}])
    assert sorted(statuses) == [302, 409]
    loser = statuses.index(409)
    assert "was changed by someone else" in race.bodies[loser]  # type: ignore[attr-defined]
    assert ("one" if loser == 0 else "Typed by two") in race.bodies[loser]  # type: ignore[attr-defined]
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.missing_risk is (MissingRisk.LOW if loser == 0 else MissingRisk.HIGH)
    risk_rows = [r for r in _history(saved) if r.fact == "missing_risk"]
    assert len(risk_rows) == 1
    refusals = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.facts.change", AuditEvent.outcome == "conflict")
    ).all()
    assert len(refusals) == 1 and refusals[0].detail["facts"] == ["missing_risk"]
    kept = db.session.scalars(select(CaseFactConflict)).one()  # what the loser typed, kept after the rollback
    assert str(kept.id) == refusals[0].detail["conflict_id"]
    assert kept.attempted["reason"] == ("one" if loser == 0 else "Typed by two")
    assert kept.attempted["values"]["missing_risk"] == ("high" if loser == 0 else "low")
    assert kept.conflicting == ["missing_risk"]


def test_canary_fact_values_stay_out_of_logs_audit_rows_and_the_timeline(client, factories, caplog):
    import logging

    from conference.cases.models import CaseEvent
    from conference.logs import JsonFormatter

    caplog.set_level(logging.DEBUG)
    _, _, coordinator, case = _coordinator_case(factories)
    factories.sign_in(client, coordinator)
    form = _form(client, case)
    canaries = {
        "child_first_name": "Canaryfirst",
        "nationality": "Canaryland",
        "legal_status": "Canarystatus",
        "reason": "Canaryreason",
    }
    assert client.post(_facts_path(case), data={**form, **canaries}).status_code == 302
    assert client.post(_facts_path(case), data={**form, "child_last_name": "Canarylast"}).status_code == 400
    stale = {**form, "nationality": "Canarystale", "reason": "Canaryconflict"}
    assert client.post(_facts_path(case), data=stale).status_code == 409
    logged = "\n".join(r.getMessage() + str(r.__dict__) + JsonFormatter().format(r) for r in caplog.records)
    audit = "\n".join(str(e.detail) + e.reason for e in db.session.scalars(select(AuditEvent)))
    timeline = "\n".join(e.summary for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))
    for text in (logged, audit, timeline):
        assert "Canary" not in text
