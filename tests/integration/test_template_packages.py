"""The app starts with only the template packages its pages use (govuk-frontend-jinja).

govuk-frontend-wtf is not used (DEVELOPERS.md), and no template imports from it; the app must not fail to start
when it is absent from the environment (it once did: its loader was registered eagerly).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conference import create_app
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[2]


def test_the_app_starts_and_renders_without_govuk_frontend_wtf(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "govuk_frontend_wtf", None)  # importing it now raises ImportError
    app = create_app(make_settings(database_url))
    with app.test_request_context("/"):
        html = app.jinja_env.get_template("govuk_frontend_jinja/components/button/macro.html")
        assert html is not None
    response = app.test_client().get("/login", base_url="https://localhost")
    assert response.status_code == 200
    assert "govuk-button" in response.get_data(as_text=True)


def test_no_template_imports_from_govuk_frontend_wtf() -> None:
    users = [path for path in (REPO / "templates").rglob("*.html") if "govuk_frontend_wtf" in path.read_text()]
    assert users == []
