"""The NRM referral and tracker on the case: the referral page, its answers, submitted, decisions and letters,
reconsideration, the update to the Single Competent Authority, the pack PDF and the evidence bundle; and the
decisions section of the case page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import Response, abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from conference.auth.policy import Permission, requires
from conference.cases import queries as case_queries
from conference.cases.models import Case
from conference.cases.sections import register_case_section
from conference.db import utcnow
from conference.extensions import PDF_LIMIT, limiter, user_rate_key
from conference.forms import FormErrors
from decisions import common, documents, forms, queries
from decisions.actions import queries as actions_queries
from decisions.blueprint import (
    BANNER,
    LETTER_REQUEST_LIMIT,
    bp,
    form_data,
    label_of,
    pdf_response,
    pdf_unavailable,
    set_banner,
)
from decisions.nrm import exports, notices
from decisions.nrm import queries as nrm_queries
from decisions.nrm import services as nrm_services
from decisions.nrm.pack import missing_required, option_list
from decisions.pdf import pdf_filename
from rules.clock import LONDON
from rules.nrm_tracker import track_nrm
from rules.outcomes import (
    CONCLUSIVE_GROUNDS_OUTCOMES,
    REASONABLE_GROUNDS_OUTCOMES,
    STAGES,
)


def _nrm_context(case: Case) -> dict[str, Any]:
    referral = nrm_queries.find_referral(case.id)
    latest = nrm_queries.find_latest_signed_version(case.id)
    snapshot = common.version_snapshot(latest) if latest else None
    pack = documents.nrm_pack(case, snapshot, referral)
    return {
        "case": case,
        "referral": referral,
        "latest": latest,
        "pack": pack,
        "snapshot": snapshot,
        "missing": missing_required(pack),
        "tracker": _tracker(case, referral),
        "letters": nrm_queries.find_letters(case.id),
        "negative": nrm_services.negative_decision(referral),
        "update": notices.pending_sca_update(case, referral),
    }


def _tracker(case: Case, referral: Any) -> Any:
    if referral is None:
        return None
    try:
        return track_nrm(
            case.nation.value,
            referral.referred_on,
            reference=referral.reference,
            rg_decided_on=referral.rg_decided_on,
            rg_outcome=referral.rg_outcome,
            cg_decided_on=referral.cg_decided_on,
            cg_outcome=referral.cg_outcome,
            today=datetime.now(LONDON).date(),
            devolved_pilot=nrm_queries.is_devolved_pilot_case(case.id),
        )
    except ValueError:
        return None


def _nrm_outcomes(case: Case) -> dict[str, Any]:
    from rules.vocabulary import Nation

    return {
        "rg_options": REASONABLE_GROUNDS_OUTCOMES,
        "cg_options": CONCLUSIVE_GROUNDS_OUTCOMES[Nation(case.nation)],
        "stages": STAGES,
    }


@bp.route("/cases/<uuid:case_id>/nrm", methods=["GET"])
@requires(Permission.NRM_REFER)
def nrm(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    exports.record_referral_viewed(case, g.user)
    return render_template(
        "decisions/nrm.html",
        **_nrm_context(case),
        **_nrm_outcomes(case),
        errors=FormErrors(),
        form={},
        banner=session.pop(BANNER, None),
    )


@bp.route("/cases/<uuid:case_id>/nrm/answers", methods=["GET", "POST"])
@requires(Permission.NRM_REFER)
def nrm_answers(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    fields = [f for f in context["pack"].fields() if f.kind not in ("checkboxes", "documents")]
    errors = FormErrors()
    form: Any = {}
    saved = documents.referral_answers(context["referral"].answers if context["referral"] else {})
    if request.method == "GET":
        exports.record_answers_viewed(case, g.user)
    for key, value in saved.items():
        form[key] = "\n".join(value) if isinstance(value, tuple) else value
    submissions = documents.written_submissions(context["snapshot"])
    selected = list((context["referral"].evidence_roles or []) if context["referral"] else [])
    if request.method == "POST":
        form = request.form
        selected = [r for r in form.getlist("evidence") if r in submissions]
        answers = forms.read_nrm_answers(form, fields, errors)
        if answers is not None:
            nrm_services.save_referral_answers(case, answers, g.user, evidence_roles=selected)
            set_banner("NRM referral answers saved")
            return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm_answers.html",
        **context,
        errors=errors,
        form=form,
        fields=fields,
        submissions=[(role, f"Written submission from {documents.role_label(role)}") for role in submissions],
        selected_evidence=selected,
        lists=sorted({f.choices for f in fields if f.choices}),
        option_list=option_list,
    ), 400 if errors else 200


@bp.route("/cases/<uuid:case_id>/nrm/submitted", methods=["POST"])
@requires(Permission.NRM_REFER)
def nrm_submitted(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    submitted = forms.ReferralSubmittedForm()
    errors = submitted.gov_errors
    form = form_data()
    if submitted.check():
        assert submitted.referred_on.data is not None
        try:
            nrm_services.mark_referral_submitted(
                case,
                submitted.referred_on.data,
                submitted.reference.data,
                [f.key for f in context["missing"]],
                g.user,
            )
        except common.DecisionError as error:
            errors.add("referred_on-day", str(error))
        else:
            set_banner("NRM referral marked as submitted")
            return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm.html", **context, **_nrm_outcomes(case), errors=errors, form=form, banner=None
    ), 400


@bp.url_value_preprocessor
def _allow_letter_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A decision letter may be up to 10 MB, above the app's limit. URL value preprocessors run before every
    before_request hook (the guard reads the form for its CSRF check), so the limit is raised here, for this
    one form only."""
    if endpoint == "decisions.nrm_decision":
        request.max_content_length = LETTER_REQUEST_LIMIT


