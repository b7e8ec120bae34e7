"""Meeting types, the roles each one needs, and its quorum rule, per UK nation.

Pure data and functions: no Flask, no SQLAlchemy. The web app reads these to fill in the roles when a
coordinator asks for a meeting; the coordinator can then mark a role required or optional and allow a
written submission.

Sources (primary texts named; ``source`` on each spec says the same; paraphrased in ``docs/domain.md``):

* England, strategy discussion: Working Together to Safeguard Children 2023 as restated by local
  procedures (Buckinghamshire, Devon): minimum a local authority social worker, health and police.
* Wales, strategy discussion: Wales Safeguarding Procedures C3 Part 1 (safeguarding.wales): minimum police
  and social services, chaired by a social services practitioner.
* Scotland, Inter-agency Referral Discussion (IRD): National Guidance for Child Protection in Scotland
  2021 (updated 2023), pages 97-100: police, social work and health must take part; education may be
  essential.
* Scotland, child protection planning meeting (CPPM, Scotland's initial conference): same guidance, page
  118: social work, health and police.
* Northern Ireland, strategy discussion: Co-operating to Safeguard Children and Young People in NI (2017) and
  the SBNI Regional Core Child Protection Policies and Procedures (2017, "Child Protection Investigation";
  https://www.proceduresonline.com/sbni/ ), with the Protocol for Joint Investigation by Social Workers and
  Police Officers (HSC Trusts and PSNI, April 2013): the strategy discussion is between social work (HSC
  Trust) and the PSNI; health takes part where relevant. So the quorum is social work and police, and
  health is invited and may send a written submission (decided in issue 11; the rule used to require health,
  contradicting this paragraph).
* Devolved NRM decision panel: Home Office devolved decision-making pilot; voting members local
  authority, health and police; an Independent Child Trafficking Guardian (ICTG) representative is
  required but does not vote (Bexley example:
  https://bexley.gov.uk/about-the-council/strategies-plans-and-policies/modern-slavery-equality-impact-assessment/possible-mitigating-actions
  ). Scotland has no ICTG service: its children have guardians from the Scottish Guardianship Service
  (s11 Human Trafficking and Exploitation (Scotland) Act 2015), so in Scotland the guardian is invited when
  one is allocated, without a vote, and is not needed for quorum.
* Initial child protection conference and review in England, Wales and NI, and the pre-referral NRM
  meeting: roles follow the same guidance; their quorum (children's social care plus at least two other
  agencies) is common local practice and is marked ``[UNCONFIRMED]`` in its ``source`` text.

Why this module is long: it is the one table of meeting types, seats and quorum rules for the four UK nations,
each rule beside its source; the specs are built from a few shared helpers and are read together when checked
against ``docs/domain.md``, so they are kept in one place.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Nation(StrEnum):
    """A UK nation; its child protection guidance and bank holidays differ."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def label(self) -> str:
        return _NATION_LABELS[self]


_NATION_LABELS = {
    Nation.ENGLAND: "England",
    Nation.WALES: "Wales",
    Nation.SCOTLAND: "Scotland",
    Nation.NORTHERN_IRELAND: "Northern Ireland",
}


class AgencyKind(StrEnum):
    """The kind of organisation a directory entry belongs to."""

    CHILDREN_SOCIAL_CARE = "children_social_care"
    POLICE = "police"
    HOME_OFFICE = "home_office"
    HEALTH = "health"
    GUARDIAN_SERVICE = "guardian_service"
    EDUCATION = "education"
    VOLUNTARY_SECTOR = "voluntary_sector"
    SINGLE_COMPETENT_AUTHORITY = "single_competent_authority"
    INTERPRETING = "interpreting"
    LEGAL = "legal"
    YOUTH_JUSTICE = "youth_justice"
    ADVOCACY = "advocacy"

    @property
    def label(self) -> str:
        return _AGENCY_KIND_LABELS[self]


_AGENCY_KIND_LABELS = {
    AgencyKind.CHILDREN_SOCIAL_CARE: "Children's social care",
    AgencyKind.POLICE: "Police",
    AgencyKind.HOME_OFFICE: "Home Office / Border Force",
    AgencyKind.HEALTH: "Health",
    AgencyKind.GUARDIAN_SERVICE: "Guardian service (ICTG)",
    AgencyKind.EDUCATION: "Education",
    AgencyKind.VOLUNTARY_SECTOR: "Voluntary sector",
    AgencyKind.SINGLE_COMPETENT_AUTHORITY: "Single Competent Authority",
    AgencyKind.INTERPRETING: "Interpreting",
    AgencyKind.LEGAL: "Legal",
    AgencyKind.YOUTH_JUSTICE: "Youth justice service",
    AgencyKind.ADVOCACY: "Children's advocacy service",
}


