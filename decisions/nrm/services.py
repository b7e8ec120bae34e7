"""The NRM referral on the case: the referral answers, marking it submitted, the decisions and their letters,
and the reconsideration request after a negative decision."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.services import add_case_event
from conference.convening.models import Conference
from conference.db import utcnow
from conference.extensions import db
from decisions.common import DecisionError
from decisions.letters import check_letter
from decisions.models import (
    NrmDecisionLetter,
    NrmReferral,
)
from decisions.nrm import queries as nrm_queries
from rules.nrm_tracker import track_nrm
from rules.vocabulary import MeetingType


def find_or_create_referral(case: Case) -> NrmReferral:
    referral = nrm_queries.find_referral(case.id)
    if referral is None:
        referral = NrmReferral(case_id=case.id, answers={})
        db.session.add(referral)
        db.session.flush()
    return referral


def record_panel_decision(
    conference: Conference, case: Case, snapshot: Mapping[str, Any], decided_on: date, user: User
) -> None:
    if conference.meeting_type != MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        return
    outcome = snapshot.get("outcome", {})
    stage, key = outcome.get("stage"), outcome.get("outcome")
    referral = nrm_queries.find_referral(case.id)
    if referral is None or referral.referred_on is None:
        return  # the tracker needs the referral date first; the decision stays in the minutes
    try:
        record_nrm_decision(case, str(stage), decided_on, str(key), user)
    except DecisionError:
        return


def record_nrm_decision(case: Case, stage: str, decided_on: date, outcome: str, user: User) -> NrmReferral:
    referral = find_or_create_referral(case)
    rg_on, rg_outcome = referral.rg_decided_on, referral.rg_outcome
    cg_on, cg_outcome = referral.cg_decided_on, referral.cg_outcome
    if stage == "reasonable_grounds":
        rg_on, rg_outcome = decided_on, outcome
    elif stage == "conclusive_grounds":
        cg_on, cg_outcome = decided_on, outcome
    else:
        raise DecisionError("Select whether this is a reasonable grounds or conclusive grounds decision")
    try:
        track_nrm(
            case.nation,
            referral.referred_on,
            rg_decided_on=rg_on,
            rg_outcome=rg_outcome,
            cg_decided_on=cg_on,
            cg_outcome=cg_outcome,
            devolved_pilot=nrm_queries.is_devolved_pilot_case(case.id),
        )
    except ValueError as error:
        raise DecisionError(str(error)) from None
    referral.rg_decided_on, referral.rg_outcome = rg_on, rg_outcome
    referral.cg_decided_on, referral.cg_outcome = cg_on, cg_outcome
    db.session.flush()
    record_event(db.session, "nrm.decision", object_type="case", object_id=case.id, detail={"stage": stage}, actor=user)
    add_case_event(
        case,
        "nrm",
        "NRM " + ("reasonable" if stage == "reasonable_grounds" else "conclusive") + " grounds decision recorded",
        user,
    )
    return referral


def save_referral_answers(
    case: Case, answers: Mapping[str, Any], user: User, *, evidence_roles: Sequence[str] | None = None
) -> NrmReferral:
    referral = find_or_create_referral(case)
    referral.answers = dict(answers)
    if evidence_roles is not None:
        referral.evidence_roles = list(evidence_roles)
    db.session.flush()
    record_event(
        db.session, "nrm.answers", object_type="case", object_id=case.id, detail={"fields": len(answers)}, actor=user
    )
    return referral


def mark_referral_submitted(
    case: Case, referred_on: date, reference: str, missing: Sequence[str], user: User
) -> NrmReferral:
    """Record that the referral was made. Refused while any required field of the pack is missing."""
    if missing:
        raise DecisionError(
            f"Answer the {len(missing)} required questions still missing before marking the referral as submitted"
        )
    referral = find_or_create_referral(case)
    referral.referred_on = referred_on
    referral.reference = reference
    referral.submitted_by_id = user.id
    latest = nrm_queries.find_latest_signed_version(case.id)
    referral.referred_version = latest.number if latest else None
    referral.reported_version = referral.referred_version
    db.session.flush()
    record_event(db.session, "nrm.submitted", object_type="case", object_id=case.id, actor=user)
    add_case_event(case, "nrm", "NRM referral submitted", user)
    return referral


NEGATIVE_OUTCOMES = frozenset({"rg_negative", "cg_negative"})


def record_decision_letter(case: Case, stage: str, data: bytes, user: User) -> NrmDecisionLetter:
    """Store the decision letter of a recorded decision (checked first: `LetterRefused` says what is wrong)."""
    check_letter(data)
    referral = find_or_create_referral(case)
    decided = referral.rg_decided_on if stage == "reasonable_grounds" else referral.cg_decided_on
    if stage not in ("reasonable_grounds", "conclusive_grounds") or decided is None:
        raise DecisionError("Record the decision before adding its letter")
    letter = db.session.scalars(
        select(NrmDecisionLetter).where(NrmDecisionLetter.case_id == case.id, NrmDecisionLetter.stage == stage)
    ).first()
    if letter is None:
        letter = NrmDecisionLetter(case_id=case.id, stage=stage, content=b"", size=0, sha256="")
        db.session.add(letter)
    letter.content = data
    letter.size = len(data)
    letter.sha256 = hashlib.sha256(data).hexdigest()
    letter.uploaded_by_id = user.id
    letter.uploaded_at = utcnow()
    db.session.flush()
    record_event(
        db.session,
        "nrm.letter",
        object_type="case",
        object_id=case.id,
        detail={"stage": stage, "bytes": len(data), "sha256": letter.sha256},
        actor=user,
    )
    return letter


def negative_decision(referral: NrmReferral | None) -> str | None:
    """The stage of the latest negative decision ("reasonable_grounds" or "conclusive_grounds"), if any."""
    if referral is None:
        return None
    if referral.cg_outcome in NEGATIVE_OUTCOMES:
        return "conclusive_grounds"
    if referral.rg_outcome in NEGATIVE_OUTCOMES and referral.cg_outcome is None:
        return "reasonable_grounds"
    return None


def reconsideration_draft(case: Case, referral: NrmReferral, pack: Any) -> str:
    """A request to reconsider, drafted from the record: the decision, the meeting's insight and indicators."""
    stage = negative_decision(referral) or "reasonable_grounds"
    decided_on = referral.cg_decided_on if stage == "conclusive_grounds" else referral.rg_decided_on
    words = "conclusive grounds" if stage == "conclusive_grounds" else "reasonable grounds"
    insight = str(pack.field("professional-insight").value or "").strip()
    indicators = str(pack.field("modern-slavery-indicators-details").value or "").strip()
    parts = [
        f"Request for reconsideration of the negative {words} decision"
        + (f" of {decided_on:%d %B %Y}" if decided_on else "")
        + f", NRM referral {referral.reference} (case {case.reference}).",
        "We ask the Single Competent Authority to reconsider the decision. The multi-agency meeting's view, "
        "and the information it was based on, are below.",
    ]
    if insight:
        parts.append("The meeting's professional insight:\n" + insight)
    if indicators:
        parts.append("Indicators raised at the meeting:\n" + indicators)
    parts.append("[Add any new information, and where the decision did not take the evidence into account.]")
    return "\n\n".join(parts)


def save_reconsideration(
    case: Case,
    user: User,
    *,
    text: str,
    status: str,
    on: date,
) -> NrmReferral:
    """Draft, send or record the answer to a reconsideration request; each step keeps its date."""
    referral = find_or_create_referral(case)
    if negative_decision(referral) is None:
        raise DecisionError("A reconsideration can only be requested after a negative decision")
    if status not in ("drafted", "sent", "answered"):
        raise DecisionError("Select what happened to the request")
    referral.reconsideration_text = text
    referral.reconsideration_status = status
    if status == "drafted":
        referral.reconsideration_drafted_on = referral.reconsideration_drafted_on or on
    elif status == "sent":
        referral.reconsideration_drafted_on = referral.reconsideration_drafted_on or on
        referral.reconsideration_sent_on = on
    else:
        referral.reconsideration_answered_on = on
    db.session.flush()
    record_event(
        db.session, "nrm.reconsideration", object_type="case", object_id=case.id, detail={"status": status}, actor=user
    )
    add_case_event(case, "nrm", f"NRM reconsideration request {status}", user)
    return referral
