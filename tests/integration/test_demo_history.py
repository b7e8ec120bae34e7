"""The demo area has a past: after `flask demo load`, every dashboard panel and the engagement report have
something to show, a second load adds nothing, and the same date gives the same history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyotp
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, func, select, update

from conference import create_app, migrate
from conference.auth.models import User
from conference.cases.models import Case, CaseStatus
from conference.config import Settings
from conference.convening.models import Attendee, Conference, ConferenceStatus
from conference.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from conference.extensions import db
from decisions.models import DecisionAction, DecisionRecord, DecisionVersion, NrmReferral
from rules.vocabulary import MeetingType
from tests.support.factories import csrf_token
from tests.support.pages import PageCheckingClient

MODELS = (Case, Conference, Attendee, DecisionRecord, DecisionVersion, DecisionAction, NrmReferral)


def counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) or 0 for m in MODELS}


def sign_in_demo(client, email: str) -> None:  # type: ignore[no-untyped-def]
    db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
    db.session.commit()
    response = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client, "/login")}
    )
    assert response.status_code == 302
    response = client.post(
        "/login/code",
        data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now(), "csrf_token": csrf_token(client, "/login/code")},
    )
    assert response.status_code == 302


@pytest.fixture(autouse=True)
def development(request):  # type: ignore[no-untyped-def]
    """The demo loads only in development (published password): run this module's test app as development."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(environment="development")
    yield
    app.config["SETTINGS"] = settings


def test_demo_history_fills_every_panel_and_the_engagement_report(app, client):  # type: ignore[no-untyped-def]
    summary = load_demo()
    assert 20 <= summary.created["past cases"] <= 30
    assert 30 <= summary.created["past meetings"] <= 50
    assert summary.created["signed decisions"] > 20 and summary.created["amendments"] >= 3
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.status == CaseStatus.CLOSED)) >= 3
    held_types = set(
        db.session.scalars(select(Conference.meeting_type).where(Conference.status == ConferenceStatus.HELD)).all()
    )
    assert held_types == {
        MeetingType(t)
        for t in (
            "strategy_discussion",
            "pre_referral_nrm_meeting",
            "initial_child_protection_conference",
            "devolved_nrm_decision_panel",
            "review",
        )
    }
    versions = db.session.scalars(select(DecisionVersion.number)).all()
    assert 2 in versions, "some decisions were amended (a second version)"
    referrals = db.session.scalars(select(NrmReferral)).all()
    assert any(r.rg_decided_on for r in referrals) and any(r.cg_decided_on for r in referrals)

    sign_in_demo(client, "quinn.hollowell@northbridge.example")
    page = client.get("/dashboard")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html5lib")
    for panel in ("open-cases", "meetings-coming-up", "meetings-awaiting-decision", "overdue-actions", "nrm-referrals"):
        element = soup.find(id=panel)
        assert element is not None, f"the {panel} panel is empty"
        assert element.find_all(["li", "tr"]), f"the {panel} panel lists nothing"
    assert "late" in soup.find(id="nrm-referrals").get_text().lower()

    table = soup.find(id="engagement-table")
    rows = table.find("tbody").find_all("tr")
    assert len(rows) >= 8
    assert "Not recorded" not in table.get_text()
    for row in rows:
        cells = [td.get_text(strip=True) for td in row.find_all("td")]
        assert all(c.isdigit() for c in cells[:6]), cells
        assert cells[6] != "No replies"
    # Every agency's bar has at least one coloured segment besides "Other answers or not recorded".
    figure = soup.find("figure", class_="app-chart")
    names = [row.find("th").get_text(strip=True) for row in rows]
    titles = [t.get_text() for t in figure.find_all("title")]
    for name in names:
        segments = [t for t in titles if t.startswith(f"{name}:")]
        assert any("other answers" not in t for t in segments), (name, segments)
    # The agencies differ: the Home Office mostly writes, health often sends a deputy.
    by_name = {
        row.find("th").get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")] for row in rows
    }
    home_office = by_name["Home Office Safeguarding, Northern Region"]
    health = by_name["Northbridge Health Partnership"]
    assert int(home_office[4]) > int(home_office[1]) + int(home_office[2])
    assert int(health[3]) >= 3


def test_loading_the_demo_twice_adds_nothing(app):  # type: ignore[no-untyped-def]
    load_demo()
    before = counts()
    again = load_demo()
    assert again.created == {}
    assert counts() == before


@pytest.mark.parametrize("day", [date(2026, 3, 2)])
def test_the_history_is_the_same_for_the_same_date(tmp_path: Path, day: date):
    results = []
    for name in ("one", "two"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        engine = create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(Settings(environment="development", secret_key="x" * 40, database_url=url))
        app.test_client_class = PageCheckingClient
        with app.app_context():
            summary = load_demo(today=day)
            results.append((summary.created, counts(), sorted(db.session.scalars(select(Case.reference)).all())))
            db.session.remove()
    assert results[0] == results[1]


def test_the_demo_has_duty_teams_for_the_night_and_prints_links_on_the_external_url(app):  # type: ignore[no-untyped-def]
    from conference.directory.models import Person

    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = settings.with_overrides(external_url="https://convene.demo.example")
    try:
        summary = load_demo()
        described = summary.describe()
    finally:
        app.config["SETTINGS"] = settings
    assert "https://convene.demo.example/login" in described
    assert "https://convene.demo.example/dev/mail" in described
    assert "127.0.0.1" not in described
    duty = {
        p.email: p
        for p in db.session.scalars(select(Person))
        if {"emergency_duty", "police_duty_officer"} & set(p.role_tags)
    }
    edt = duty["rowan.nightingale@northbridge.example"]
    assert edt.working_hours["tue"] == [["00:00", "09:00"], ["17:00", "24:00"]] and not edt.on_call
    night = duty["noel.duskworth@northbridge-police.example"]
    assert night.working_hours["sun"][0] == ["00:00", "07:00"]
    assert edt.agency.name == "Northbridge Emergency Duty Team"


def test_every_demo_case_timeline_agrees_with_its_nrm_section(app):  # type: ignore[no-untyped-def]
    from conference.cases.models import CaseEvent
    from conference.demo_referrals import says_referred

    load_demo()
    referred = {r.case_id for r in db.session.scalars(select(NrmReferral)) if r.referred_on}
    timeline_says: set = set()
    for event in db.session.scalars(select(CaseEvent)):
        if says_referred(event.summary):
            timeline_says.add(event.case_id)
    assert referred, "some demo cases have a referral"
    assert timeline_says == referred
    case_three = db.session.scalars(select(Case).where(Case.reference.like("%-0003"))).first()
    assert case_three is not None and case_three.id in referred, "'NRM referral made' in its timeline"
