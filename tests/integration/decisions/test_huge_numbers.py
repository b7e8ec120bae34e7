"""Numbers too big for the database, in a URL, a form or an autosave, get a clear answer, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.integration.decisions.support import make_world, record_everything, sign_off, url
from tests.support.factories import csrf_token

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("number", [HUGE, "2147483648", "0"])
def test_a_version_number_out_of_range_in_a_url_is_not_found(client, factories, number):  # type: ignore[no-untyped-def]
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    assert sign_off(client, world).status_code == 302
    assert client.get(url(world, "/versions/1")).status_code == 200
    for tail in (f"/versions/{number}", f"/versions/{number}/minutes.pdf"):
        response = client.get(url(world, tail))
        assert response.status_code == 404, (tail, response.status_code)


def test_a_huge_version_in_an_autosave_is_refused_cleanly(client, factories):  # type: ignore[no-untyped-def]
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    token = csrf_token(client, url(world, "/information"))
    saved = client.post(
        url(world, "/autosave"),
        data=json.dumps({"section": "information", "version": int(HUGE), "fields": {"information-police": "x"}}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert saved.status_code == 400 and "reload the page" in saved.get_json()["error"]


def test_a_huge_version_in_a_form_is_refused_cleanly(client, factories):  # type: ignore[no-untyped-def]
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    token = csrf_token(client, url(world, "/information"))
    posted = client.post(
        url(world, "/information"),
        data={"csrf_token": token, "version": HUGE, "information-police": "Typed"},
    )
    assert posted.status_code == 400, posted.status_code
