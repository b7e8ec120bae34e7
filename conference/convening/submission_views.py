"""Written submissions: the form behind a personal link (``/r/<token>/submission``) and the staff's download of a
submitted file. Routes of convening's blueprint; ``conference._register_blueprints`` imports this module.

A file is only ever served as an attachment under a neutral name, with ``nosniff`` and a sandboxing CSP, to a
signed-in user whose scope holds the meeting's case.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address

from conference.auth.policy import Permission, public, requires
from conference.convening import links, submissions
from conference.convening.files import MAX_FILE_BYTES, MAX_FILES, MAX_TEXT_LENGTH
from conference.convening.forms import SubmissionForm
from conference.convening.invitations import hash_token
from conference.convening.link_views import _link_or_page
from conference.convening.views import _conference, bp
from conference.extensions import limiter

# Five files of 10 MB and the text: the request limit for this one form (the app's is 5 MB). Above it the
# 413 page says how much Convene accepts.
SUBMISSION_REQUEST_LIMIT = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
SUBMITTED = "link_submitted"
# Up to 51 MB a request from a page anyone with the link can reach: per link and per address (Convene's own
# choice, generous for a person sending a report and a few corrections; ASVS 11.1.4).
SUBMISSION_LIMIT_PER_LINK = "10/minute;60/day"
SUBMISSION_LIMIT_PER_ADDRESS = "30/minute;300/day"


def _link_rate_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return f"submission-link:{hash_token(str(token))}"


@bp.url_value_preprocessor
def _allow_submission_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """URL value preprocessors run before the before_request hooks (the CSRF guard reads the form), so the
    limit is raised here, for the submission form only."""
    if endpoint == "convening.link_submission":
        request.max_content_length = SUBMISSION_REQUEST_LIMIT


def meeting_page_context(context: links.LinkContext) -> dict[str, Any]:
    """What the outside agency's meeting page shows besides the answer: the agenda and their submissions."""
    return {
        "agenda": submissions.AGENDA,
        "may_submit": submissions.may_submit(context),
        "own_submissions": submissions.find_own_submissions(context),
        "submitted": session.pop(SUBMITTED, False),
    }


@bp.route("/r/<token>/submission", methods=["GET", "POST"])
@public
@limiter.limit(SUBMISSION_LIMIT_PER_LINK, methods=["POST"], key_func=_link_rate_key)
@limiter.limit(SUBMISSION_LIMIT_PER_ADDRESS, methods=["POST"], key_func=get_remote_address)
def link_submission(token: str) -> ResponseReturnValue:
    context = _link_or_page(token)
    if not isinstance(context, links.LinkContext):
        return context
    form = SubmissionForm()
    text = ""
    if form.check():
        text = form.text.data
        uploads = [submissions.Upload(content) for content in form.files.data]
        try:
            submissions.submit_written_submission(context, text, uploads)
        except submissions.SubmissionRefused as refused:
            form.add_error(refused.field, str(refused))
            if uploads and refused.field != "files":
                form.add_error("files", "Choose the files again: files are not kept when the form has a problem")
        else:
            session[SUBMITTED] = True
            return redirect(url_for("convening.link_reply", token=token) + "#submissions")
    return render_template(
        "convening/link_submission.html",
        context=context,
        may_submit=submissions.may_submit(context),
        text=text,
        errors=form.gov_errors,
        max_text=MAX_TEXT_LENGTH,
        max_files=MAX_FILES,
    ), form.status


@bp.route("/conferences/<uuid:conference_id>/submissions/<uuid:submission_id>/files/<uuid:file_id>")
@requires(Permission.CONFERENCE_VIEW)
def submission_file(conference_id: uuid.UUID, submission_id: uuid.UUID, file_id: uuid.UUID) -> ResponseReturnValue:
    conference = _conference(conference_id)
    download = submissions.download_submission_file(g.user, conference, submission_id, file_id)
    response = Response(download.content, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
