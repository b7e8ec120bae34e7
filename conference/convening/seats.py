"""The seats of a meeting (issue 9): candidates for each seat from the directory, the chair, the interpreter for the
child's language, and the coordinator adding or removing a seat.

A seat's candidates come from the agencies serving the case's area, including people elsewhere who also serve it
(a shared Home Office team, the Single Competent Authority). Only people tagged to chair are candidates for the
chair's seat; only interpreters who speak the child's language for the interpreter's seat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.involvement import find_agencies_serving
from conference.cases.models import Case
from conference.convening import availability
from conference.convening import request as convening_request  # a module: request.py imports this one too
from conference.convening.models import Conference, ConferenceRole, ConferenceStatus
from conference.convening.services import ConveningError, forget_options
from conference.directory.models import Agency, Person
from conference.extensions import db
from rules.vocabulary import Seat, agency_kinds_for_role

#: Languages that need no interpreter at a meeting held in English. Convene's own choice.
NO_INTERPRETER_NEEDED = frozenset({"english"})


class SeatError(ConveningError):
    """A seat change that cannot be made; ``field`` is the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def child_languages(text: str) -> list[str]:
    """The languages the child needs interpreting, from the case's free text ("Vietnamese, some English")."""
    found: list[str] = []
    for part in re.split(r"[,;/]|\band\b", text):
        words = re.sub(r"\b(some|a little|basic|fluent|mainly)\b", " ", part, flags=re.IGNORECASE).split()
        language = " ".join(words).strip(" .")
        seen = {f.casefold() for f in found}
        if language and language.casefold() not in NO_INTERPRETER_NEEDED and language.casefold() not in seen:
            found.append(language)
    return found


def speaks(person: Person, languages: Iterable[str]) -> bool:
    spoken = {language.casefold() for language in (person.languages or [])}
    return any(language.casefold() in spoken for language in languages)


def _fits(role: Seat, case: Case, people: list[Person]) -> list[Person]:
    if role is Seat.CHAIR:
        people = [p for p in people if availability.CHAIR_TAGS & set(p.role_tags or [])]
    if role is Seat.INTERPRETER:
        wanted = child_languages(case.languages)
        if wanted:
            people = [p for p in people if speaks(p, wanted)]
    return people


def find_seat_candidates(role: Seat, case: Case) -> list[Person]:
    """The directory's candidates for ``role`` at a meeting about ``case``, primary first."""
    return _fits(role, case, availability.find_candidates(role, case.local_authority))


def find_people_elsewhere(role: Seat, case: Case) -> list[Person]:
    """People in other areas who could take the seat (the coordinator may add one), on the same terms."""
    return _fits(role, case, availability.find_people_elsewhere(role, case.local_authority))


def seat_explanation(seat: ConferenceRole, case: Case) -> str:
    """Why a seat has the candidates it has, when the coordinator needs to know; empty otherwise."""
    role = Seat(seat.role)
    if role is Seat.INTERPRETER:
        wanted = child_languages(case.languages)
        if not wanted:
            return (
                "The case does not say which language the child speaks, so every interpreter is listed. "
                "Check that the person you choose speaks the child's language."
            )
        languages = " or ".join(wanted)
        if not seat.candidate_ids:
            return (
                f"No interpreter in the directory speaks {languages}. Book one through your interpreting service "
                "and ask whoever manages the directory to add them with their languages, or add one from another "
                "area below."
            )
        return f"Interpreters who speak {languages}, the child's language."
    if role is Seat.CHAIR:
        if not seat.candidate_ids:
            return (
                "Nobody in the directory may chair meetings for this area. Ask whoever manages the directory to "
                "tag a manager as able to chair."
            )
        return "Only people who may chair are listed."
    return ""


def find_agencies_for_role(role: Seat, case: Case) -> list[Agency]:
    """Agencies serving the case's area whose people can take ``role``."""
    kinds = set(agency_kinds_for_role(role))
    return [a for a in find_agencies_serving(case.local_authority) if a.kind in kinds]


def seats_to_add(conference: Conference) -> list[Seat]:
    """The seats the meeting does not have yet."""
    present = {Seat(s.role) for s in conference.roles}
    return [role for role in Seat if role not in present]


def _draft(conference: Conference) -> None:
    if conference.status is not ConferenceStatus.DRAFT:
        raise ConveningError("The invitations for this meeting have been sent. Use the meeting page to change it.")


def add_seat(user: User, conference: Conference, role_value: str, agency_value: str, required: bool) -> ConferenceRole:
    """Add a seat (a role, and optionally the agency to fill it from) with candidates from the directory."""
    _draft(conference)
    try:
        role = Seat(role_value)
    except ValueError:
        raise SeatError("seat-role", "Select the role of the new seat") from None
    if role not in seats_to_add(conference):
        raise SeatError("seat-role", f"There is already a seat for {role.label}. Add people to it instead.")
    case = conference.case
    candidates = find_seat_candidates(role, case)
    agency: Agency | None = None
    if agency_value:
        agency = next((a for a in find_agencies_for_role(role, case) if str(a.id) == agency_value), None)
        if agency is None:
            raise SeatError("seat-agency", f"Select an agency that can fill the {role.label} seat, or 'Any agency'")
        candidates = [p for p in candidates if p.agency_id == agency.id]
    seat = ConferenceRole(
        conference_id=conference.id,
        role=role,
        required=required,
        written_submission_allowed=not required and role is not Seat.INTERPRETER,
        position=max((s.position for s in conference.roles), default=-1) + 1,
        candidate_ids=[str(p.id) for p in candidates],
    )
    db.session.add(seat)
    conference.roles.append(seat)
    forget_options(conference)
    record_event(
        db.session,
        "conference.seat.add",
        object_type="conference",
        object_id=conference.id,
        detail={"role": role.value, "agency_id": str(agency.id) if agency else None, "required": required},
        actor=user,
    )
    return seat


def remove_seat(
    user: User, conference: Conference, seat: ConferenceRole, changes: Iterable[convening_request.SeatChange] = ()
) -> Seat:
    """Remove an optional seat, after the page's other changes (required or optional, written submissions).

    A required seat cannot be removed: the coordinator makes it optional first, in the same form."""
    _draft(conference)
    convening_request.update_roles(user, conference, changes)
    role = Seat(seat.role)
    if seat.required:
        raise SeatError(
            f"required-{seat.id}", f"{role.label} is required, so it cannot be removed. Choose 'Optional' first."
        )
    conference.roles.remove(seat)
    db.session.delete(seat)
    forget_options(conference)
    record_event(
        db.session,
        "conference.seat.remove",
        object_type="conference",
        object_id=conference.id,
        detail={"role": role.value},
        actor=user,
    )
    return role