class Seat(StrEnum):
    """A seat at a meeting. A role is filled by one person (a primary or a deputy)."""

    CHAIR = "chair"
    SOCIAL_CARE = "social_care"
    POLICE = "police"
    HEALTH = "health"
    HOME_OFFICE = "home_office"
    GUARDIAN = "guardian"
    EDUCATION = "education"
    INTERPRETER = "interpreter"
    SINGLE_COMPETENT_AUTHORITY = "single_competent_authority"
    VOLUNTARY_SECTOR = "voluntary_sector"
    LEGAL = "legal"
    YOUTH_JUSTICE = "youth_justice"
    ADVOCATE = "advocate"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Seat.CHAIR: "Chair",
    Seat.SOCIAL_CARE: "Children's social care",
    Seat.POLICE: "Police",
    Seat.HEALTH: "Health",
    Seat.HOME_OFFICE: "Home Office",
    Seat.GUARDIAN: "Independent Child Trafficking Guardian",
    Seat.EDUCATION: "Education",
    Seat.INTERPRETER: "Interpreter",
    Seat.SINGLE_COMPETENT_AUTHORITY: "Single Competent Authority",
    Seat.VOLUNTARY_SECTOR: "Voluntary sector",
    Seat.LEGAL: "Legal",
    Seat.YOUTH_JUSTICE: "Youth justice",
    Seat.ADVOCATE: "Child's advocate",
}

#: Which roles people from each kind of agency can fill. Children's social care also provides chairs.
AGENCY_ROLES: dict[AgencyKind, tuple[Seat, ...]] = {
    AgencyKind.CHILDREN_SOCIAL_CARE: (Seat.SOCIAL_CARE, Seat.CHAIR),
    AgencyKind.POLICE: (Seat.POLICE,),
    AgencyKind.HOME_OFFICE: (Seat.HOME_OFFICE,),
    AgencyKind.HEALTH: (Seat.HEALTH,),
    AgencyKind.GUARDIAN_SERVICE: (Seat.GUARDIAN,),
    AgencyKind.EDUCATION: (Seat.EDUCATION,),
    AgencyKind.VOLUNTARY_SECTOR: (Seat.VOLUNTARY_SECTOR,),
    AgencyKind.SINGLE_COMPETENT_AUTHORITY: (Seat.SINGLE_COMPETENT_AUTHORITY,),
    AgencyKind.INTERPRETING: (Seat.INTERPRETER,),
    AgencyKind.LEGAL: (Seat.LEGAL,),
    AgencyKind.YOUTH_JUSTICE: (Seat.YOUTH_JUSTICE,),
    AgencyKind.ADVOCACY: (Seat.ADVOCATE,),
}


def roles_for_agency(kind: AgencyKind) -> tuple[Seat, ...]:
    """The roles a person from this kind of agency can fill, most usual first."""
    return AGENCY_ROLES[AgencyKind(kind)]


def agency_kinds_for_role(role: Seat) -> tuple[AgencyKind, ...]:
    """The kinds of agency whose people can fill ``role``."""
    return tuple(kind for kind, roles in AGENCY_ROLES.items() if Seat(role) in roles)


class MeetingType(StrEnum):
    """The meeting types of issue 4."""

    STRATEGY_DISCUSSION = "strategy_discussion"
    INTER_AGENCY_REFERRAL_DISCUSSION = "inter_agency_referral_discussion"
    STRATEGY_DISCUSSION_NI = "strategy_discussion_ni"
    INITIAL_CHILD_PROTECTION_CONFERENCE = "initial_child_protection_conference"
    PRE_REFERRAL_NRM_MEETING = "pre_referral_nrm_meeting"
    DEVOLVED_NRM_DECISION_PANEL = "devolved_nrm_decision_panel"
    REVIEW = "review"

    @property
    def label(self) -> str:
        """The name staff use inside Convene (never put in an invitation: see ``invitation_label``)."""
        return _TYPE_LABELS[self][0]

    @property
    def invitation_label(self) -> str:
        """A neutral name safe for an invitation title: no words that reveal the concern."""
        return _TYPE_LABELS[self][1]


