"""The live board's pages: the board, the reply cut-off, replacing an attendee, counter proposals and held
replies, cancelling, and the answers the board's script polls.

They are routes of convening's blueprint (endpoint names ``convening.board`` and so on);
``conference._register_blueprints`` imports this module before it registers the blueprint.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, has_permission, requires
from conference.convening import board as convening_board
from conference.convening import forms, live, queries, services
from conference.convening import invitations as convening_invitations
from conference.convening.forms import moment_fields
from conference.convening.models import Conference, ConferenceStatus
from conference.convening.submissions import find_submissions
from conference.convening.views import BANNER, _conference, bp
from conference.db import utcnow
from conference.forms import FormErrors

# --- 6. live board -------------------------------------------------------------------------------


@bp.route("/conferences/<uuid:conference_id>", methods=["GET"])
@requires(Permission.CONFERENCE_VIEW)
def board(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    return _board_page(conference, banner=session.pop(BANNER, None))


def _board_page(
    conference: Conference, *, banner: str | None = None, errors: FormErrors | None = None, form: Any = None
) -> ResponseReturnValue:
    """The board, the same after a form error as before it: only the error summary and the form's own values
    differ (a refusal rolls back, so its viewing audit row goes too)."""
    shown = convening_board.show_board(g.user, conference)
    errors = errors or FormErrors()
    return render_template(
        "convening/board.html",
        conference=conference,
        arrangement=shown.arrangement,
        attendees=shown.attendees,
        offers=shown.offers,
        outbox=shown.outbox,
        counters=shown.counters,
        held=shown.held,
        replies=shown.replies,
        banner=banner,
        shown_at=utcnow(),
        errors=errors,
        form=form if form is not None else moment_fields("cutoff", shown.arrangement.reply_cutoff_at),
        can_convene=has_permission(g.user, Permission.CONFERENCE_CONVENE),
        submissions=find_submissions(conference.id),
    ), 400 if errors else 200


@bp.route("/conferences/<uuid:conference_id>/cutoff", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def cutoff(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    form = forms.CutoffForm()
    if not (form.validate() and form.check_before(conference.start_at)) or form.cutoff_at is None:
        return _board_page(conference, errors=form.gov_errors, form=form.values())
    try:
        convening_board.set_cutoff(g.user, conference, form.cutoff_at)
    except convening_board.CutoffError as problem:
        form.add_error("cutoff-day", str(problem))
        return _board_page(conference, errors=form.gov_errors, form=form.values())
    session[BANNER] = "Cut-off for replies saved"
    return redirect(url_for("convening.board", conference_id=conference.id))


@bp.route("/conferences/<uuid:conference_id>/attendees/<uuid:attendee_id>/replace", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def replace(conference_id: uuid.UUID, attendee_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    attendee = queries.get_attendee(conference, attendee_id)
    choices = convening_board.deputy_choices(conference, attendee)
    form = forms.ReplaceAttendeeForm()
    person = {str(s.person.id): s.person for s in choices.available}.get(form.person.data)
    if person is None:
        abort(400, "Choose someone who is available at the meeting's time.")
    try:
        convening_board.replace_attendee(g.user, conference, attendee, person, by_deputy_choice=False)
    except services.ConveningError:
        abort(409)
    session[BANNER] = f"{person.name} invited; {attendee.person.name} told they no longer need to attend"
    return redirect(url_for("convening.board", conference_id=conference.id))


@bp.route("/conferences/<uuid:conference_id>/counters/<uuid:reply_id>/accept", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def accept_counter(conference_id: uuid.UUID, reply_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    record = queries.get_reply(conference, reply_id)
    try:
        convening_board.accept_counter(conference, record)
    except services.ConveningError:
        abort(409)
    return redirect(url_for("convening.another_time", conference_id=conference.id))


@bp.route("/conferences/<uuid:conference_id>/replies/<uuid:reply_id>/dismiss", methods=["POST"])
@requires(Permission.CONFERENCE_CONVENE)
def dismiss_reply(conference_id: uuid.UUID, reply_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    convening_board.dismiss_reply(g.user, conference, reply_id)
    return redirect(url_for("convening.board", conference_id=conference.id))


@bp.route("/conferences/<uuid:conference_id>/cancel", methods=["GET", "POST"])
@requires(Permission.CONFERENCE_CONVENE)
def cancel(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    if conference.status is not ConferenceStatus.INVITED:
        abort(409)
    if forms.CancelForm().check():
        count = convening_invitations.cancel_conference(g.user, conference)
        session[BANNER] = f"Meeting cancelled; {count} people told"
        return redirect(url_for("convening.board", conference_id=conference.id))
    return render_template(
        "convening/cancel.html", conference=conference, attendees=services.active_attendees(conference)
    )


# --- the board's answers, for its script to poll ----------------------------------------------------------

bp.add_app_template_global(live.poll_seconds, "board_poll_seconds")


@bp.route("/conferences/<uuid:conference_id>/answers", methods=["GET"])
@requires(Permission.CONFERENCE_VIEW)
def board_answers(conference_id: uuid.UUID) -> ResponseReturnValue:
    """The board's answer words and their version (JSON), under the board's own permission and scope."""
    found = live.board_answers(_conference(conference_id))
    if request.if_none_match.contains(found.version):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(found.as_json())
    response.set_etag(found.version)
    response.headers["Cache-Control"] = "no-store"
    return response
