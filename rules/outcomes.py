"""Outcome options per meeting type, and validation of a recorded outcome with GOV.UK error wording.

The outcome data is a plain mapping as posted by the web form (strings, or `date` for dates):

Strategy discussion, IRD, Northern Ireland strategy discussion, pre-referral NRM discussion
    ``start_enquiries`` ("yes"/"no"); ``outcome`` (see `STRATEGY_OUTCOMES`); for ``trafficking_concern`` and
    ``slavery_concern``:
    ``nrm_referral`` ("yes"), ``first_responder_organisation``, ``first_responder_name``; for
    ``more_information_needed``: ``reconvene_on`` (a `date` or ISO ``YYYY-MM-DD`` string, in the future).
Devolved decision panel
    ``stage`` ("reasonable_grounds"/"conclusive_grounds"); ``outcome`` (see `outcome_options`);
    ``votes``: a mapping of voting role (social_care, health, police) to the option voted for or "abstain".
    The recorded outcome must carry a majority of the voting members.
ICPC and review
    ``outcome`` (child protection plan or not; continue or end the plan). At an initial conference in England,
    Wales and Northern Ireland that decides on a plan: ``category`` (see `ABUSE_CATEGORIES`).
Scotland: IRD, CPPM and review CPPM
    ``reporter_referral`` ("yes"/"no"): whether the child is referred to the Principal Reporter (the
    Children's Reporter).
All meeting types
    ``rationale`` (required); ``dissent``: a list of ``{"agency": role, "reason": text}``;
    ``suspected_of_offences`` ("yes"/"no") and, if yes, ``non_punishment_flag`` ("yes"/"no"): the
    non-punishment principle, named by each nation's provision (see `non_punishment_label`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from rules.clock import LONDON
from rules.quorum import ROLE_LABELS, MeetingType, Nation, Seat, quorum_rule

TEXT_MAX_LENGTH = 15_000
ABSTAIN = "abstain"


@dataclass(frozen=True)
class FieldError:
    """One validation error: ``field`` is the form field id the error summary links to."""

    field: str
    message: str


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    hint: str = ""


STRATEGY_TYPES = frozenset(
    {
        MeetingType.STRATEGY_DISCUSSION,
        MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
        MeetingType.STRATEGY_DISCUSSION_NI,
        MeetingType.PRE_REFERRAL_NRM_MEETING,
    }
)

STRATEGY_OUTCOMES: tuple[Option, ...] = (
    Option("trafficking_concern", "Trafficking concern", "Make an NRM referral and name the first responder"),
    # Modern slavery without trafficking: the NRM covers both (s1 and s2 Modern Slavery Act 2015), and a
    # conclusive grounds decision can find a victim of slavery, servitude or forced or compulsory labour.
    Option(
        "slavery_concern",
        "Potential victim of slavery, servitude or forced or compulsory labour",
        "No act of movement is needed. Make an NRM referral and name the first responder",
    ),
    Option("no_trafficking_other_concerns", "No trafficking concern, but other child protection concerns"),
    Option("more_information_needed", "More information needed", "Set a date to reconvene"),
    # A strategy discussion or IRD can close with no further action: Scotland's IRD ends in "CPPM / no CPPM /
    # no further action" (National Guidance for Child Protection in Scotland 2021, para 3.107 onwards,
    # https://scotgov.theapsgroup.scot/national-guidance-for-child-protection-in-scotland/99/ ); in England
    # the strategy discussion decides whether s47 enquiries are needed at all (Working Together 2023).
    Option("no_further_action", "No further action", "No concern needs a multi-agency response"),
)

#: Strategy outcomes that mean every child is referred to the NRM, with a named first responder.
NRM_REFERRAL_OUTCOMES = frozenset({"trafficking_concern", "slavery_concern"})

#: The categories of abuse an initial conference records with a child protection plan, in England (Working
#: Together 2023: neglect, physical, sexual or emotional abuse), Wales (Wales Safeguarding Procedures: the
#: conference decides registration and category, https://safeguarding.wales/en/chi-i/chi-i-c3pt2/c3pt2-p9 ) and
#: Northern Ireland (Co-operating to Safeguard Children and Young People in NI 2017, section 2.6; NI also names
#: exploitation as a type of abuse, [UNCONFIRMED] whether it is a register category, so not offered). Scotland
#: registers differently: the CPPM records the concerns, not a category (National Guidance 2021, part 3,
#: https://scotgov.theapsgroup.scot/national-guidance-for-child-protection-in-scotland/118/ ), so no category.
ABUSE_CATEGORIES: tuple[Option, ...] = (
    Option("neglect", "Neglect"),
    Option("physical_abuse", "Physical abuse"),
    Option("sexual_abuse", "Sexual abuse"),
    Option("emotional_abuse", "Emotional abuse"),
)

REASONABLE_GROUNDS_OUTCOMES: tuple[Option, ...] = (
    Option("rg_positive", "Positive reasonable grounds decision"),
    Option("rg_negative", "Negative reasonable grounds decision"),
)

CG_TRAFFICKING = Option("cg_positive_trafficking", "Positive conclusive grounds decision: victim of trafficking")
CG_SLAVERY = Option(
    "cg_positive_slavery",
    "Positive conclusive grounds decision: victim of slavery, servitude or forced or compulsory labour",
)
CG_NEGATIVE = Option("cg_negative", "Negative conclusive grounds decision: not recognised as a victim")

CONCLUSIVE_GROUNDS_OUTCOMES: dict[Nation, tuple[Option, ...]] = {
    Nation.ENGLAND: (CG_TRAFFICKING, CG_SLAVERY, CG_NEGATIVE),
    Nation.WALES: (CG_TRAFFICKING, CG_SLAVERY, CG_NEGATIVE),
    Nation.SCOTLAND: (CG_TRAFFICKING, CG_NEGATIVE),
    Nation.NORTHERN_IRELAND: (CG_TRAFFICKING, CG_NEGATIVE),
}

STAGES: tuple[Option, ...] = (
    Option("reasonable_grounds", "Reasonable grounds decision"),
    Option("conclusive_grounds", "Conclusive grounds decision"),
)

ICPC_OUTCOMES: tuple[Option, ...] = (
    Option("child_protection_plan", "The child needs a child protection plan"),
    Option("no_child_protection_plan", "The child does not need a child protection plan"),
)

REVIEW_OUTCOMES: tuple[Option, ...] = (
    Option("continue_plan", "Continue the child protection plan"),
    Option("end_plan", "End the child protection plan"),
)


def abuse_categories(meeting_type: MeetingType | str, nation: Nation | str) -> tuple[Option, ...]:
    """The categories of abuse this meeting records with a plan (initial conference outside Scotland), or ()."""
    initial = MeetingType(meeting_type) == MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE
    if not initial or Nation(nation) == Nation.SCOTLAND:
        return ()
    return ABUSE_CATEGORIES


#: Scotland: an IRD, a CPPM and a review CPPM consider referral to the Principal Reporter (the Children's
#: Reporter). National Guidance for Child Protection in Scotland 2021, para 3.133 ("CPPMs must consider whether a
#: referral to the Principal Reporter is/is not required"); the IRD's decisions include it (pages 99-100).
REPORTER_MEETING_TYPES = frozenset(
    {
        MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
        MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        MeetingType.REVIEW,
    }
)


def asks_reporter_referral(meeting_type: MeetingType | str, nation: Nation | str) -> bool:
    return Nation(nation) == Nation.SCOTLAND and MeetingType(meeting_type) in REPORTER_MEETING_TYPES


def enquiries_question(nation: Nation | str) -> str:
    """The wording of the 'start enquiries' question in a nation."""
    if Nation(nation) in (Nation.ENGLAND, Nation.WALES):
        return "start section 47 enquiries"
    return "start a child protection investigation"


#: Each nation's non-punishment provision.
#: England and Wales: the statutory defence, s45 Modern Slavery Act 2015
#: (https://www.legislation.gov.uk/ukpga/2015/30/section/45 ).
#: Northern Ireland: the statutory defence, s22 Human Trafficking and Exploitation (Criminal Justice and Support for
#: Victims) Act (Northern Ireland) 2015 (https://www.legislation.gov.uk/nia/2015/2/section/22 ).
#: Scotland: no statutory defence; the Lord Advocate's instructions for non-prosecution of victims of human
#: trafficking, made under s8 Human Trafficking and Exploitation (Scotland) Act 2015 (COPFS, www.copfs.gov.uk,
#: publication "lord-advocate-s-instructions-non-prosecution-of-victims-of-human-trafficking").
NON_PUNISHMENT_PROVISIONS: dict[Nation, str] = {
    Nation.ENGLAND: "section 45 defence, Modern Slavery Act 2015",
    Nation.WALES: "section 45 defence, Modern Slavery Act 2015",
    Nation.NORTHERN_IRELAND: "section 22 defence, Human Trafficking and Exploitation (Criminal Justice and Support "
    "for Victims) Act (Northern Ireland) 2015",
    Nation.SCOTLAND: "the Lord Advocate's instructions for the non-prosecution of victims of human trafficking and "
    "exploitation",
}


def non_punishment_label(nation: Nation | str) -> str:
    return f"The non-punishment principle may apply ({NON_PUNISHMENT_PROVISIONS[Nation(nation)]})"


def outcome_options(
    meeting_type: MeetingType | str, nation: Nation | str, stage: str | None = None
) -> tuple[Option, ...]:
    """The outcome options for a meeting type in a nation (for a devolved panel, for the given stage)."""
    mt = MeetingType(meeting_type)
    quorum_rule(mt, nation)  # raises UnsupportedMeeting for a combination Convene does not hold
    if mt in STRATEGY_TYPES:
        return STRATEGY_OUTCOMES
    if mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        if stage == "conclusive_grounds":
            return CONCLUSIVE_GROUNDS_OUTCOMES[Nation(nation)]
        if stage == "reasonable_grounds":
            return REASONABLE_GROUNDS_OUTCOMES
        return ()
    return ICPC_OUTCOMES if mt == MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE else REVIEW_OUTCOMES


def validate_outcome(
    meeting_type: MeetingType | str, nation: Nation | str, data: Mapping[str, object], *, today: date | None = None
) -> list[FieldError]:
    """Every problem with a recorded outcome, in page order. An empty list means it can be saved."""
    mt, nat = MeetingType(meeting_type), Nation(nation)
    quorum_rule(mt, nat)
    on = today or datetime.now(LONDON).date()
    errors: list[FieldError] = []
    if mt in STRATEGY_TYPES:
        errors += _strategy_errors(nat, data, on)
    elif mt == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        errors += _panel_errors(mt, nat, data)
    else:
        errors += _choice(data, "outcome", outcome_options(mt, nat), "Select the outcome")
        categories = abuse_categories(mt, nat)
        if categories and data.get("outcome") == "child_protection_plan":
            errors += _choice(data, "category", categories, "Select the category of abuse")
    if asks_reporter_referral(mt, nat):
        errors += _choice(
            data, "reporter_referral", _YES_NO, "Select whether the child will be referred to the Children's Reporter"
        )
    errors += _text_errors(data, "rationale", "Enter the rationale", "Rationale")
    errors += _dissent_errors(data.get("dissent"))
    errors += _non_punishment_errors(data)
    return errors


def _strategy_errors(nation: Nation, data: Mapping[str, object], today: date) -> list[FieldError]:
    errors = _choice(data, "start_enquiries", _YES_NO, f"Select whether to {enquiries_question(nation)}")
    errors += _choice(data, "outcome", STRATEGY_OUTCOMES, "Select the outcome")
    outcome = data.get("outcome")
    if outcome in NRM_REFERRAL_OUTCOMES:
        if data.get("nrm_referral") != "yes":
            errors.append(
                FieldError("nrm_referral", "Confirm that an NRM referral will be made: every child is referred")
            )
        errors += _text_errors(data, "first_responder_organisation", "Enter the first responder's organisation")
        errors += _text_errors(data, "first_responder_name", "Enter the name of the first responder")
    elif outcome == "more_information_needed":
        errors += _reconvene_errors(data.get("reconvene_on"), today)
    return errors


def _reconvene_errors(value: object, today: date) -> list[FieldError]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [FieldError("reconvene_on", "Enter a date to reconvene")]
    reconvene_on = _as_date(value)
    if reconvene_on is None:
        return [FieldError("reconvene_on", "Reconvene date must be a real date")]
    if reconvene_on <= today:
        return [FieldError("reconvene_on", "Reconvene date must be in the future")]
    return []


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _panel_errors(mt: MeetingType, nation: Nation, data: Mapping[str, object]) -> list[FieldError]:
    stage_errors = _choice(
        data, "stage", STAGES, "Select whether this is a reasonable grounds or conclusive grounds decision"
    )
    if stage_errors:
        return stage_errors
    options = outcome_options(mt, nation, str(data["stage"]))
    errors = _choice(data, "outcome", options, "Select the outcome")
    errors += _vote_errors(mt, nation, data.get("votes"), options, data.get("outcome"))
    return errors


def _vote_errors(
    mt: MeetingType, nation: Nation, votes: object, options: Sequence[Option], outcome: object
) -> list[FieldError]:
    rule = quorum_rule(mt, nation)
    if not isinstance(votes, Mapping) or not votes:
        return [FieldError("votes", "Enter how each voting member voted")]
    errors: list[FieldError] = []
    allowed = {o.key for o in options} | {ABSTAIN}
    for role_value in votes:
        if role_value not in {r.value for r in rule.voting}:
            errors.append(FieldError("votes", _non_voter_message(str(role_value), rule.voting)))
    for role in rule.voting:
        if votes.get(role.value) not in allowed:
            errors.append(FieldError(f"votes-{role.value}", f"Select how {ROLE_LABELS[role]} voted"))
    if errors or not isinstance(outcome, str) or outcome not in allowed - {ABSTAIN}:
        return errors
    in_favour = sum(1 for role in rule.voting if votes.get(role.value) == outcome)
    if in_favour * 2 <= len(rule.voting):
        errors.append(
            FieldError(
                "outcome",
                f"The decision needs the votes of a majority of the voting members: "
                f"{in_favour} of {len(rule.voting)} voted for it",
            )
        )
    return errors


def _non_voter_message(role_value: str, voting: Sequence[Seat]) -> str:
    if role_value == Seat.GUARDIAN.value:
        return "The guardian attends without a vote"
    voters = ", ".join(ROLE_LABELS[r] for r in voting)
    return f"Only the voting members ({voters}) can vote"


_YES_NO: tuple[Option, ...] = (Option("yes", "Yes"), Option("no", "No"))


def _choice(data: Mapping[str, object], name: str, options: Sequence[Option], message: str) -> list[FieldError]:
    if data.get(name) not in {o.key for o in options}:
        return [FieldError(name, message)]
    return []


def _text_errors(data: Mapping[str, object], name: str, missing: str, noun: str = "") -> list[FieldError]:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        return [FieldError(name, missing)]
    if len(value) > TEXT_MAX_LENGTH:
        return [FieldError(name, f"{noun or 'Answer'} must be {TEXT_MAX_LENGTH:,} characters or fewer")]
    return []


def _dissent_errors(dissent: object) -> list[FieldError]:
    if dissent is None:
        return []
    if not isinstance(dissent, Sequence) or isinstance(dissent, str):
        return [FieldError("dissent", "Enter each dissent with the agency and the reason")]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, item in enumerate(dissent):
        entry = item if isinstance(item, Mapping) else {}
        agency = entry.get("agency")
        if agency not in {r.value for r in Seat}:
            errors.append(FieldError(f"dissent-{index}-agency", "Select the agency that disagrees"))
            continue
        label = ROLE_LABELS[Seat(str(agency))]
        if agency in seen:
            errors.append(FieldError(f"dissent-{index}-agency", f"Dissent from {label} is already recorded"))
        seen.add(str(agency))
        errors += [
            FieldError(f"dissent-{index}-reason", e.message)
            for e in _text_errors(entry, "reason", f"Enter the reason for the dissent from {label}", "Reason")
        ]
    return errors


def _non_punishment_errors(data: Mapping[str, object]) -> list[FieldError]:
    errors = _choice(data, "suspected_of_offences", _YES_NO, "Select whether the child is suspected of any offences")
    if data.get("suspected_of_offences") == "yes":
        errors += _choice(data, "non_punishment_flag", _YES_NO, "Select whether the non-punishment principle may apply")
    return errors