@bp.route("/cases/<uuid:case_id>/nrm/decisions", methods=["POST"])
@requires(Permission.NRM_REFER)
def nrm_decision(case_id: uuid.UUID) -> ResponseReturnValue:
    from rules.vocabulary import Nation

    case = case_queries.get_case(g.user, case_id)
    decision = forms.NrmDecisionForm(nation=Nation(case.nation))
    errors = decision.gov_errors
    form = form_data()
    letter = decision.letter.data
    if decision.check():
        answer = decision.decision()
        try:
            exports.record_nrm_decision_and_letter(
                case, answer.stage, answer.decided_on, answer.outcome, answer.letter, g.user
            )
        except common.DecisionError as error:
            errors.add("decided_on-day", str(error))
        else:
            set_banner("NRM decision recorded" + (" with its letter" if letter is not None else ""))
            return redirect(url_for("decisions.nrm", case_id=case.id))
    if letter is not None and "letter" not in errors:
        errors.add("letter", "Choose the decision letter again: a file is not kept when the form has a problem")
    return render_template(
        "decisions/nrm.html", **_nrm_context(case), **_nrm_outcomes(case), errors=errors, form=form, banner=None
    ), 400


@bp.route("/cases/<uuid:case_id>/nrm/letters/<stage>.pdf")
@requires(Permission.NRM_REFER)
def nrm_letter(case_id: uuid.UUID, stage: str) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    letter = exports.export_decision_letter(case, stage, g.user)
    if letter is None:
        abort(404)
    short = "rg" if stage == "reasonable_grounds" else "cg"
    response = Response(letter.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{case.reference}-nrm-{short}-letter.pdf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.route("/cases/<uuid:case_id>/nrm/reconsideration", methods=["GET", "POST"])
@requires(Permission.NRM_REFER)
def nrm_reconsideration(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    referral = context["referral"]
    if context["negative"] is None or referral is None:
        abort(404)
    request_form = forms.ReconsiderationForm()
    errors = request_form.gov_errors
    form: dict[str, Any] = {
        "text": referral.reconsideration_text or nrm_services.reconsideration_draft(case, referral, context["pack"]),
        "status": referral.reconsideration_status or "drafted",
    }
    if request_form.is_submitted():
        form = form_data()
        if request_form.validate():
            assert request_form.on.data is not None
            try:
                nrm_services.save_reconsideration(
                    case,
                    g.user,
                    text=request_form.text.data,
                    status=request_form.status.data,
                    on=request_form.on.data,
                )
            except common.DecisionError as error:
                errors.add("status", str(error))
            else:
                set_banner("Reconsideration request saved")
                return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm_reconsideration.html", **context, errors=errors, form=form
    ), 400 if errors else 200


@bp.route("/cases/<uuid:case_id>/nrm/update", methods=["GET", "POST"])
@requires(Permission.NRM_REFER)
def nrm_update(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    update = context["update"]
    if update is None:
        set_banner("There is no amendment to tell the Single Competent Authority about")
        return redirect(url_for("decisions.nrm", case_id=case.id))
    confirm = forms.ScaUpdateForm()
    errors = confirm.gov_errors
    form = form_data() if confirm.is_submitted() else {}
    if confirm.check():
        try:
            sent = notices.send_sca_update(case, context["referral"], update, g.user)
        except common.DecisionError as error:
            errors.add("checked", str(error))
        else:
            set_banner(
                f"Update sent to the Single Competent Authority ({len(sent)} recipient"
                + ("" if len(sent) == 1 else "s")
                + ")"
            )
            return redirect(url_for("decisions.nrm", case_id=case.id))
    return render_template(
        "decisions/nrm_update.html",
        **context,
        errors=errors,
        form=form,
        labels={c.path: " › ".join(label_of(part) for part in c.path.split(".")) for c in update.changes},
    ), 400 if errors else 200


@bp.route("/cases/<uuid:case_id>/nrm/pack.pdf")
@requires(Permission.EXPORT_PDF)
@limiter.shared_limit(PDF_LIMIT, scope="pdf", key_func=user_rate_key)
def nrm_pack_pdf(case_id: uuid.UUID) -> ResponseReturnValue:
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    number = context["latest"].number if context["latest"] else 1
    data = exports.export_nrm_pack_pdf(case, context["pack"], number, len(context["missing"]), g.user)
    if data is None:
        return pdf_unavailable("NRM referral pack")
    return pdf_response(data, pdf_filename("nrm-pack", case.reference, number))


@bp.route("/cases/<uuid:case_id>/nrm/bundle.zip")
@requires(Permission.EXPORT_PDF)
def nrm_bundle(case_id: uuid.UUID) -> ResponseReturnValue:
    """One download for the referral: the pack, the signed minutes and the selected written submissions.
    File names carry references only."""
    case = case_queries.get_case(g.user, case_id)
    context = _nrm_context(case)
    latest, snapshot = context["latest"], context["snapshot"]
    if latest is None or snapshot is None:
        abort(404)
    data = exports.export_nrm_bundle(case, context["pack"], latest, snapshot, context["referral"], g.user)
    if data is None:
        return pdf_unavailable("NRM referral pack")
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{case.reference}-nrm-referral-v{latest.number}.zip"'
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _case_section(case: Case) -> dict[str, Any]:
    now = utcnow()
    referral = nrm_queries.find_referral(case.id)
    return {
        "records": queries.find_case_records(case.id),
        "overdue": actions_queries.find_overdue_actions(now, case.id),
        "tracker": _tracker(case, referral),
        "referral": referral,
        "disclosures": nrm_queries.find_disclosures(case.id),
    }


register_case_section(40, "decisions/_case_section.html", _case_section)
