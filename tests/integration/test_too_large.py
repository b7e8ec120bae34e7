"""A form too large to accept: the page says what happened and how to get back to what was typed."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conference.auth.models import Role
from tests.support.factories import csrf_token

PASTE = "x" * (10 * 1024 * 1024)  # a 10 MB paste


def _sign_in(client, factories):  # type: ignore[no-untyped-def]
    factories.sign_in(client, factories.user(factories.agency(factories.area()), Role.COORDINATOR))


def _post_too_large(client, referer: str | None):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/cases/new"), "child_first_name": PASTE}
    headers = {"Referer": referer} if referer else {}
    response = client.post("/cases/new", data=data, headers=headers)
    assert response.status_code == 413
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def test_the_413_page_explains_and_links_back_to_the_form_on_this_site(client, factories):  # type: ignore[no-untyped-def]
    _sign_in(client, factories)
    page = _post_too_large(client, "http://localhost/cases/new?from=list")
    text = " ".join(page.get_text(" ").split())
    assert "too large" in text and "5 MB" in text and "Nothing you sent on this form was saved" in text
    assert "back button" in text  # the way that keeps what was typed
    back = page.find("a", string=lambda s: s and "Go back" in s)
    assert back is not None and back["href"] == "/cases/new?from=list"
    assert "Go to the start" not in text


def test_the_413_page_never_links_to_another_site(client, factories):  # type: ignore[no-untyped-def]
    """Without a usable Referer (Convene sends no-referrer), the way back is the form's own address."""
    _sign_in(client, factories)
    for referer in ("https://evil.example/phish", "//evil.example/x", None, "javascript:alert(1)"):
        page = _post_too_large(client, referer)
        back = page.find("a", string=lambda s: s and "Go back" in s)
        assert back is not None and back["href"] == "/cases/new", referer
        hrefs = [a.get("href") or "" for a in page.find_all("a")]
        assert not any("evil" in h or "javascript" in h for h in hrefs), referer
        assert "back button" in " ".join(page.get_text(" ").split())


def test_no_link_back_when_the_address_is_not_a_page(client, factories):  # type: ignore[no-untyped-def]
    """A too-large POST to an address that has no page (sign out) gets words only, no dead link."""
    _sign_in(client, factories)
    response = client.post(
        "/logout",
        data={"csrf_token": csrf_token(client, "/cases/new"), "fields": PASTE},
    )
    assert response.status_code == 413
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert page.find("a", string=lambda s: s and "Go back" in s) is None
    assert "back button" in " ".join(page.get_text(" ").split())
