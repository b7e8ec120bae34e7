"""Attendance and quorum for each meeting type and nation.

Pure: no Flask, no SQLAlchemy. The web layer passes the register as plain `RegisterEntry` values.

Which statuses count towards quorum
-----------------------------------
- ``present_in_room``, ``present_remotely`` and ``deputy_present`` count: a deputy attends with the
  authority to decide for their agency.
- ``written_submission`` does **not** count: the agency's information is before the meeting, but nobody
  from it can take part in the discussion or the decision. It is shown beside the result.
- ``apologies`` does not count.

The rules (see ``../shared/reference/domain.md`` section 1 and the devolved panel in section 2):
- England strategy discussion: social care, police and health (WT2023 as restated by local procedures).
- Wales strategy discussion: social care and police (Wales Safeguarding Procedures).
- Scotland IRD: police, social work (``social_care``) and health.
- Northern Ireland strategy discussion: social care (HSC Trust) and police (PSNI), the joint protocol pair.
- ICPC and review conference: social care, police and health in every nation (Scotland's CPPM must include
  all three; elsewhere this is the usual local rule).
- Pre-referral NRM discussion: social care and police (local rule: the two agencies that usually act as
  first responder).
- Devolved decision panel (England, Wales, Scotland only; the pilot has no Northern Ireland sites): voting
  members from the local authority (``social_care``), health and police, and a guardian who attends
  without a vote. The formal quorum rule is unconfirmed; Convene requires all three voting members and the
  guardian, as the Bexley panel describes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class MeetingType(StrEnum):
    STRATEGY_DISCUSSION = "strategy_discussion"
    IRD = "ird"
    STRATEGY_DISCUSSION_NI = "strategy_discussion_ni"
    ICPC = "icpc"
    PRE_REFERRAL_NRM = "pre_referral_nrm"
    DEVOLVED_PANEL = "devolved_panel"
    REVIEW = "review"


class Nation(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


class Role(StrEnum):
    SOCIAL_CARE = "social_care"
    POLICE = "police"
    HEALTH = "health"
    HOME_OFFICE = "home_office"
    GUARDIAN = "guardian"
    EDUCATION = "education"
    INTERPRETER = "interpreter"
    SCA = "sca"
    CHAIR = "chair"


class AttendanceStatus(StrEnum):
    PRESENT_IN_ROOM = "present_in_room"
    PRESENT_REMOTELY = "present_remotely"
    APOLOGIES = "apologies"
    WRITTEN_SUBMISSION = "written_submission"
    DEPUTY_PRESENT = "deputy_present"


MEETING_TYPE_LABELS: dict[MeetingType, str] = {
    MeetingType.STRATEGY_DISCUSSION: "Strategy discussion",
    MeetingType.IRD: "Inter-agency referral discussion (IRD)",
    MeetingType.STRATEGY_DISCUSSION_NI: "Strategy discussion (Northern Ireland)",
    MeetingType.ICPC: "Initial child protection conference",
    MeetingType.PRE_REFERRAL_NRM: "Pre-referral NRM discussion",
    MeetingType.DEVOLVED_PANEL: "Devolved decision panel",
    MeetingType.REVIEW: "Review",
}

NATION_LABELS: dict[Nation, str] = {
    Nation.ENGLAND: "England",
    Nation.WALES: "Wales",
    Nation.SCOTLAND: "Scotland",
    Nation.NORTHERN_IRELAND: "Northern Ireland",
}

ROLE_LABELS: dict[Role, str] = {
    Role.SOCIAL_CARE: "social care",
    Role.POLICE: "police",
    Role.HEALTH: "health",
    Role.HOME_OFFICE: "Home Office",
    Role.GUARDIAN: "guardian",
    Role.EDUCATION: "education",
    Role.INTERPRETER: "interpreter",
    Role.SCA: "Single Competent Authority",
    Role.CHAIR: "chair",
}

ATTENDANCE_LABELS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT_IN_ROOM: "Present in the room",
    AttendanceStatus.PRESENT_REMOTELY: "Present remotely",
    AttendanceStatus.APOLOGIES: "Apologies",
    AttendanceStatus.WRITTEN_SUBMISSION: "Written submission received",
    AttendanceStatus.DEPUTY_PRESENT: "Deputy present",
}

#: Statuses that count as presence for quorum. A written submission does not; a deputy does.
COUNTS_TOWARDS_QUORUM: frozenset[AttendanceStatus] = frozenset(
    {AttendanceStatus.PRESENT_IN_ROOM, AttendanceStatus.PRESENT_REMOTELY, AttendanceStatus.DEPUTY_PRESENT}
)


@dataclass(frozen=True)
class QuorumRule:
    """Who must be present. ``voting`` is empty for meetings that do not vote."""

    required: tuple[Role, ...]
    voting: tuple[Role, ...] = ()
    non_voting_required: tuple[Role, ...] = ()


_SOCIAL_POLICE_HEALTH = QuorumRule(required=(Role.SOCIAL_CARE, Role.POLICE, Role.HEALTH))
_SOCIAL_POLICE = QuorumRule(required=(Role.SOCIAL_CARE, Role.POLICE))
_DEVOLVED_PANEL = QuorumRule(
    required=(Role.SOCIAL_CARE, Role.HEALTH, Role.POLICE, Role.GUARDIAN),
    voting=(Role.SOCIAL_CARE, Role.HEALTH, Role.POLICE),
    non_voting_required=(Role.GUARDIAN,),
)

_PILOT_NATIONS = (Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND)

QUORUM_RULES: dict[tuple[MeetingType, Nation], QuorumRule] = {
    (MeetingType.STRATEGY_DISCUSSION, Nation.ENGLAND): _SOCIAL_POLICE_HEALTH,
    (MeetingType.STRATEGY_DISCUSSION, Nation.WALES): _SOCIAL_POLICE,
    (MeetingType.IRD, Nation.SCOTLAND): _SOCIAL_POLICE_HEALTH,
    (MeetingType.STRATEGY_DISCUSSION_NI, Nation.NORTHERN_IRELAND): _SOCIAL_POLICE,
    **{(MeetingType.ICPC, nation): _SOCIAL_POLICE_HEALTH for nation in Nation},
    **{(MeetingType.REVIEW, nation): _SOCIAL_POLICE_HEALTH for nation in Nation},
    **{(MeetingType.PRE_REFERRAL_NRM, nation): _SOCIAL_POLICE for nation in Nation},
    **{(MeetingType.DEVOLVED_PANEL, nation): _DEVOLVED_PANEL for nation in _PILOT_NATIONS},
}


class UnsupportedMeeting(ValueError):
    """The meeting type is not held in that nation, or a value is not one Convene knows."""


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the attendance register. ``deputy`` names who attended for the agency."""

    role: Role
    status: AttendanceStatus
    person: str = ""
    deputy: str = ""


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    missing_roles: tuple[Role, ...]
    message: str
    present_roles: tuple[Role, ...] = ()
    written_submissions: tuple[Role, ...] = ()
    voting_members: tuple[Role, ...] = ()
    non_voting_members: tuple[Role, ...] = ()
    problems: tuple[str, ...] = field(default=())


