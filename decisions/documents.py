"""Turn a signed version (its canonical JSON) into the minutes, and a case plus its decision into the NRM pack.

The minutes are built only from the signed snapshot, so a PDF always shows exactly what was signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from conference.cases.models import Case, Gender
from decisions.common import elements_record
from decisions.models import ActionStatus, NrmReferral
from decisions.nrm.pack import (
    ChildView,
    FirstResponderView,
    LocalAuthorityContact,
    NrmCaseView,
    NrmDeterminationView,
    NrmPack,
    build_nrm_pack,
    known_field_keys,
    under_age_at_referral,
    under_age_during_exploitation,
)
from decisions.pdf import (
    ActionLine,
    AgencyInformation,
    AttendeeLine,
    DissentLine,
    IndicatorLine,
    MinutesView,
    SubmissionLine,
)
from rules.display import date_and_time, long_date
from rules.elements import summarise_elements
from rules.indicators import catalogue_for
from rules.outcomes import (
    ABSTAIN,
    ABUSE_CATEGORIES,
    CONCLUSIVE_GROUNDS_OUTCOMES,
    ICPC_OUTCOMES,
    REASONABLE_GROUNDS_OUTCOMES,
    REVIEW_OUTCOMES,
    STAGES,
    STRATEGY_OUTCOMES,
    enquiries_question,
    non_punishment_label,
)
from rules.quorum import AttendanceStatus
from rules.timescales import london_date
from rules.vocabulary import MeetingType, Nation, Seat

OUTCOME_LABELS: dict[str, str] = {
    o.key: o.label
    for o in (
        *STRATEGY_OUTCOMES,
        *REASONABLE_GROUNDS_OUTCOMES,
        *ICPC_OUTCOMES,
        *REVIEW_OUTCOMES,
        *(o for options in CONCLUSIVE_GROUNDS_OUTCOMES.values() for o in options),
    )
}
STAGE_LABELS = {o.key: o.label for o in STAGES}
CATEGORY_LABELS = {o.key: o.label for o in ABUSE_CATEGORIES}


def role_label(value: str) -> str:
    try:
        return Seat(value).label
    except ValueError:
        return value


def _when(value: str | None) -> str:
    return date_and_time(datetime.fromisoformat(value)) if value else ""


def outcome_details(outcome: Mapping[str, Any], nation: Nation) -> list[tuple[str, str]]:
    """The outcome's answers in words, for pages and the minutes."""
    rows: list[tuple[str, str]] = []
    if outcome.get("start_enquiries"):
        rows.append(
            (f"Whether to {enquiries_question(nation)}", "Yes" if outcome["start_enquiries"] == "yes" else "No")
        )
    if outcome.get("stage"):
        rows.append(("Decision", STAGE_LABELS.get(outcome["stage"], outcome["stage"])))
    if outcome.get("nrm_referral") == "yes":
        rows.append(("NRM referral", "An NRM referral will be made"))
    if outcome.get("first_responder_organisation") or outcome.get("first_responder_name"):
        rows.append(
            (
                "First responder",
                f"{outcome.get('first_responder_name', '')}, {outcome.get('first_responder_organisation', '')}".strip(
                    ", "
                ),
            )
        )
    if outcome.get("category"):
        rows.append(("Category of abuse", CATEGORY_LABELS.get(outcome["category"], outcome["category"])))
    if outcome.get("reporter_referral"):
        rows.append(
            (
                "Referral to the Children's Reporter",
                "The child will be referred" if outcome["reporter_referral"] == "yes" else "No referral",
            )
        )
    if outcome.get("reconvene_on"):
        on = date.fromisoformat(outcome["reconvene_on"])
        rows.append(("Reconvene on", long_date(on)))
    for role, vote in (outcome.get("votes") or {}).items():
        rows.append((f"Vote: {role_label(role)}", "Abstained" if vote == ABSTAIN else OUTCOME_LABELS.get(vote, vote)))
    return rows


def non_punishment_text(outcome: Mapping[str, Any], nation: Nation) -> str:
    if outcome.get("suspected_of_offences") != "yes":
        return "The child is not suspected of any offences."
    if outcome.get("non_punishment_flag") == "yes":
        return f"The child is suspected of offences. {non_punishment_label(nation)}."
    return "The child is suspected of offences. The meeting did not flag the non-punishment principle."