_TYPE_LABELS = {
    MeetingType.STRATEGY_DISCUSSION: ("Strategy discussion (England and Wales)", "Strategy discussion"),
    MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION: (
        "Inter-agency Referral Discussion (Scotland)",
        "Inter-agency discussion",
    ),
    MeetingType.STRATEGY_DISCUSSION_NI: ("Strategy discussion (Northern Ireland)", "Strategy discussion"),
    MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE: ("Initial child protection conference", "Initial conference"),
    MeetingType.PRE_REFERRAL_NRM_MEETING: ("Pre-referral NRM meeting", "Planning meeting"),
    MeetingType.DEVOLVED_NRM_DECISION_PANEL: ("Devolved NRM decision panel", "Decision panel"),
    MeetingType.REVIEW: ("Review", "Review meeting"),
}


class Circumstance(StrEnum):
    """Facts about a case that add optional roles to a meeting."""

    GUARDIAN_ALLOCATED = "guardian_allocated"
    INTERPRETER_NEEDED = "interpreter_needed"
    IN_EDUCATION = "in_education"
    HOME_OFFICE_INVOLVED = "home_office_involved"
    NRM_REFERRAL_MADE = "nrm_referral_made"
    YOUTH_JUSTICE_INVOLVED = "youth_justice_involved"
    ADVOCATE_ALLOCATED = "advocate_allocated"


@dataclass(frozen=True)
class RoleRequirement:
    """One role at a meeting type, with its defaults.

    ``when`` is ``None`` for a role always listed, or the circumstance that adds it. ``voting`` matters only
    at decision panels.
    """

    role: Seat
    required: bool
    written_submission_allowed: bool
    when: Circumstance | None = None
    voting: bool = True


@dataclass(frozen=True)
class QuorumRule:
    """A meeting is quorate when every role in ``all_of`` attends and at least ``at_least`` of the other
    attending roles are in ``others_from``. A written submission does not count as attending."""

    all_of: frozenset[Seat]
    at_least: int = 0
    others_from: frozenset[Seat] = frozenset()
    description: str = ""

    def missing(self, attending: Iterable[Seat]) -> list[str]:
        """Why the meeting would not be quorate, in words; empty when it is quorate."""
        present = {Seat(role) for role in attending}
        reasons = [f"{role.label} must attend" for role in _ordered(self.all_of - present)]
        others = len((present - self.all_of) & self.others_from)
        if others < self.at_least:
            wanted = self.at_least - others
            noun = "agency" if wanted == 1 else "agencies"
            reasons.append(f"{wanted} more {noun} must attend (at least {self.at_least} besides the required ones)")
        return reasons

    def is_met(self, attending: Iterable[Seat]) -> bool:
        return not self.missing(attending)


@dataclass(frozen=True)
class MeetingTypeSpec:
    """The roles and quorum of one meeting type in one nation, with where the rule comes from."""

    meeting_type: MeetingType
    nation: Nation
    label: str
    roles: tuple[RoleRequirement, ...]
    quorum: QuorumRule
    source: str

    def roles_for(self, circumstances: Collection[Circumstance] = ()) -> tuple[RoleRequirement, ...]:
        """The roles to fill in for a case with these circumstances."""
        present = {Circumstance(c) for c in circumstances}
        return tuple(r for r in self.roles if r.when is None or r.when in present)

    @property
    def required_roles(self) -> frozenset[Seat]:
        return frozenset(r.role for r in self.roles if r.required)


def _ordered(roles: Iterable[Seat]) -> list[Seat]:
    order = list(Seat)
    return sorted(roles, key=order.index)


def _req(role: Seat, *, written: bool = False) -> RoleRequirement:
    return RoleRequirement(role, required=True, written_submission_allowed=written)


def _opt(role: Seat, when: Circumstance | None = None, *, written: bool = True) -> RoleRequirement:
    return RoleRequirement(role, required=False, written_submission_allowed=written, when=when)