def meeting_types_for(nation: Nation | str) -> tuple[MeetingType, ...]:
    """The meeting types Convene supports in a nation, in the order of `MeetingType`."""
    resolved = _nation(nation)
    return tuple(mt for mt in MeetingType if (mt, resolved) in QUORUM_RULES)


def quorum_rule(meeting_type: MeetingType | str, nation: Nation | str) -> QuorumRule:
    """The rule for a meeting type in a nation; raises `UnsupportedMeeting` with a readable message."""
    mt, nat = _meeting_type(meeting_type), _nation(nation)
    rule = QUORUM_RULES.get((mt, nat))
    if rule is None:
        offered = ", ".join(MEETING_TYPE_LABELS[m].lower() for m in meeting_types_for(nat))
        raise UnsupportedMeeting(
            f"A {MEETING_TYPE_LABELS[mt].lower()} is not held in {NATION_LABELS[nat]}. Choose one of: {offered}."
        )
    return rule


def check_quorum(
    meeting_type: MeetingType | str, nation: Nation | str, register: Sequence[RegisterEntry]
) -> QuorumResult:
    """Check the register against the quorum rule. Never raises for an incomplete register."""
    rule = quorum_rule(meeting_type, nation)
    problems = tuple(_entry_problems(register))
    present = _roles_with(register, COUNTS_TOWARDS_QUORUM)
    written = tuple(r for r in _roles_with(register, {AttendanceStatus.WRITTEN_SUBMISSION}) if r not in present)
    missing = tuple(role for role in rule.required if role not in present)
    voting = tuple(role for role in rule.voting if role in present)
    non_voting = tuple(role for role in rule.non_voting_required if role in present)
    met = not missing
    return QuorumResult(
        met=met,
        missing_roles=missing,
        message=_message(rule, met, missing, written, voting, non_voting),
        present_roles=tuple(role for role in Role if role in present),
        written_submissions=written,
        voting_members=voting,
        non_voting_members=non_voting,
        problems=problems,
    )


def _roles_with(register: Iterable[RegisterEntry], statuses: Iterable[AttendanceStatus]) -> set[Role]:
    wanted = set(statuses)
    return {Role(entry.role) for entry in register if AttendanceStatus(entry.status) in wanted}


def _entry_problems(register: Iterable[RegisterEntry]) -> Iterable[str]:
    for entry in register:
        if entry.status == AttendanceStatus.DEPUTY_PRESENT and not entry.deputy.strip():
            yield f"Enter the name of the deputy for {ROLE_LABELS[Role(entry.role)]}"


def _message(
    rule: QuorumRule,
    met: bool,
    missing: tuple[Role, ...],
    written: tuple[Role, ...],
    voting: tuple[Role, ...],
    non_voting: tuple[Role, ...],
) -> str:
    parts: list[str] = []
    if met:
        parts.append(f"Quorum is met: {_join(rule.required)} {'is' if len(rule.required) == 1 else 'are'} present.")
    else:
        verb = "is" if len(missing) == 1 else "are"
        parts.append(f"Quorum is not met: {_join(missing)} {verb} not present.")
    if written:
        noun = "A written submission" if len(written) == 1 else "Written submissions"
        parts.append(f"{noun} from {_join(written)} did not count towards quorum.")
    if rule.voting:
        parts.append(f"Voting members present: {_join(voting) if voting else 'none'}.")
        if non_voting:
            parts.append(f"The {_join(non_voting)} attends without a vote.")
    return " ".join(parts)


def _join(roles: Sequence[Role]) -> str:
    labels = [ROLE_LABELS[r] for r in roles]
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def _meeting_type(value: MeetingType | str) -> MeetingType:
    try:
        return MeetingType(value)
    except ValueError:
        known = ", ".join(m.value for m in MeetingType)
        raise UnsupportedMeeting(f"Unknown meeting type {value!r}. Use one of: {known}.") from None


def _nation(value: Nation | str) -> Nation:
    try:
        return Nation(value)
    except ValueError:
        known = ", ".join(n.value for n in Nation)
        raise UnsupportedMeeting(f"Unknown nation {value!r}. Use one of: {known}.") from None
