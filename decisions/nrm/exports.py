"""What leaves the house from the NRM referral, each audited: the decision letters, the referral pack PDF and
the evidence bundle (the pack, the signed minutes and the selected written submissions, in one zip). File names
carry references only. Viewing the referral pages is audited here too."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import date
from typing import Any

from conference.audit import record_event, record_refusal, record_view
from conference.auth.models import User
from conference.cases.models import Case
from conference.extensions import db
from decisions import documents
from decisions.common import DecisionError
from decisions.models import DecisionVersion, NrmDecisionLetter, NrmReferral
from decisions.nrm import queries as nrm_queries
from decisions.nrm.pack import NrmPack
from decisions.nrm.services import record_decision_letter, record_nrm_decision
from decisions.pdf import PdfError, pdf_filename, render_minutes_pdf, render_nrm_pack_pdf


def record_referral_viewed(case: Case, user: User) -> None:
    record_view(db.session, "nrm.view", object_type="case", object_id=case.id, actor=user)


def record_answers_viewed(case: Case, user: User) -> None:
    record_view(db.session, "nrm.answers.view", object_type="case", object_id=case.id, actor=user)


def record_nrm_decision_and_letter(
    case: Case, stage: str, decided_on: date, outcome: str, letter: bytes | None, user: User
) -> None:
    """The Single Competent Authority's decision, with its letter when one is given: both or neither."""
    try:
        record_nrm_decision(case, stage, decided_on, outcome, user)
        if letter is not None:
            record_decision_letter(case, stage, letter, user)
    except DecisionError:
        db.session.rollback()
        raise


def export_decision_letter(case: Case, stage: str, user: User) -> NrmDecisionLetter | None:
    """A stored decision letter (None when there is none), its download audited."""
    letter = nrm_queries.find_letter(case.id, stage)
    if letter is None:
        return None
    record_event(
        db.session, "export.nrm_letter", object_type="case", object_id=case.id, detail={"stage": stage}, actor=user
    )
    return letter


def export_nrm_pack_pdf(case: Case, pack: NrmPack, number: int, missing: int, user: User) -> bytes | None:
    """The referral pack as a PDF, audited; None (and a failure audited) when no PDF could be produced."""
    try:
        data = render_nrm_pack_pdf(pack, version=number)
    except PdfError:
        record_refusal(
            db.session, "export.nrm_pack", object_type="case", object_id=case.id, outcome="failure", actor=user
        )
        return None
    record_event(
        db.session,
        "export.nrm_pack",
        object_type="case",
        object_id=case.id,
        detail={"missing": missing},
        actor=user,
    )
    return data


def export_nrm_bundle(
    case: Case,
    pack: NrmPack,
    latest: DecisionVersion,
    snapshot: Mapping[str, Any],
    referral: NrmReferral | None,
    user: User,
) -> bytes | None:
    """The evidence bundle as a zip, audited; None (and a failure audited) when a PDF could not be produced."""
    conference_reference = snapshot["conference"]["reference"]
    try:
        pack_pdf = render_nrm_pack_pdf(pack, version=latest.number)
        minutes = render_minutes_pdf(documents.minutes_view(snapshot))
    except PdfError:
        record_event(
            db.session, "export.nrm_bundle", object_type="case", object_id=case.id, outcome="failure", actor=user
        )
        return None
    selected = set((referral.evidence_roles or []) if referral else [])
    submissions = {r: t for r, t in documents.written_submissions(snapshot).items() if r in selected}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(pdf_filename("nrm-pack", case.reference, latest.number), pack_pdf)
        bundle.writestr(pdf_filename("minutes", conference_reference, latest.number), minutes)
        for role, text in sorted(submissions.items()):
            heading = f"Written submission from {documents.role_label(role)} to meeting {conference_reference}"
            bundle.writestr(f"{conference_reference}-written-submission-{role}.txt", f"{heading}\n\n{text}\n")
    record_event(
        db.session,
        "export.nrm_bundle",
        object_type="case",
        object_id=case.id,
        detail={"version": latest.number, "submissions": sorted(submissions)},
        actor=user,
    )
    return buffer.getvalue()