def minutes_view(snapshot: Mapping[str, Any]) -> MinutesView:
    conf = snapshot["conference"]
    nation = Nation(conf["nation"])
    sections_indicators = snapshot.get("indicators") or {}
    catalogue_version = int(sections_indicators.get("catalogue_version", 1))
    catalogue = catalogue_for(catalogue_version)
    groups = {g.key: g.label for g in catalogue.groups}
    elements = elements_record({"elements": snapshot.get("elements"), "indicators": sections_indicators})
    quorum = snapshot.get("quorum") or {}
    override = ""
    if quorum.get("continue_without_quorum"):
        override = f"The chair continued without quorum ({quorum.get('confirmed_by', '')}): {quorum.get('reason', '')}"
    views = snapshot.get("child_views") or {}
    outcome = snapshot.get("outcome") or {}
    signed_by = snapshot.get("signed_by") or {}
    return MinutesView(
        reference=conf["reference"],
        version=int(snapshot["number"]),
        meeting_type=MeetingType(conf["meeting_type"]).label,
        nation=nation.label,
        held=_when(conf.get("start_at")) or "on a date not recorded",
        chair=conf.get("chair", ""),
        attendance=tuple(
            AttendeeLine(
                role_label(a["role"]),
                AttendanceStatus(a["status"]).label
                + (f": {a['submission_summary']}" if a.get("submission_summary") else ""),
                a.get("person_name", ""),
                a.get("deputy_name", ""),
            )
            for a in snapshot.get("attendance", [])
        ),
        quorum_message=quorum.get("message", ""),
        quorum_override_note=override,
        information=tuple(AgencyInformation(role_label(k), v) for k, v in (snapshot.get("information") or {}).items()),
        child_views=views.get("views") or (f"Not sought: {views['why_not']}" if views.get("why_not") else ""),
        elements=summarise_elements(elements, is_child=True, catalogue=catalogue),
        indicators=tuple(
            IndicatorLine(
                groups.get(catalogue.get(t.key).group, ""),
                catalogue.get(t.key).label + t.level_suffix,
                role_label(t.agency),
                t.note,
            )
            for t in elements.indicators
        ),
        outcome=OUTCOME_LABELS.get(outcome.get("outcome", ""), "Not recorded"),
        outcome_details=tuple(outcome_details(outcome, nation)),
        rationale=outcome.get("rationale", ""),
        dissent=tuple(DissentLine(role_label(d["agency"]), d["reason"]) for d in outcome.get("dissent", [])),
        non_punishment=non_punishment_text(outcome, nation),
        actions=tuple(
            ActionLine(a["description"], a["owner"], a["agency"], _when(a["due_at"]), ActionStatus(a["status"]).label)
            for a in snapshot.get("actions", [])
        ),
        signed_off=f"Signed off by {signed_by.get('name', '')} ({signed_by.get('agency', '')}) on "
        f"{_when(snapshot.get('signed_at'))}.",
        amendment_reason=snapshot.get("reason", ""),
        written_submissions=tuple(_submission_line(s) for s in snapshot.get("written_submissions") or []),
    )


def _submission_line(submission: Mapping[str, Any]) -> SubmissionLine:
    characters = int(submission.get("characters", 0))
    files = list(submission.get("files", []))
    parts = [f"{characters:,} characters of text"] if characters else []
    if files:
        parts.append(f"{len(files)} file{'s' if len(files) != 1 else ''} ({', '.join(files)})")
    return SubmissionLine(
        role_label(submission["role"]),
        submission.get("person_name", ""),
        _when(submission.get("submitted_at")),
        " and ".join(parts) or "Nothing",
    )


_GENDER = {Gender.FEMALE: "female", Gender.MALE: "male"}


