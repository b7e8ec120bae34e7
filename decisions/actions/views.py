"""The action plan of a record: add an action, change its status."""

from __future__ import annotations

import uuid

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires
from conference.db import utcnow
from conference.forms import FormErrors
from decisions import common, forms
from decisions.actions import queries as actions_queries
from decisions.actions import services as actions_services
from decisions.blueprint import PREFIX, bp, common_context, form_data, load_for_writing, refused, set_banner
from decisions.models import ActionStatus


@bp.route(f"{PREFIX}/actions", methods=["GET", "POST"])
@requires(Permission.DECISION_RECORD)
def actions(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    people = actions_queries.find_action_owners(conference)
    errors = FormErrors()
    form: dict[str, str] = {"idempotency_key": uuid.uuid4().hex}
    if request.method == "POST":
        form = form_data()
        key = form.get("idempotency_key", "")
        if not (8 <= len(key) <= 64):
            abort(400)
        details = forms.read_action(form, people, errors)
        if details is not None:
            location = url_for("decisions.actions", conference_id=conference.id)
            try:
                actions_services.add_action_once(
                    record,
                    actions_services.NewAction(*details),
                    g.user,
                    key=key,
                    digest=actions_services.body_hash(form),
                    location=location,
                )
            except actions_services.IdempotencyReplay as replay:
                return redirect(replay.location)
            except actions_services.IdempotencyMismatch:
                abort(422)
            except actions_services.IdempotencyInFlight:
                abort(409)
            except common.DecisionError as error:
                return refused(conference, record, str(error))
            set_banner("Action added")
            return redirect(location)
    return render_template(
        "decisions/actions.html",
        **common_context(conference, record),
        errors=errors,
        form=form,
        people=people,
        statuses=list(ActionStatus),
        now=utcnow(),
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/actions/<uuid:action_id>/status", methods=["POST"])
@requires(Permission.DECISION_RECORD)
def action_status(conference_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    action = actions_queries.get_action(record, action_id)
    errors = FormErrors()
    status = forms.read_action_status(request.form, errors)
    if status is None:
        abort(400)
    actions_services.set_action_status(record, action, status, g.user)
    set_banner("Action updated")
    return redirect(url_for("decisions.actions", conference_id=conference.id))
