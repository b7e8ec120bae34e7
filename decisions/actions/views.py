"""The action plan of a record: add an action, change its status."""

from __future__ import annotations

import uuid

from flask import abort, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires
from conference.db import utcnow
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
    action = forms.ActionForm(people=people)
    shown: dict[str, str] = {"idempotency_key": uuid.uuid4().hex}
    if action.is_submitted():
        shown = form_data()
        if not action.key_ok:
            abort(400)
        if action.validate():
            location = url_for("decisions.actions", conference_id=conference.id)
            try:
                actions_services.add_action_once(
                    record,
                    action.new_action(),
                    g.user,
                    key=action.idempotency_key.data,
                    digest=actions_services.body_hash(shown),
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
        errors=action.gov_errors,
        form=shown,
        people=people,
        statuses=list(ActionStatus),
        now=utcnow(),
    ), action.status


@bp.route(f"{PREFIX}/actions/<uuid:action_id>/status", methods=["POST"])
@requires(Permission.DECISION_RECORD)
def action_status(conference_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    action = actions_queries.get_action(record, action_id)
    form = forms.ActionStatusForm()
    if not form.check():
        abort(400)
    actions_services.set_action_status(record, action, ActionStatus(form.status.data), g.user)
    set_banner("Action updated")
    return redirect(url_for("decisions.actions", conference_id=conference.id))
