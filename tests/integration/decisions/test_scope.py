"""Scope: a user from another area gets 404 on every decisions URL, for every method."""

from __future__ import annotations

import json

from sqlalchemy import select

from conference.auth.models import Role
from conference.extensions import db
from decisions.models import DecisionAction
from tests.integration.decisions.support import make_world, record_everything, sign_off, url
from tests.support.factories import csrf_token


def test_every_decisions_url_is_404_for_another_area(client, factories, app):
    world = make_world(factories)
    factories.sign_in(client, world.chair)
    record_everything(client, world)
    stale = client.post(
        url(world, "/autosave"),
        data=json.dumps({"section": "information", "version": 1, "fields": {"information-police": "Stale"}}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client, url(world, "/information"))},
    )
    assert stale.status_code == 409
    conflict_id = stale.get_json()["conflict_url"].rsplit("/", 1)[1]
    assert sign_off(client, world).status_code == 302
    action = db.session.scalars(select(DecisionAction)).one()
    outsider = factories.user(factories.agency(factories.area("EM", "Elsewhere")), Role.CHAIR)
    other = app.test_client()
    factories.sign_in(other, outsider)
    token = csrf_token(other, "/cases")
    values = {
        "conference_id": world.conference.id,
        "case_id": world.case.id,
        "action_id": action.id,
        "number": 1,
        "conflict_id": conflict_id,
        "stage": "reasonable_grounds",
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("decisions."):
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = other.get(path)
            elif rule.endpoint == "decisions.autosave":
                response = other.post(
                    path,
                    data=json.dumps({"section": "information", "version": 1, "fields": {}}),
                    content_type="application/json",
                    headers={"X-CSRFToken": token},
                )
            else:
                response = other.post(path, data={"csrf_token": token})
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked >= 25
    # The same URLs work for the chair of the area (so the 404s above are about scope, not broken routes).
    assert client.get(f"/conferences/{world.conference.id}/record/versions/1").status_code == 200
