"""The public personal-link pages (``/r/<token>``) and the machine endpoint for calendar replies.

They are routes of convening's blueprint (endpoint names ``convening.link_reply``, ``convening.link_deputy``,
``convening.import_reply``), kept apart from the staff's pages; ``conference._register_blueprints`` imports this
module before it registers the blueprint.
"""

from __future__ import annotations

import hmac
import os

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import public
from conference.convening import board as convening_board
from conference.convening import forms, inbound, links
from conference.convening.views import bp
from conference.invitations.replies import ReplyOutcome

# --- 7. personal link replies --------------------------------------------------------------------


def _link_or_page(token: str) -> links.LinkContext | ResponseReturnValue:
    try:
        return links.open_link(token)
    except links.LinkProblem as problem:
        return render_template("convening/link_problem.html", problem=str(problem)), 410


@bp.route("/r/<token>", methods=["GET", "POST"])
@public
def link_reply(token: str) -> ResponseReturnValue:
    context = _link_or_page(token)
    if not isinstance(context, links.LinkContext):
        return context
    form = forms.LinkAnswerForm(answers=[a.value for a in links.LinkAnswer])
    answer = form.answer.data
    if form.check():
        if answer == links.LinkAnswer.DEPUTY.value:
            return redirect(url_for("convening.link_deputy", token=token))
        else:
            links.answer_by_link(context, links.LinkAnswer(answer))
            session["link_answered"] = True
            return redirect(url_for("convening.link_reply", token=token))
    from conference.convening import submission_views

    return render_template(
        "convening/link.html",
        context=context,
        answers=list(links.LinkAnswer),
        answer=answer,
        errors=form.gov_errors,
        answered=session.pop("link_answered", False),
        **submission_views.meeting_page_context(context),
    ), form.status


@bp.route("/r/<token>/deputy", methods=["GET", "POST"])
@public
def link_deputy(token: str) -> ResponseReturnValue:
    context = _link_or_page(token)
    if not isinstance(context, links.LinkContext):
        return context
    choices = convening_board.deputy_choices(context.conference, context.attendee)
    candidates = [standing.person for standing in choices.available]
    form = forms.DeputyForm(candidates=[str(p.id) for p in candidates])
    if form.check():
        chosen = {str(p.id): p for p in candidates}.get(form.deputy.data)
        if chosen is not None:
            sentence = links.answer_by_link(context, links.LinkAnswer.DEPUTY, chosen)
            return render_template("convening/link_done.html", sentence=sentence, deputy=chosen)
    return render_template(
        "convening/link_deputy.html",
        context=context,
        candidates=candidates,
        choices=choices,
        errors=form.gov_errors,
    ), form.status


# --- calendar replies: the machine endpoint ------------------------------------------------------


def _reply_secret() -> str:
    settings = current_app.config["SETTINGS"]
    return str(settings.extra.get("reply_secret") or os.environ.get("CONVENE_REPLY_SECRET", ""))


@bp.route("/conferences/replies", methods=["POST"])
@public
def import_reply() -> ResponseReturnValue:
    secret = _reply_secret()
    given = request.headers.get("X-Convene-Reply-Secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        inbound.refuse_reply_secret(secret_given=bool(given), secret_configured=bool(secret))
        return jsonify({"error": "A valid X-Convene-Reply-Secret header is needed."}), 403
    result = inbound.import_calendar_reply(request.get_data(cache=False))
    status = 422 if result.outcome is ReplyOutcome.REFUSED else 200
    return jsonify({"outcome": result.outcome.value, "sentence": result.sentence}), status


import_reply._csrf_exempt_reason = "machine endpoint for raw calendar replies; authenticated by a shared secret"  # type: ignore[attr-defined]
