"""Attendance and quorum for each meeting type and nation.

Pure: no Flask, no SQLAlchemy. The web layer passes the register as plain `RegisterEntry` values.

The vocabulary (meeting types, roles, nations) and the quorum rule of each meeting type in each nation are
the canonical ones in `rules.vocabulary` (owned by convening, where the sources are cited). This
module adds what a meeting needs on the day: the attendance statuses, who counts, the voting members of a
devolved panel, and a plain sentence for the chair.

Which statuses count towards quorum
-----------------------------------
- ``present_in_room``, ``present_remotely`` and ``deputy_present`` count: a deputy attends with the
  authority to decide for their agency.
- ``written_submission`` does **not** count: the agency's information is before the meeting, but nobody
  from it can take part in the discussion or the decision. It is shown beside the result.
- ``apologies`` does not count.

Devolved decision panel (England, Wales, Scotland only; the pilot has no Northern Ireland sites): the voting
members are the local authority (``social_care``), health and police; the guardian (ICTG) is required but
attends without a vote (the Bexley panel, see ``rules.vocabulary``). Scotland has no ICTG service: a
guardian from the Scottish Guardianship Service attends without a vote when one is allocated, and is not
needed for quorum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rules.vocabulary import MEETING_TYPE_SPECS, MeetingType, MeetingTypeSpec, Nation, Seat

__all__ = [
    "ATTENDANCE_LABELS",
    "COUNTS_TOWARDS_QUORUM",
    "QUORUM_RULES",
    "ROLE_LABELS",
    "AttendanceStatus",
    "MeetingType",
    "Nation",
    "QuorumResult",
    "QuorumRule",
    "RegisterEntry",
    "Seat",
    "UnsupportedMeeting",
    "check_quorum",
    "meeting_types_for",
    "quorum_rule",
]


class AttendanceStatus(StrEnum):
    PRESENT_IN_ROOM = "present_in_room"
    PRESENT_REMOTELY = "present_remotely"
    APOLOGIES = "apologies"
    WRITTEN_SUBMISSION = "written_submission"
    DEPUTY_PRESENT = "deputy_present"

    @property
    def label(self) -> str:
        return ATTENDANCE_LABELS[self]


#: Seat names as they read inside a sentence ("health is not present").
ROLE_LABELS: dict[Seat, str] = {
    Seat.CHAIR: "chair",
    Seat.SOCIAL_CARE: "children's social care",
    Seat.POLICE: "police",
    Seat.HEALTH: "health",
    Seat.HOME_OFFICE: "Home Office",
    Seat.GUARDIAN: "guardian",
    Seat.EDUCATION: "education",
    Seat.INTERPRETER: "interpreter",
    Seat.SINGLE_COMPETENT_AUTHORITY: "Single Competent Authority",
    Seat.VOLUNTARY_SECTOR: "voluntary sector",
    Seat.LEGAL: "legal",
    Seat.YOUTH_JUSTICE: "youth justice",
    Seat.ADVOCATE: "the child's advocate",
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

#: The voting members of a devolved decision panel (the chair conducts the meeting and does not vote).
PANEL_VOTING_ROLES: tuple[Seat, ...] = (Seat.SOCIAL_CARE, Seat.HEALTH, Seat.POLICE)


@dataclass(frozen=True)
class QuorumRule:
    """Who must be present: every role in ``required``, plus ``at_least`` of the attending ``others_from``.

    ``voting`` is empty for meetings that do not vote."""

    required: tuple[Seat, ...]
    at_least: int = 0
    others_from: tuple[Seat, ...] = ()
    voting: tuple[Seat, ...] = ()
    non_voting_required: tuple[Seat, ...] = ()
    description: str = ""


def _ordered(roles: Iterable[Seat]) -> tuple[Seat, ...]:
    wanted = set(roles)
    return tuple(r for r in Seat if r in wanted)


def _rule_from_spec(spec: MeetingTypeSpec) -> QuorumRule:
    quorum = spec.quorum
    voting: tuple[Seat, ...] = ()
    non_voting: tuple[Seat, ...] = ()
    if spec.meeting_type == MeetingType.DEVOLVED_NRM_DECISION_PANEL:
        voting = PANEL_VOTING_ROLES
        non_voting = _ordered(
            r.role for r in spec.roles if not r.voting and (r.role in quorum.all_of or r.role is Seat.GUARDIAN)
        )
    required = tuple(r.role for r in spec.roles if r.role in quorum.all_of)
    required += _ordered(set(quorum.all_of) - set(required))
    return QuorumRule(
        required=required,
        at_least=quorum.at_least,
        others_from=_ordered(quorum.others_from),
        voting=voting,
        non_voting_required=non_voting,
        description=quorum.description,
    )


QUORUM_RULES: dict[tuple[MeetingType, Nation], QuorumRule] = {
    key: _rule_from_spec(spec) for key, spec in MEETING_TYPE_SPECS.items()
}


class UnsupportedMeeting(ValueError):
    """The meeting type is not held in that nation, or a value is not one Convene knows."""


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the attendance register. ``deputy`` names who attended for the agency."""

    role: Seat
    status: AttendanceStatus
    person: str = ""
    deputy: str = ""


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    missing_roles: tuple[Seat, ...]
    message: str
    present_roles: tuple[Seat, ...] = ()
    written_submissions: tuple[Seat, ...] = ()
    voting_members: tuple[Seat, ...] = ()
    non_voting_members: tuple[Seat, ...] = ()
    problems: tuple[str, ...] = field(default=())
    others_short: int = 0


