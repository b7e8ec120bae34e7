"""Check answers and sign off, start an amendment, the versions, comparing two of them, the minutes PDF."""

from __future__ import annotations

import uuid

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires
from conference.db import utcnow
from conference.extensions import PDF_LIMIT, limiter, user_rate_key
from conference.forms import FormErrors
from decisions import common, documents, forms, queries
from decisions.blueprint import (
    PREFIX,
    SECTION_ENDPOINTS,
    SECTION_TITLES,
    bp,
    common_context,
    form_data,
    label_of,
    load,
    pdf_response,
    pdf_unavailable,
    refused,
    set_banner,
    version_field,
)
from decisions.models import RecordStatus
from decisions.pdf import pdf_filename
from decisions.sign_off import facts_changed
from decisions.sign_off import queries as sign_off_queries
from decisions.sign_off import services as sign_off


@bp.route(f"{PREFIX}/check", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN_OFF)
@limiter.limit("5/minute", methods=["POST"], key_func=user_rate_key)  # sign-off re-authentication: guessing
def check(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load(conference_id)
    if record.status == RecordStatus.SIGNED:
        return redirect(url_for("decisions.show_version", conference_id=conference.id, number=record.signed_version))
    problems = sign_off.sign_off_problems(conference, record)
    form = forms.SignOffForm()
    errors = form.gov_errors
    if form.check() and not problems:
        try:
            version = sign_off.sign_off(
                conference,
                record,
                g.user,
                password=form.password.data,
                code=form.code.data,
                base_version=version_field(),
            )
        except sign_off.ReauthFailed as failed:
            errors.add(failed.field, failed.message)
        except common.DecisionError as error:
            errors.add("password", str(error))
        else:
            set_banner(f"Decision signed off: version {version.number}")
            return redirect(url_for("decisions.show_version", conference_id=conference.id, number=version.number))
    elif form.is_submitted() and problems and not errors:
        errors.add("problems", "Complete every section before signing off")
    snapshot = sign_off.build_snapshot(
        conference,
        record,
        g.user,
        number=record.signed_version + 1,
        kind="draft",
        reason=record.amendment_reason,
        signed_at=utcnow(),
    )
    return render_template(
        "decisions/check.html",
        **common_context(conference, record),
        errors=errors,
        problems=problems,
        minutes=documents.minutes_view(snapshot),
        endpoints=SECTION_ENDPOINTS,
        titles=SECTION_TITLES,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/amend", methods=["GET", "POST"])
@requires(Permission.DECISION_SIGN_OFF)
def amend(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference, record = load(conference_id)
    if record.status != RecordStatus.SIGNED:
        return redirect(url_for("decisions.task_list", conference_id=conference.id))
    amendment = forms.AmendmentForm()
    errors = amendment.gov_errors
    form: dict[str, str] = {}
    if amendment.is_submitted():
        form = form_data()
        if amendment.validate():
            try:
                sign_off.start_amendment(record, amendment.reason.data, g.user)
            except common.DecisionError as error:
                return refused(conference, record, str(error))
            set_banner("Amendment started: change the sections, then check and sign off again")
            return redirect(url_for("decisions.task_list", conference_id=conference.id))
    return render_template(
        "decisions/amend.html", **common_context(conference, record), errors=errors, form=form
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/versions")
@requires(Permission.DECISION_VIEW)
def versions(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    all_versions = sign_off_queries.find_versions(record.id)
    signers = sign_off_queries.find_signers(v.signed_by_id for v in all_versions)
    return render_template(
        "decisions/versions.html", **common_context(conference, record), versions=all_versions, signers=signers
    )


@bp.route(f"{PREFIX}/versions/<int:number>")
@requires(Permission.DECISION_VIEW)
def show_version(conference_id: uuid.UUID, number: int) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    version = sign_off_queries.get_version(record.id, number)
    snapshot = common.version_snapshot(version)
    sign_off.record_version_viewed(conference, record, number, g.user)
    return render_template(
        "decisions/version.html",
        **common_context(conference, record),
        version=version,
        minutes=documents.minutes_view(snapshot),
        count=len(sign_off_queries.find_versions(record.id)),
        changed=facts_changed.find_changed_decision(record.id, conference.case),
    )


@bp.route(f"{PREFIX}/versions/compare")
@requires(Permission.DECISION_VIEW)
def compare(conference_id: uuid.UUID) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    all_versions = sign_off_queries.find_versions(record.id)
    numbers = [v.number for v in all_versions]
    errors = FormErrors()
    try:
        left = int(request.args.get("from", numbers[0] if numbers else 0))
        right = int(request.args.get("to", numbers[-1] if numbers else 0))
    except ValueError:
        left = right = 0
    changes: list[common.Change] | None = None
    if left not in numbers:
        errors.add("from", "Select a version to compare from")
    if right not in numbers:
        errors.add("to", "Select a version to compare with")
    if not errors:
        changes = sign_off.compare_versions(record, left, right, g.user)
    return render_template(
        "decisions/compare.html",
        **common_context(conference, record),
        versions=all_versions,
        left=left,
        right=right,
        changes=changes,
        labels={c.path: " › ".join(label_of(part) for part in c.path.split(".")) for c in changes or []},
        errors=errors,
    ), 400 if errors else 200


@bp.route(f"{PREFIX}/versions/<int:number>/minutes.pdf")
@requires(Permission.MINUTES_DOWNLOAD)
@limiter.shared_limit(PDF_LIMIT, scope="pdf", key_func=user_rate_key)
def minutes_pdf(conference_id: uuid.UUID, number: int) -> ResponseReturnValue:
    conference = queries.get_conference(g.user, conference_id)
    record = queries.get_record(conference.id)
    version = sign_off_queries.get_version(record.id, number)
    data = sign_off.export_minutes_pdf(record, version, g.user)
    if data is None:
        return pdf_unavailable("minutes")
    return pdf_response(data, pdf_filename("minutes", conference.reference, number))