# Optional roles added when relevant, common to every multi-agency meeting about a child.
_WHEN_RELEVANT = (
    _opt(Seat.GUARDIAN, Circumstance.GUARDIAN_ALLOCATED),
    _opt(Seat.EDUCATION, Circumstance.IN_EDUCATION),
    _opt(Seat.INTERPRETER, Circumstance.INTERPRETER_NEEDED, written=False),
    _opt(Seat.HOME_OFFICE, Circumstance.HOME_OFFICE_INVOLVED),
    _opt(Seat.SINGLE_COMPETENT_AUTHORITY, Circumstance.NRM_REFERRAL_MADE),
    _opt(Seat.YOUTH_JUSTICE, Circumstance.YOUTH_JUSTICE_INVOLVED),
)

# The child's voice at the meetings the child attends (initial conference and review): Working Together to
# Safeguard Children 2023, chapter 3 (the child is helped to take part in their conference, with an advocate;
# [UNCONFIRMED] paragraph), and s48 Modern Slavery Act 2015 for the ICTG (their seat is in ``_WHEN_RELEVANT``).
# The child is invited by their social worker, never by a Convene invitation (no child identity leaves Convene):
# Convene's own choice.
_CHILD_ATTENDS = (_opt(Seat.ADVOCATE, Circumstance.ADVOCATE_ALLOCATED, written=True),)

#: The meeting is chaired. Convene's own choice (issue 9): the chair is a required seat at every meeting, even where
#: the guidance's quorum does not name one (strategy discussions, WT2023 chapter 3: convened and chaired by
#: children's social care), so a chair is invited like everyone else. The quorum stays the guidance's.
_CHAIR = _req(Seat.CHAIR)

_STATUTORY_THREE = frozenset({Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH})
_CONFERENCE_OTHERS = frozenset(
    {Seat.POLICE, Seat.HEALTH, Seat.EDUCATION, Seat.GUARDIAN, Seat.HOME_OFFICE, Seat.VOLUNTARY_SECTOR}
)
_UK_NATIONS = (Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND)
_WT2023 = "Working Together to Safeguard Children 2023 via local procedures (Buckinghamshire, Devon)"
_WALES = "Wales Safeguarding Procedures C3 Part 1 (safeguarding.wales)"
_SCOT = "National Guidance for Child Protection in Scotland 2021, updated 2023"
_NI = (
    "Co-operating to Safeguard Children and Young People in NI (2017); SBNI Regional Core Child Protection Policies "
    "and Procedures; Protocol for Joint Investigation by Social Workers and Police Officers (2013)"
)
_LOCAL = "[UNCONFIRMED] common local practice: children's social care plus two other agencies"


def _strategy(nation: Nation, meeting_type: MeetingType, source: str) -> MeetingTypeSpec:
    if nation is Nation.WALES:
        roles = (_CHAIR, _req(Seat.SOCIAL_CARE), _req(Seat.POLICE), _opt(Seat.HEALTH, written=True), *_WHEN_RELEVANT)
        quorum = QuorumRule(frozenset({Seat.SOCIAL_CARE, Seat.POLICE}), description="Police and social services")
    elif nation is Nation.NORTHERN_IRELAND:
        # SBNI core procedures and the 2013 joint investigation protocol: social work and PSNI; health where
        # relevant (see the module docstring).
        roles = (_CHAIR, _req(Seat.SOCIAL_CARE), _req(Seat.POLICE), _opt(Seat.HEALTH, written=True), *_WHEN_RELEVANT)
        quorum = QuorumRule(
            frozenset({Seat.SOCIAL_CARE, Seat.POLICE}), description="Social work (HSC Trust) and police (PSNI)"
        )
    else:
        roles = (_CHAIR, _req(Seat.SOCIAL_CARE), _req(Seat.POLICE), _req(Seat.HEALTH), *_WHEN_RELEVANT)
        quorum = QuorumRule(_STATUTORY_THREE, description="Children's social care, police and health")
    return MeetingTypeSpec(meeting_type, nation, meeting_type.label, roles, quorum, source)


