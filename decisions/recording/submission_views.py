"""The chair copies a written submission into the record, from the "Information shared" page. The button posts the
whole information form here (``formaction``), so what the chair typed is saved with the copy, never lost."""

from __future__ import annotations

import uuid

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires
from decisions import common, forms
from decisions.blueprint import (
    PREFIX,
    bp,
    common_context,
    conflict_page,
    form_data,
    load_for_writing,
    set_banner,
    version_field,
)
from decisions.recording import submissions as record_submissions
from decisions.recording.submission_queries import submissions_by_role


@bp.route(f"{PREFIX}/information/copy", methods=["POST"])
@requires(Permission.DECISION_RECORD)
def copy_submission(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load_for_writing(conference_id)
    pressed = [key.removeprefix("copy-") for key in request.form if key.startswith("copy-")]
    try:
        submission_id = uuid.UUID(pressed[0]) if len(pressed) == 1 else None
    except ValueError:
        submission_id = None
    if submission_id is None:
        abort(400)
    roles = forms.seat_roles(conference)
    posted = forms.InformationForm.for_roles(roles)()
    errors = posted.gov_errors
    form = form_data()
    if posted.validate():
        value = posted.value()
        try:
            seat = record_submissions.copy_submission_into_record(
                conference, record, submission_id, value, version_field(), g.user
            )
        except common.SaveConflict as conflict:
            return conflict_page(conference, record, conflict)
        except record_submissions.CopyTooLong as error:
            errors.add(f"information-{error.seat.value}", str(error))
        except common.DecisionError as error:
            errors.add(f"information-{roles[0].value}", str(error))
        else:
            set_banner(f"Written submission copied into the information from {seat.label}")
            return redirect(
                url_for("decisions.information", conference_id=conference.id) + f"#information-{seat.value}"
            )
    return render_template(
        "decisions/information.html",
        **{**common_context(conference, record), "roles": roles},
        errors=errors,
        form=form,
        submissions=submissions_by_role(conference),
        can_copy=True,
    ), 400