def meeting_types_for(nation: Nation | str) -> tuple[MeetingType, ...]:
    """The meeting types Convene supports in a nation, in the order of `MeetingType`."""
    resolved = _nation(nation)
    return tuple(mt for mt in MeetingType if (mt, resolved) in QUORUM_RULES)


def quorum_rule(meeting_type: MeetingType | str, nation: Nation | str) -> QuorumRule:
    """The rule for a meeting type in a nation; raises `UnsupportedMeeting` with a readable message."""
    mt, nat = _meeting_type(meeting_type), _nation(nation)
    rule = QUORUM_RULES.get((mt, nat))
    if rule is None:
        offered = ", ".join(m.label for m in meeting_types_for(nat))
        raise UnsupportedMeeting(f"A {mt.label} is not held in {nat.label}. Choose one of: {offered}.")
    return rule


def check_quorum(
    meeting_type: MeetingType | str, nation: Nation | str, register: Sequence[RegisterEntry]
) -> QuorumResult:
    """Check the register against the quorum rule. Never raises for an incomplete register."""
    rule = quorum_rule(meeting_type, nation)
    problems = tuple(_entry_problems(register))
    present = _roles_with(register, COUNTS_TOWARDS_QUORUM)
    written = tuple(
        r for r in _ordered(_roles_with(register, {AttendanceStatus.WRITTEN_SUBMISSION})) if r not in present
    )
    missing = tuple(role for role in rule.required if role not in present)
    others = len((present - set(rule.required)) & set(rule.others_from))
    short = max(0, rule.at_least - others)
    voting = tuple(role for role in rule.voting if role in present)
    non_voting = tuple(role for role in rule.non_voting_required if role in present)
    met = not missing and not short
    return QuorumResult(
        met=met,
        missing_roles=missing,
        message=_message(rule, met, missing, short, written, voting, non_voting),
        present_roles=_ordered(present),
        written_submissions=written,
        voting_members=voting,
        non_voting_members=non_voting,
        problems=problems,
        others_short=short,
    )


def _roles_with(register: Iterable[RegisterEntry], statuses: Iterable[AttendanceStatus]) -> set[Seat]:
    wanted = set(statuses)
    return {Seat(entry.role) for entry in register if AttendanceStatus(entry.status) in wanted}


def _entry_problems(register: Iterable[RegisterEntry]) -> Iterable[str]:
    for entry in register:
        if entry.status == AttendanceStatus.DEPUTY_PRESENT and not entry.deputy.strip():
            yield f"Enter the name of the deputy for {ROLE_LABELS[Seat(entry.role)]}"


def _message(
    rule: QuorumRule,
    met: bool,
    missing: tuple[Seat, ...],
    short: int,
    written: tuple[Seat, ...],
    voting: tuple[Seat, ...],
    non_voting: tuple[Seat, ...],
) -> str:
    parts: list[str] = []
    if met:
        who = _join(rule.required)
        if rule.at_least:
            who += f" and at least {rule.at_least} other {'agency' if rule.at_least == 1 else 'agencies'}"
        plural = len(rule.required) > 1 or rule.at_least
        parts.append(f"Quorum is met: {who} {'are' if plural else 'is'} present.")
    else:
        reasons = []
        if missing:
            reasons.append(f"{_join(missing)} {'is' if len(missing) == 1 else 'are'} not present")
        if short:
            noun = "agency" if short == 1 else "agencies"
            reasons.append(f"{short} more {noun} must attend (at least {rule.at_least} besides {_join(rule.required)})")
        parts.append(f"Quorum is not met: {'; '.join(reasons)}.")
    if written:
        noun = "A written submission" if len(written) == 1 else "Written submissions"
        parts.append(f"{noun} from {_join(written)} did not count towards quorum.")
    if rule.voting:
        parts.append(f"Voting members present: {_join(voting) if voting else 'none'}.")
        if non_voting:
            parts.append(f"The {_join(non_voting)} attends without a vote.")
    return " ".join(parts)


def _join(roles: Sequence[Seat]) -> str:
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