def _conference(nation: Nation, meeting_type: MeetingType) -> MeetingTypeSpec:
    roles = (
        _req(Seat.CHAIR),
        _req(Seat.SOCIAL_CARE),
        _req(Seat.POLICE, written=True),
        _req(Seat.HEALTH, written=True),
        *_WHEN_RELEVANT,
        *_CHILD_ATTENDS,
    )
    label = meeting_type.label
    if nation is Nation.SCOTLAND:
        label = "Child protection planning meeting" if meeting_type is not MeetingType.REVIEW else "Review CPPM"
        quorum = QuorumRule(
            frozenset({Seat.CHAIR, Seat.SOCIAL_CARE, Seat.POLICE, Seat.HEALTH}),
            description="Chair, social work, health and police",
        )
        return MeetingTypeSpec(meeting_type, nation, label, roles, quorum, f"{_SCOT}, page 118")
    quorum = QuorumRule(
        frozenset({Seat.CHAIR, Seat.SOCIAL_CARE}),
        at_least=2,
        others_from=_CONFERENCE_OTHERS,
        description="Chair and children's social care, plus at least two other agencies",
    )
    source = {Nation.ENGLAND: _WT2023, Nation.WALES: _WALES, Nation.NORTHERN_IRELAND: _NI}[nation]
    return MeetingTypeSpec(meeting_type, nation, label, roles, quorum, f"{source}; quorum {_LOCAL}")


def _pre_referral(nation: Nation) -> MeetingTypeSpec:
    roles = (
        _CHAIR,
        _req(Seat.SOCIAL_CARE),
        _req(Seat.POLICE),
        _opt(Seat.HEALTH),
        _opt(Seat.GUARDIAN, Circumstance.GUARDIAN_ALLOCATED, written=False),
        *_WHEN_RELEVANT[1:],
    )
    quorum = QuorumRule(frozenset({Seat.SOCIAL_CARE, Seat.POLICE}), description="Children's social care and police")
    return MeetingTypeSpec(
        MeetingType.PRE_REFERRAL_NRM_MEETING,
        nation,
        MeetingType.PRE_REFERRAL_NRM_MEETING.label,
        roles,
        quorum,
        "[UNCONFIRMED] local practice before an NRM referral; first responders are police and social care",
    )


def _panel(nation: Nation) -> MeetingTypeSpec:
    if nation is Nation.SCOTLAND:
        # No ICTG service in Scotland; a Scottish Guardianship Service guardian attends when allocated.
        guardian = RoleRequirement(
            Seat.GUARDIAN,
            required=False,
            written_submission_allowed=True,
            when=Circumstance.GUARDIAN_ALLOCATED,
            voting=False,
        )
        quorum = QuorumRule(
            frozenset({Seat.CHAIR, Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE}),
            description="Voting: local authority, health and police; a guardian (Scottish Guardianship Service) "
            "attends without a vote when one is allocated",
        )
    else:
        guardian = RoleRequirement(Seat.GUARDIAN, required=True, written_submission_allowed=False, voting=False)
        quorum = QuorumRule(
            frozenset({Seat.CHAIR, Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE, Seat.GUARDIAN}),
            description="Voting: local authority, health and police; the guardian (ICTG) attends without a vote",
        )
    roles = (
        _req(Seat.CHAIR),
        _req(Seat.SOCIAL_CARE),
        _req(Seat.HEALTH),
        _req(Seat.POLICE),
        guardian,
        RoleRequirement(Seat.EDUCATION, required=False, written_submission_allowed=True, voting=False),
        RoleRequirement(Seat.VOLUNTARY_SECTOR, required=False, written_submission_allowed=True, voting=False),
        RoleRequirement(Seat.LEGAL, required=False, written_submission_allowed=True, voting=False),
    )
    return MeetingTypeSpec(
        MeetingType.DEVOLVED_NRM_DECISION_PANEL,
        nation,
        MeetingType.DEVOLVED_NRM_DECISION_PANEL.label,
        roles,
        quorum,
        "Home Office devolved decision-making pilot (gov.uk: piloting devolving decision making for child victims "
        "of modern slavery); Bexley panel example; [UNCONFIRMED] formal quorum rule",
    )


def _build_specs() -> dict[tuple[MeetingType, Nation], MeetingTypeSpec]:
    specs: dict[tuple[MeetingType, Nation], MeetingTypeSpec] = {}

    def put(spec: MeetingTypeSpec) -> None:
        specs[(spec.meeting_type, spec.nation)] = spec

    put(_strategy(Nation.ENGLAND, MeetingType.STRATEGY_DISCUSSION, _WT2023))
    put(_strategy(Nation.WALES, MeetingType.STRATEGY_DISCUSSION, _WALES))
    put(_strategy(Nation.SCOTLAND, MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION, f"{_SCOT}, pages 97-100"))
    put(_strategy(Nation.NORTHERN_IRELAND, MeetingType.STRATEGY_DISCUSSION_NI, _NI))
    for nation in _UK_NATIONS:
        put(_conference(nation, MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE))
        put(_conference(nation, MeetingType.REVIEW))
        put(_pre_referral(nation))
    # The devolved pilot covers sites in England, Scotland and Wales, not Northern Ireland.
    for nation in (Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND):
        put(_panel(nation))
    return specs