def nrm_pack(
    case: Case, snapshot: Mapping[str, Any] | None, referral: NrmReferral | None, *, today: date | None = None
) -> NrmPack:
    """The NRM referral pack for a case, pre-filled from the case, the latest signed decision and the answers.

    The child's age is worked out on the dates that matter, never on the day the pack is built: under 18 at the
    referral (the recorded referral date, or ``today`` while the referral is still being prepared), and under
    18 during the exploitation (on the day the child was identified, by which the exploitation had happened).
    """
    today = today or date.today()
    referred_on = referral.referred_on if referral is not None and referral.referred_on else today
    identified_on = london_date(case.identified_at)
    la = case.local_authority
    child = ChildView(
        first_name=case.child_first_name,
        last_name=case.child_last_name,
        date_of_birth_on=case.child_born_on,
        gender=_GENDER.get(case.gender, "unknown"),
        nationality=case.nationality,
        needs_interpreter=case.interpreter_needed,
        interpreter_language=case.languages if case.interpreter_needed else "",
    )
    case_vm = NrmCaseView(
        reference=case.reference,
        nation=Nation(case.nation.value),
        age=under_age_at_referral(
            age_disputed=case.age_disputed,
            born_on=case.child_born_on,
            estimated_age=case.child_estimated_age,
            referred_on=referred_on,
        ),
        under_age_during_exploitation=under_age_during_exploitation(
            born_on=case.child_born_on, exploited_by_on=identified_on
        ),
        local_authority=LocalAuthorityContact(la.name, la.contact_phone, la.contact_email),
        child=child,
    )
    outcome = (snapshot or {}).get("outcome") or {}
    elements = elements_record(
        {"elements": (snapshot or {}).get("elements"), "indicators": (snapshot or {}).get("indicators")}
    )
    signed_at = (snapshot or {}).get("signed_at")
    answers = referral_answers(referral.answers if referral else {})
    determination = NrmDeterminationView(
        elements=elements,
        rationale=outcome.get("rationale", ""),
        decided_on=datetime.fromisoformat(signed_at).date() if signed_at else None,
        police_force=outcome.get("police_force", ""),
        crime_reference=outcome.get("crime_reference", ""),
        answers=answers,
        agency_views=tuple((role_label(k), str(v)) for k, v in ((snapshot or {}).get("information") or {}).items()),
        dissent=tuple((role_label(d["agency"]), d["reason"]) for d in outcome.get("dissent", [])),
        others_involved=others_involved(snapshot),
        evidence=evidence_titles(snapshot, referral),
    )
    name = outcome.get("first_responder_name", "").split(" ", 1)
    responder = FirstResponderView(
        organisation=outcome.get("first_responder_organisation", ""),
        first_name=name[0],
        last_name=name[1] if len(name) > 1 else "",
        role=outcome.get("first_responder_role", ""),
        phone=outcome.get("first_responder_phone", ""),
    )
    return build_nrm_pack(case_vm, determination, responder)


_LEGACY_LISTS = ("where-exploitation-happened-uk-city", "where-exploitation-happened-overseas-country")
_TAKING_PART = {
    AttendanceStatus.PRESENT_IN_ROOM,
    AttendanceStatus.PRESENT_REMOTELY,
    AttendanceStatus.WRITTEN_SUBMISSION,
    AttendanceStatus.DEPUTY_PRESENT,
}


def referral_answers(saved: Mapping[str, Any]) -> dict[str, Any]:
    """The saved answers as pack values. A list saved before the form's numbered fields (``...-uk-city`` as one
    list) becomes the numbered entries ``...-uk-city-1`` to ``-10``."""
    raw = dict(saved)
    for key in _LEGACY_LISTS:
        legacy = raw.pop(key, None)
        if isinstance(legacy, list):
            for index, item in enumerate(legacy[:10], start=1):
                raw.setdefault(f"{key}-{index}", item)
    answers = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in known_field_keys()}
    if "pv-dob" in answers and isinstance(answers["pv-dob"], str):
        answers["pv-dob"] = date.fromisoformat(answers["pv-dob"])
    return answers


def others_involved(snapshot: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The agencies that took part in the meeting (the register), other than the chair."""
    lines = []
    for a in (snapshot or {}).get("attendance", []):
        if a.get("role") == "chair" or AttendanceStatus(a["status"]) not in _TAKING_PART:
            continue
        lines.append(f"{role_label(a['role'])} ({AttendanceStatus(a['status']).label.lower()})")
    return tuple(lines)


def written_submissions(snapshot: Mapping[str, Any] | None) -> dict[str, str]:
    """Written submissions on the register of the signed version, by role: the summary text."""
    return {
        a["role"]: a.get("submission_summary", "")
        for a in (snapshot or {}).get("attendance", [])
        if a.get("status") == AttendanceStatus.WRITTEN_SUBMISSION.value and a.get("submission_summary")
    }


def evidence_titles(snapshot: Mapping[str, Any] | None, referral: NrmReferral | None) -> tuple[str, ...]:
    """What goes with the referral: the signed minutes, and the written submissions the chair selected."""
    if not snapshot:
        return ()
    titles = [f"Signed minutes of meeting {snapshot['conference']['reference']} (version {snapshot['number']})"]
    selected = set(referral.evidence_roles or []) if referral is not None else set()
    for role in written_submissions(snapshot):
        if role in selected:
            titles.append(f"Written submission from {role_label(role)}")
    return tuple(titles)
