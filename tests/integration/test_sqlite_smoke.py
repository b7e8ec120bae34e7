"""The embedded default stays honest: migrations, the demo area and a sign-in on SQLite, as `make run` does."""

from __future__ import annotations

from pathlib import Path

import pyotp
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, func, inspect, select

from conference import create_app, migrate
from conference.audit import verify_audit_log
from conference.cases.models import Case
from conference.config import Settings
from conference.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from conference.directory.models import Person
from conference.extensions import db
from tests.support.pages import PageCheckingClient


def _token(client, path):
    soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html5lib")
    return soup.find("input", attrs={"name": "csrf_token"})["value"]


def test_migrations_demo_and_sign_in_on_sqlite(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'convene.sqlite3'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"cases", "audit_events", "user_sessions", "conferences"} <= tables
    migrate.downgrade(engine, "base")
    assert inspect(engine).get_table_names() in ([], ["alembic_version"])
    migrate.upgrade(engine)
    engine.dispose()

    app = create_app(Settings(environment="development", secret_key="x" * 40, database_url=url))
    app.test_client_class = PageCheckingClient
    with app.app_context():
        first = load_demo()
        second = load_demo()
        assert first.created["cases"] == 4 and first.created["people"] >= 36
        assert second.created == {}
        assert db.session.scalar(select(func.count()).select_from(Case)) == 4 + first.created["past cases"]
        assert db.session.scalar(select(func.count()).select_from(Person)) >= 36

        client = app.test_client()
        wrong = client.post(
            "/login",
            data={
                "email": "casey.quill@northbridge.example",
                "password": "not-the-password",
                "csrf_token": _token(client, "/login"),
            },
        )
        assert wrong.status_code == 400  # counted towards the lock (UPDATE ... RETURNING on SQLite too)
        response = client.post(
            "/login",
            data={
                "email": "casey.quill@northbridge.example",
                "password": DEMO_PASSWORD,
                "csrf_token": _token(client, "/login"),
            },
        )
        assert response.status_code == 302
        response = client.post(
            "/login/code",
            data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now(), "csrf_token": _token(client, "/login/code")},
        )
        assert response.status_code == 302
        listing = client.get("/cases")
        assert listing.status_code == 200
        assert listing.get_data(as_text=True).count("NB-") >= 4
        case = db.session.scalars(select(Case).order_by(Case.reference)).first()
        assert client.get(f"/cases/{case.id}").status_code == 200
        dashboard = BeautifulSoup(client.get("/dashboard").get_data(as_text=True), "html5lib")
        engagement = dashboard.select("#engagement-table tbody tr")  # counted in SQL, the median read back
        assert engagement and any("No replies" not in row.get_text() for row in engagement)
        assert verify_audit_log(db.session).ok