MEETING_TYPE_SPECS: dict[tuple[MeetingType, Nation], MeetingTypeSpec] = _build_specs()


class MeetingTypeNotUsed(ValueError):
    """The meeting type does not exist in that nation's guidance."""


def types_for_nation(nation: Nation) -> list[MeetingType]:
    """The meeting types a coordinator in ``nation`` can ask for, in the order of issue 4."""
    return [t for t in MeetingType if (t, Nation(nation)) in MEETING_TYPE_SPECS]


def spec_for(meeting_type: MeetingType, nation: Nation) -> MeetingTypeSpec:
    """The roles and quorum of ``meeting_type`` in ``nation``.

    Raises ``MeetingTypeNotUsed`` with a sentence naming the types that nation uses instead.
    """
    key = (MeetingType(meeting_type), Nation(nation))
    try:
        return MEETING_TYPE_SPECS[key]
    except KeyError:
        usable = ", ".join(t.label for t in types_for_nation(key[1]))
        raise MeetingTypeNotUsed(f"A {key[0].label} is not used in {key[1].label}. Choose one of: {usable}.") from None


# --- the devolved decision-making pilot: who is in scope, who may chair ------------------------------------

#: In scope of the pilot: aged 17 or under and more than 100 days from their 18th birthday (Home Office, NRM
#: statistics July to September 2023, annex "analysis of the devolved decision-making pilot for child victims of
#: modern slavery"; gov.uk). Cases leave the pilot if it is unclear whether the person is an adult or a child
#: (pilot guidance, version of 30 June 2023, gov.uk publication "piloting devolving decision making for child
#: victims of modern slavery").
PILOT_DAYS_BEFORE_18 = 100


def eighteenth_birthday(born_on: date) -> date:
    """The day the child turns 18 (a 29 February birthday turns 18 on 1 March in a common year)."""
    try:
        return born_on.replace(year=born_on.year + 18)
    except ValueError:
        return date(born_on.year + 18, 3, 1)


def pilot_scope_problems(
    *, age_disputed: bool, born_on: date | None, estimated_age: int | None, on: date
) -> tuple[list[str], list[str]]:
    """Why a child is outside the devolved pilot on ``on`` (refusals), and what to check (warnings).

    A panel cannot be convened or its decision signed off for a child outside the pilot; the Single Competent
    Authority decides instead.
    """
    refusals: list[str] = []
    warnings: list[str] = []
    sca = "the Single Competent Authority decides instead. Refer the child to the NRM without a panel."
    if age_disputed:
        refusals.append(
            "This child's age is disputed, so the child is outside the devolved decision-making pilot and " + sca
        )
    if born_on is not None:
        turns_18 = eighteenth_birthday(born_on)
        days_left = (turns_18 - on).days
        if days_left <= PILOT_DAYS_BEFORE_18:
            from rules.display import long_date  # here: rules.display -> rules.clock -> this module

            when = long_date(turns_18)
            refusals.append(
                f"The child turns 18 on {when}, {max(days_left, 0)} days from now. The pilot covers children more "
                f"than {PILOT_DAYS_BEFORE_18} days from their 18th birthday, so " + sca
            )
    elif not age_disputed:
        if estimated_age is not None and estimated_age >= 18:
            refusals.append("The child's estimated age is 18 or over, so " + sca)
        elif estimated_age is None or estimated_age >= 17:
            warnings.append(
                "Enter the child's date of birth on the case to check the pilot's age rule: the child must be "
                f"more than {PILOT_DAYS_BEFORE_18} days from their 18th birthday."
            )
    return refusals, warnings


#: The chair of a pilot panel must not be the child's lead social worker, to avoid a conflict of interest
#: (pilot general guidance as summarised at
#: https://yjlc.uk/resources/legal-updates/nrm-move-towards-local-decision-making ).
#: Convene has no "lead social worker" field: it treats the person in the social care seat of the panel as the
#: child's social worker (Convene's own proxy).
CHAIR_IS_LEAD_SOCIAL_WORKER = (
    "The chair must not be the child's lead social worker. Choose a different chair, or a different person for "
    "social care."
)
