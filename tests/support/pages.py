"""The page-checking test client: every HTML page the tests render is checked (after GOV.UK Notify).

Checks: a title; no duplicate ids; every form has an action and (for POST) a CSRF token; every script
carries this response's CSP nonce; no external scripts, styles or images; error summary links point at
fields that exist; "Error: " in the title when there is an error summary.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup
from flask.globals import _cv_app
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


class PageProblem(AssertionError):
    pass


def check_page(response: TestResponse) -> BeautifulSoup:
    html = response.get_data(as_text=True)
    soup = BeautifulSoup(html, "html5lib")
    problems: list[str] = []
    title = soup.title.string.strip() if soup.title and soup.title.string else ""
    if not title:
        problems.append("page has no <title>")
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    for form in soup.find_all("form"):
        if not form.has_attr("action"):
            problems.append(f"form without an action: {str(form)[:80]}")
        if str(form.get("method") or "get").lower() == "post" and not form.find("input", attrs={"name": "csrf_token"}):
            problems.append(f"POST form without a CSRF token: action={form.get('action')}")
    problems += _asset_problems(soup, response)
    problems += _error_summary_problems(soup, title)
    if problems:
        raise PageProblem(f"{response.request.path}: " + "; ".join(problems))
    return soup


def _asset_problems(soup: BeautifulSoup, response: TestResponse) -> list[str]:
    problems: list[str] = []
    csp = response.headers.get("Content-Security-Policy", "")
    match = re.search(r"'nonce-([^']+)'", csp)
    nonce = match.group(1) if match else None
    for script in soup.find_all("script"):
        if str(script.get("src") or "").startswith(("http:", "https:", "//")):
            problems.append(f"external script: {script.get('src')}")
        if not script.get("src") and script.get("nonce") != nonce:
            problems.append("inline script without this response's CSP nonce")
    for tag, attribute in (("link", "href"), ("img", "src")):
        for element in soup.find_all(tag):
            if str(element.get(attribute, "")).startswith(("http:", "https:", "//")):
                problems.append(f"external {tag}: {element.get(attribute)}")
    return problems


def _error_summary_problems(soup: BeautifulSoup, title: str) -> list[str]:
    problems: list[str] = []
    summary = soup.select_one(".govuk-error-summary")
    if summary is not None:
        if not title.startswith("Error: "):
            problems.append("error summary shown but the title does not start with 'Error: '")
        for link in summary.select("a[href^='#']"):
            target = link["href"][1:]
            if not soup.find(id=target):
                problems.append(f"error summary links to #{target}, which is not on the page")
    return problems


class PageCheckingClient(FlaskClient):
    """A test client that checks every HTML page it receives."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", "https://localhost")  # the session cookie is Secure
        # Each request gets its own app context (its own g and database session), as in production; the
        # test's context is set aside meanwhile and its session expired afterwards so it reads fresh rows.
        outer = _cv_app.get(None)
        token = _cv_app.set(None)  # type: ignore[arg-type]  # set aside without tearing down its session
        try:
            response = super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if outer is not None:
                from conference.extensions import db

                db.session.expire_all()
        if response.mimetype == "text/html" and response.status_code != 304 and response.get_data():
            check_page(response)
        return response
