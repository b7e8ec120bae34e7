"""Reading the decision forms: explicit fields, GOV.UK error wording, one error per field, nothing saved on error.

Each ``read_*`` function takes the posted form and a `FormErrors` and returns the value to save (a plain,
JSON-ready structure) or ``None`` when there are errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from conference.convening.models import Conference
from conference.forms import FormErrors, local_datetime, parse_date, parse_time_of_day, text_field
from decisions.models import ActionStatus
from decisions.nrm.pack import LIST_NOUNS, NrmField, canonical_choice
from decisions.recording.services import AttendanceLine
from rules.elements import ACTS, EXPLOITATION_TYPE_KEYS, MEANS, WHERE_OPTIONS, ElementsRecord, validate_elements
from rules.indicators import LEVELS, IndicatorCatalogue, IndicatorTick, validate_ticks
from rules.outcomes import (
    ABSTAIN,
    CONCLUSIVE_GROUNDS_OUTCOMES,
    REASONABLE_GROUNDS_OUTCOMES,
    STRATEGY_TYPES,
    TEXT_MAX_LENGTH,
    abuse_categories,
    asks_reporter_referral,
    validate_outcome,
)
from rules.quorum import ROLE_LABELS, AttendanceStatus, quorum_rule
from rules.vocabulary import MeetingType, Seat

SHORT_TEXT = 160
NOTE_LENGTH = 2000
PHONE_MAX_LENGTH = 40
YES_NO = ("yes", "no")


def _long_text(form: Mapping[str, str], name: str, errors: FormErrors, label: str) -> str:
    value = text_field(form, name, max_length=TEXT_MAX_LENGTH)
    if len(value) > TEXT_MAX_LENGTH:
        errors.add(name, f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer")
    return value


def _short_text(form: Mapping[str, str], name: str, errors: FormErrors, label: str, length: int = SHORT_TEXT) -> str:
    value = text_field(form, name, max_length=length)
    if len(value) > length:
        errors.add(name, f"{label} must be {length:,} characters or fewer")
    return value


def seat_roles(conference: Conference) -> list[Seat]:
    """The roles on the register: the conference's seats, or the meeting type's quorum roles if none are set."""
    roles = [seat.role for seat in conference.roles]
    if roles:
        return roles
    rule = quorum_rule(conference.meeting_type, conference.nation)
    return list(dict.fromkeys([*rule.required, *rule.others_from]))


def read_attendance(form: Mapping[str, str], roles: Sequence[Seat], errors: FormErrors) -> list[AttendanceLine]:
    lines: list[AttendanceLine] = []
    for role in roles:
        label = ROLE_LABELS[role]
        raw = form.get(f"status-{role.value}", "")
        person = _short_text(form, f"person-{role.value}", errors, "Name")
        deputy = _short_text(form, f"deputy-{role.value}", errors, "Deputy's name")
        summary = _long_text(form, f"summary-{role.value}", errors, "Summary")
        if raw not in {s.value for s in AttendanceStatus}:
            errors.add(f"status-{role.value}", f"Select how {label} attended")
            continue
        status = AttendanceStatus(raw)
        if status == AttendanceStatus.DEPUTY_PRESENT and not deputy:
            errors.add(f"deputy-{role.value}", f"Enter the name of the deputy for {label}")
        if status == AttendanceStatus.WRITTEN_SUBMISSION and not summary:
            errors.add(f"summary-{role.value}", f"Enter a short summary of the written submission from {label}")
        lines.append(
            AttendanceLine(
                role,
                status,
                person,
                deputy if status == AttendanceStatus.DEPUTY_PRESENT else "",
                summary if status == AttendanceStatus.WRITTEN_SUBMISSION else "",
            )
        )
    return lines


def read_quorum(form: Mapping[str, str], errors: FormErrors, confirmed_by: str) -> dict[str, Any] | None:
    if form.get("continue_without_quorum") != "yes":
        errors.add(
            "continue_without_quorum", "Confirm that the meeting continued without quorum, or record who attended first"
        )
        return None
    reason = _long_text(form, "quorum_reason", errors, "Reason")
    if not reason:
        errors.add("quorum_reason", "Enter why the meeting continued without quorum")
    if errors:
        return None
    return {"continue_without_quorum": True, "reason": reason, "confirmed_by": confirmed_by}


def read_information(form: Mapping[str, str], roles: Sequence[Seat], errors: FormErrors) -> dict[str, str] | None:
    value = {}
    for role in roles:
        text = _long_text(form, f"information-{role.value}", errors, f"Information from {ROLE_LABELS[role]}")
        if text:
            value[role.value] = text
    return None if errors else value


def read_child_views(form: Mapping[str, str], errors: FormErrors) -> dict[str, str] | None:
    sought = form.get("sought", "")
    views = _long_text(form, "views", errors, "The child's views")
    why_not = _long_text(form, "why_not", errors, "The reason")
    if sought not in YES_NO:
        errors.add("sought", "Select yes if the child's views and wishes were sought")
    elif sought == "yes" and not views:
        errors.add("views", "Enter the child's views and wishes")
    elif sought == "no" and not why_not:
        errors.add("why_not", "Enter why the child's views could not be sought")
    if errors:
        return None
    return {"sought": sought, "views": views if sought == "yes" else "", "why_not": why_not if sought == "no" else ""}


def _many(form: Any, name: str) -> list[str]:
    values = form.getlist(name) if hasattr(form, "getlist") else [form.get(name)] if form.get(name) else []
    return [str(v) for v in values]


def read_elements(form: Any, errors: FormErrors) -> dict[str, Any] | None:
    value = {
        "acts": [o.key for o in ACTS if o.key in _many(form, "acts")],
        "movement_within_uk": form.get("movement_within_uk") == "yes",
        "act_details": text_field(form, "act_details", max_length=TEXT_MAX_LENGTH),
        "means": [o.key for o in MEANS if o.key in _many(form, "means")],
        "means_details": text_field(form, "means_details", max_length=TEXT_MAX_LENGTH),
        "exploitation_types": [k for k in EXPLOITATION_TYPE_KEYS if k in _many(form, "exploitation_types")],
        "other_exploitation_details": text_field(form, "other_exploitation_details", max_length=TEXT_MAX_LENGTH),
        "purpose_details": text_field(form, "purpose_details", max_length=TEXT_MAX_LENGTH),
        "where": form.get("where", ""),
    }
    unknown = (set(_many(form, "acts")) - {o.key for o in ACTS}) | (set(_many(form, "means")) - {o.key for o in MEANS})
    unknown |= set(_many(form, "exploitation_types")) - set(EXPLOITATION_TYPE_KEYS)
    if unknown:
        errors.add("acts", "Select options from the lists")
    record = ElementsRecord(
        acts=frozenset(value["acts"]),
        movement_within_uk=value["movement_within_uk"],
        act_details=value["act_details"],
        means=frozenset(value["means"]),
        means_details=value["means_details"],
        exploitation_types=frozenset(value["exploitation_types"]),
        other_exploitation_details=value["other_exploitation_details"],
        purpose_details=value["purpose_details"],
        where=value["where"],
    )
    for problem in validate_elements(record):
        field = {"where": "where", "other_exploitation_details": "other_exploitation_details"}.get(
            problem.field, problem.field
        )
        if field == "exploitation_types":
            field = "exploitation_types"
        errors.add(field, problem.message)
    if value["where"] and value["where"] not in {o.key for o in WHERE_OPTIONS}:
        errors.add("where", "Select where the exploitation happened")
    return None if errors else value


def read_indicators(
    form: Mapping[str, str], catalogue: IndicatorCatalogue, errors: FormErrors
) -> dict[str, Any] | None:
    ticks: list[IndicatorTick] = []
    fields: list[str] = []
    for indicator in catalogue.indicators:
        name = f"indicator-{indicator.key}"
        if form.get(name) != "yes":
            continue
        agency = form.get(f"{name}-agency", "")
        note = text_field(form, f"{name}-note", max_length=NOTE_LENGTH)
        if agency not in {r.value for r in Seat}:
            errors.add(f"{name}-agency", f"Select the agency that raised '{indicator.label}'")
            continue
        level = form.get(f"{name}-level", "") or "yes"
        if level not in LEVELS:
            errors.add(f"{name}-level", f"Select whether '{indicator.label}' is known or suspected")
            continue
        ticks.append(IndicatorTick(indicator.key, Seat(agency), note, level))
        fields.append(name)
    for problem in validate_ticks(ticks, catalogue):
        index_text = problem.field.split("-")[1]
        suffix = problem.field[len(f"indicators-{index_text}") :]
        errors.add(fields[int(index_text)] + suffix, problem.message)
    if errors:
        return None
    return {
        "catalogue_version": catalogue.version,
        "ticks": [{"key": t.key, "agency": t.agency.value, "note": t.note, "level": t.level} for t in ticks],
    }


def outcome_choices(conference: Conference) -> list[tuple[str, str]]:
    from rules.outcomes import ICPC_OUTCOMES, REVIEW_OUTCOMES, STRATEGY_OUTCOMES

    mt = conference.meeting_type
    if mt in STRATEGY_TYPES:
        options = STRATEGY_OUTCOMES
    elif mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        options = (*REASONABLE_GROUNDS_OUTCOMES, *CONCLUSIVE_GROUNDS_OUTCOMES[conference.nation])
    elif mt == MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE:
        options = ICPC_OUTCOMES
    else:
        options = REVIEW_OUTCOMES
    return [(o.key, o.label) for o in options]


def read_outcome(
    form: Mapping[str, str],
    conference: Conference,
    roles: Sequence[Seat],
    errors: FormErrors,
    *,
    today: date | None = None,
) -> dict[str, Any] | None:
    mt = conference.meeting_type
    data: dict[str, Any] = {"outcome": form.get("outcome", "")}
    if mt in STRATEGY_TYPES:
        data["start_enquiries"] = form.get("start_enquiries", "")
        data["nrm_referral"] = form.get("nrm_referral", "")
        data["first_responder_organisation"] = _short_text(form, "first_responder_organisation", errors, "Organisation")
        data["first_responder_name"] = _short_text(form, "first_responder_name", errors, "Name")
        data["first_responder_role"] = _short_text(form, "first_responder_role", errors, "Role")
        data["first_responder_phone"] = _short_text(form, "first_responder_phone", errors, "Telephone number")
        data["police_force"] = _short_text(form, "police_force", errors, "Police force")
        data["crime_reference"] = _short_text(form, "crime_reference", errors, "Crime reference number")
        if data["outcome"] == "more_information_needed":
            reconvene = parse_date(form, "reconvene_on", "a date to reconvene", errors, required=False, today=today)
            data["reconvene_on"] = reconvene.isoformat() if reconvene else ""
    if abuse_categories(mt, conference.nation) and data["outcome"] == "child_protection_plan":
        data["category"] = form.get("category", "")
    if asks_reporter_referral(mt, conference.nation):
        data["reporter_referral"] = form.get("reporter_referral", "")
    if mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        data["stage"] = form.get("stage", "")
        rule = quorum_rule(mt, conference.nation)
        data["votes"] = {r.value: form.get(f"votes-{r.value}", "") for r in rule.voting}
    data["rationale"] = text_field(form, "rationale", max_length=TEXT_MAX_LENGTH)
    dissent_roles = [r for r in roles if text_field(form, f"dissent-{r.value}", max_length=TEXT_MAX_LENGTH)]
    data["dissent"] = [
        {"agency": r.value, "reason": text_field(form, f"dissent-{r.value}", max_length=TEXT_MAX_LENGTH)}
        for r in dissent_roles
    ]
    data["suspected_of_offences"] = form.get("suspected_of_offences", "")
    data["non_punishment_flag"] = form.get("non_punishment_flag", "") if data["suspected_of_offences"] == "yes" else ""
    clean = {k: v for k, v in data.items() if v not in ("", None)}
    if mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        clean["votes"] = {k: v for k, v in data["votes"].items() if v}
    for problem in validate_outcome(mt, conference.nation, clean, today=today):
        errors.add(_outcome_field(problem.field, dissent_roles, conference), problem.message)
    return None if errors else data


def _outcome_field(name: str, dissent_roles: Sequence[Seat], conference: Conference) -> str:
    if name.startswith("dissent-"):
        parts = name.split("-")
        if len(parts) == 3 and parts[1].isdecimal() and int(parts[1]) < len(dissent_roles):
            return f"dissent-{dissent_roles[int(parts[1])].value}"
    if name == "votes":
        rule = quorum_rule(conference.meeting_type, conference.nation)
        return f"votes-{rule.voting[0].value}"
    if name == "reconvene_on":
        return "reconvene_on-day"
    return name


def vote_choices(conference: Conference) -> list[tuple[str, str]]:
    return [*outcome_choices(conference), (ABSTAIN, "Abstained")]


def read_action(
    form: Mapping[str, str], people: Mapping[str, Any], errors: FormErrors, *, today: date | None = None
) -> tuple[str, Any, datetime] | None:
    description = text_field(form, "description", max_length=NOTE_LENGTH)
    if not description:
        errors.add("description", "Enter the action")
    elif len(description) > NOTE_LENGTH:
        errors.add("description", f"Action must be {NOTE_LENGTH:,} characters or fewer")
    owner = people.get(form.get("owner", ""))
    if owner is None:
        errors.add("owner", "Select who owns the action")
    due_on = parse_date(form, "due_on", "the date the action is due", errors, future=True, today=today)
    time_text = text_field(form, "due_time", max_length=10)
    due_time = parse_time_of_day(time_text) if time_text else None
    if not time_text:
        errors.add("due_time", "Enter the time the action is due")
    elif due_time is None:
        errors.add("due_time", "Enter a real time, for example 2:30pm or 14:30")
    if errors or due_on is None or due_time is None:
        return None
    return description, owner, local_datetime(due_on, *due_time)


def read_action_status(form: Mapping[str, str], errors: FormErrors) -> ActionStatus | None:
    try:
        return ActionStatus(form.get("status", ""))
    except ValueError:
        errors.add("status", "Select the status of the action")
        return None


def read_reason(form: Mapping[str, str], errors: FormErrors) -> str | None:
    reason = text_field(form, "reason", max_length=NOTE_LENGTH)
    if not reason:
        errors.add("reason", "Enter the reason for the amendment")
    elif len(reason) > NOTE_LENGTH:
        errors.add("reason", f"Reason must be {NOTE_LENGTH:,} characters or fewer")
    return None if errors else reason


def read_sign_off(form: Mapping[str, str], errors: FormErrors) -> tuple[str, str] | None:
    password = form.get("password", "")
    code = "".join(ch for ch in form.get("code", "") if ch.isdigit())
    if not password:
        errors.add("password", "Enter your password")
    if not code:
        errors.add("code", "Enter the 6-digit code from your authenticator app")
    elif len(code) != 6:
        errors.add("code", "The code must be 6 digits")
    return None if errors else (password, code)


def read_nrm_answers(form: Any, fields: Sequence[NrmField], errors: FormErrors) -> dict[str, Any] | None:
    """Answers for the pack's own questions, checked against each field's kind and options."""
    answers: dict[str, Any] = {}
    for f in fields:
        if f.kind in ("checkboxes", "documents"):
            continue
        if f.kind == "date":
            on = parse_date(form, f.key, "the date", errors, required=False, past=True)
            if on:
                answers[f.key] = on.isoformat()
            continue
        raw = text_field(form, f.key, max_length=TEXT_MAX_LENGTH)
        if not raw:
            continue
        if len(raw) > TEXT_MAX_LENGTH:
            errors.add(f.key, f"Answer must be {TEXT_MAX_LENGTH:,} characters or fewer")
        elif f.kind == "radios" and raw not in f.option_keys:
            errors.add(f.key, f"Select an answer for '{f.label}'")
        elif f.kind == "email" and ("@" not in raw or " " in raw or len(raw) > 254):
            errors.add(f.key, "Enter an email address in the correct format, like name@example.com")
        elif f.kind == "phone" and len(raw) > PHONE_MAX_LENGTH:
            errors.add(f.key, f"Telephone number must be {PHONE_MAX_LENGTH} characters or fewer")
        elif f.kind == "phone" and not all(ch.isdigit() or ch in " +()-" for ch in raw):
            errors.add(f.key, "Enter a telephone number, like 01632 960 001 or +44 808 157 0192")
        elif f.choices:
            choice = canonical_choice(f.choices, raw)
            if choice is None:
                errors.add(f.key, f"Select {LIST_NOUNS.get(f.choices, 'an answer')} from the list")
            else:
                answers[f.key] = choice
            continue
        elif f.kind == "list":
            items = [line.strip() for line in raw.splitlines() if line.strip()]
            if f.max_items and len(items) > f.max_items:
                errors.add(f.key, f"Enter {f.max_items} places or fewer, one on each line")
            answers[f.key] = items
            continue
        answers[f.key] = raw
    return None if errors else answers


def read_referral(form: Mapping[str, str], errors: FormErrors, *, today: date | None = None) -> tuple[date, str] | None:
    referred_on = parse_date(form, "referred_on", "the date the referral was made", errors, past=True, today=today)
    reference = _short_text(form, "reference", errors, "Reference", 60)
    if not reference:
        errors.add("reference", "Enter the NRM referral reference")
    if errors or referred_on is None:
        return None
    return referred_on, reference


def read_nrm_decision(
    form: Mapping[str, str], nation: Any, errors: FormErrors, *, today: date | None = None
) -> tuple[str, date, str] | None:
    stage = form.get("stage", "")
    if stage not in ("reasonable_grounds", "conclusive_grounds"):
        errors.add("stage", "Select whether this is a reasonable grounds or conclusive grounds decision")
    outcome = form.get("outcome", "")
    options = REASONABLE_GROUNDS_OUTCOMES if stage == "reasonable_grounds" else CONCLUSIVE_GROUNDS_OUTCOMES[nation]
    if outcome not in {o.key for o in options}:
        errors.add("outcome", "Select the decision")
    decided_on = parse_date(form, "decided_on", "the date of the decision", errors, past=True, today=today)
    if errors or decided_on is None:
        return None
    return stage, decided_on, outcome
