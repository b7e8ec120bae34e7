"""Three months of Northbridge history for the demo area, and realistic data for the benchmarks.

``load_history`` adds, dated back from ``today``: about 25 cases (some closed), about 40 held meetings of
every type England uses (strategy discussions, pre-referral NRM meetings, initial child protection
conferences, devolved NRM decision panels, reviews), a few meetings still to come, invitations answered at
realistic delays, and through ``decisions.demo_history`` the chairs' signed records (attendance, amendments
as new versions, actions, some overdue) and NRM referrals with their decisions (some late).

Each agency has its own habits, so the engagement report tells a story: the police answer within hours and
often join remotely, health often sends a deputy, the Home Office mostly sends a written submission,
education answers slowly and sometimes does not come.

Everything is fictional and deterministic for a given date (``random.Random(today.isoformat())``); it is
idempotent (a second load finds the first history meeting and adds nothing); ``cases`` scales it (the
benchmarks ask for hundreds). Inserts go straight to the models in one transaction, as a history has no
users clicking through it; the values follow what the services would have written.

Why this module is long: it writes a consistent three-month history (cases, meetings of every type, invitations
answered at each agency's habitual delay) whose parts depend on each other's ids and dates and on one seeded
random stream, so that the same date always gives the same history; split, the stream and the cross-references
would have to be threaded through several modules. The decisions' part already lives in
``decisions/demo_history.py``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.models import (
    Case,
    CaseAgency,
    CaseEvent,
    CaseReferenceCounter,
    CaseStatus,
    Gender,
    MissingRisk,
)
from conference.convening.invitation_models import ConferenceArrangement, ReplyRecord
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.directory.models import Agency, LocalAuthority, Person
from conference.extensions import db
from conference.invitations.replies import ReplyOutcome
from rules.clock import LONDON
from rules.vocabulary import AgencyKind, Circumstance, MeetingType, Seat, agency_kinds_for_role, spec_for

FIRST_NUMBER = 5  # the demo's own cases are 0001 to 0004
DEFAULT_CASES = 25
COORDINATOR_EMAIL = "casey.quill@northbridge.example"
CHAIR_EMAIL = "morgan.larkspur@northbridge.example"


class Summary(Protocol):
    def bump(self, kind: str) -> None: ...


# --- who each agency is: how it answers and attends -----------------------------------------------------

# Outcomes: accept_room, accept_remote, deputy, written, declined, no_show (accepted, did not come).
HABITS: dict[Seat, tuple[tuple[str, int], ...]] = {
    Seat.CHAIR: (("accept_room", 9), ("accept_remote", 1)),
    Seat.SOCIAL_CARE: (("accept_room", 7), ("accept_remote", 3)),
    Seat.POLICE: (("accept_remote", 5), ("accept_room", 4), ("no_show", 1)),
    Seat.HEALTH: (("deputy", 4), ("accept_remote", 3), ("written", 2), ("no_show", 1)),
    Seat.HOME_OFFICE: (("written", 6), ("accept_remote", 3), ("declined", 1)),
    Seat.GUARDIAN: (("accept_remote", 6), ("accept_room", 3), ("no_show", 1)),
    Seat.EDUCATION: (("accept_room", 4), ("written", 2), ("declined", 2), ("no_show", 2)),
    Seat.INTERPRETER: (("accept_remote", 7), ("accept_room", 3)),
    Seat.SINGLE_COMPETENT_AUTHORITY: (("written", 7), ("accept_remote", 3)),
    Seat.VOLUNTARY_SECTOR: (("accept_room", 5), ("written", 3), ("no_show", 2)),
    Seat.LEGAL: (("accept_remote", 5), ("written", 3), ("declined", 2)),
}
# Hours from the invitation to the answer (low, high) for a meeting at least two days away.
REPLY_HOURS: dict[Seat, tuple[float, float]] = {
    Seat.CHAIR: (0.1, 1.0),
    Seat.SOCIAL_CARE: (0.2, 3.0),
    Seat.POLICE: (0.3, 4.0),
    Seat.HEALTH: (3.0, 26.0),
    Seat.HOME_OFFICE: (10.0, 52.0),
    Seat.GUARDIAN: (1.0, 8.0),
    Seat.EDUCATION: (8.0, 70.0),
    Seat.INTERPRETER: (0.5, 6.0),
    Seat.SINGLE_COMPETENT_AUTHORITY: (20.0, 60.0),
    Seat.VOLUNTARY_SECTOR: (2.0, 30.0),
    Seat.LEGAL: (4.0, 40.0),
}

FIRST_NAMES = (
    "Anh",
    "Besnik",
    "Dawit",
    "Leila",
    "Tyler",
    "Arben",
    "Hoa",
    "Semhar",
    "Kwame",
    "Daniela",
    "Ionut",
    "Mia",
    "Thanh",
    "Yonas",
    "Kai",
    "Rezart",
    "Chloe",
    "Abdi",
    "Linh",
    "Ardit",
    "Nia",
    "Omar",
    "Sara",
    "Duc",
    "Ellie",
)
SURNAMES = (
    "Nguyen",
    "Krasniqi",
    "Haile",
    "Rahimi",
    "Booth",
    "Gashi",
    "Pham",
    "Mehari",
    "Mensah",
    "Popescu",
    "Ionescu",
    "Clarke",
    "Le",
    "Tekle",
    "Okafor",
    "Berisha",
    "Walsh",
    "Farah",
    "Vu",
    "Hoxha",
    "Reid",
    "Haddad",
    "Ali",
)
ORIGINS = (  # nationality, languages, interpreter needed, Home Office involved
    ("Vietnamese", "Vietnamese", True, True),
    ("Albanian", "Albanian, some English", True, True),
    ("Eritrean", "Tigrinya", True, True),
    ("British", "English", False, False),
    ("British", "English", False, False),
    ("Romanian", "Romanian, English", False, True),
    ("Sudanese", "Arabic", True, True),
    ("British", "English", False, False),
)
STORIES = (
    "Found working in a nail bar during a police visit.",
    "Stopped on a train with cash and two phones; county lines concern.",
    "Arrived in a lorry at the port with no adult.",
    "Reported missing three times in a month; seen with older men.",
    "Found at a cannabis farm raid.",
    "Disclosed to a teacher that she owes money to the people who brought her here.",
    "Picked up by police in another county, far from home.",
)
INFORMATION = {
    Seat.SOCIAL_CARE: "Known to children's services since the referral; placed in foster care.",
    Seat.POLICE: "Intelligence links the address to organised exploitation; enquiries continue.",
    Seat.HEALTH: "Seen in the emergency department; injuries consistent with the account given.",
    Seat.HOME_OFFICE: "Immigration history checked; claim for asylum lodged.",
    Seat.GUARDIAN: "Guardian allocated and has met the child with an interpreter.",
    Seat.EDUCATION: "Attendance dropped sharply over the last term.",
    Seat.VOLUNTARY_SECTOR: "The refuge has offered a keyworker.",
    Seat.LEGAL: "Solicitor instructed on the immigration claim.",
    Seat.SINGLE_COMPETENT_AUTHORITY: "The competent authority has the referral and the minutes.",
}
ACTIONS = (
    (Seat.SOCIAL_CARE, "Complete the child and family assessment"),
    (Seat.POLICE, "Visit the address and record what is found"),
    (Seat.HEALTH, "Arrange a full health assessment"),
    (Seat.SOCIAL_CARE, "Share the safety plan with the foster carer"),
    (Seat.EDUCATION, "Find a school place and tell the virtual school"),
    (Seat.POLICE, "Add the child to the missing persons watch list"),
    (Seat.HOME_OFFICE, "Confirm the immigration status in writing"),
    (Seat.GUARDIAN, "Explain the NRM to the child with an interpreter"),
)
AMENDMENTS = (
    "The police information was updated after the visit.",
    "A health action was missing from the plan.",
    "The child's views were added after the guardian's visit.",
)


@dataclass
class PlannedSeat:
    role: Seat
    person: Person
    agency: Agency
    outcome: str
    written_allowed: bool
    deputy: Person | None = None


@dataclass
class MeetingPlan:
    case: Case
    meeting_type: MeetingType
    start_at: datetime
    status: ConferenceStatus
    seats: list[PlannedSeat] = field(default_factory=list)
    outcome: dict[str, Any] = field(default_factory=dict)


class Directory:
    """The people the history invites, by the role they can fill (read once)."""

    def __init__(self, area: LocalAuthority) -> None:
        rows = db.session.execute(
            select(Person, Agency)
            .join(Agency, Agency.id == Person.agency_id)
            .where(Agency.local_authority_id == area.id)
            .order_by(Person.email)
        ).all()
        self.by_kind: dict[AgencyKind, list[tuple[Person, Agency]]] = {}
        for person, agency in rows:
            self.by_kind.setdefault(AgencyKind(agency.kind), []).append((person, agency))
        self.chairs = [
            (p, a) for p, a in self.by_kind.get(AgencyKind.CHILDREN_SOCIAL_CARE, []) if "may_chair" in p.role_tags
        ]

    def candidates(self, role: Seat) -> list[tuple[Person, Agency]]:
        if role is Seat.CHAIR:
            return self.chairs
        found: list[tuple[Person, Agency]] = []
        for kind in agency_kinds_for_role(role):
            found += [
                (p, a)
                for p, a in self.by_kind.get(kind, [])
                if not p.on_call  # the duty staff cover emergencies, not planned meetings
                and (kind is not AgencyKind.CHILDREN_SOCIAL_CARE or "social_worker" in p.role_tags)
            ]
        return found


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def history_exists(batch: str = "H") -> bool:
    first = select(Conference.id).where(Conference.reference == _meeting_reference(batch, 1))
    return db.session.scalars(first).first() is not None


def _meeting_reference(batch: str, number: int) -> str:
    return f"MTG-{batch}{number:04d}"


def load_history(
    area: LocalAuthority,
    today: date,
    summary: Summary | None = None,
    *,
    cases: int = DEFAULT_CASES,
    batch: str = "H",
    first_number: int = FIRST_NUMBER,
) -> dict[str, int]:
    """Add the history once (see the module's docstring). Returns what it created, by kind.

    The benchmarks add a second, larger history beside the demo's: another ``batch`` letter for its meeting
    references, and case numbers from ``first_number`` on.
    """
    created: dict[str, int] = {}
    if history_exists(batch):
        return created
    builder = _Builder(area, today, random.Random(f"{today.isoformat()}{'' if batch == 'H' else batch}"), cases)
    builder.batch, builder.first_number = batch, first_number
    builder.build()
    created = builder.created
    if summary is not None:
        for kind, count in created.items():
            for _ in range(count):
                summary.bump(kind)
    record_event(db.session, "demo.history", detail=dict(created))
    return created


class _Builder:
    def __init__(self, area: LocalAuthority, today: date, rng: random.Random, cases: int) -> None:
        self.area, self.today, self.rng, self.size = area, today, rng, cases
        # The start of the day, not the clock: the history is the same whenever on that day it is loaded.
        self.now = datetime.combine(today, time(), LONDON).astimezone(UTC)
        self.directory = Directory(area)
        self.coordinator = db.session.scalars(select(User).where(User.email == COORDINATOR_EMAIL)).first()
        self.chair_user = db.session.scalars(select(User).where(User.email == CHAIR_EMAIL)).first()
        self.created: dict[str, int] = {}
        self.meeting_number = 0
        self.reference_numbers: dict[int, int] = {}
        self.case_info: dict[uuid.UUID, dict[str, Any]] = {}
        self.agencies_by_case: dict[uuid.UUID, set[uuid.UUID]] = {}
        self.cases: list[Case] = []
        self.batch, self.first_number = "H", FIRST_NUMBER
        self.signed_count = 0
        self.past_due: list[Any] = []  # actions due before today, done or not (decisions.demo_history)

    def bump(self, kind: str, count: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + count

    def build(self) -> None:
        from decisions import demo_history as decided

        span = 88
        held: list[tuple[Conference, MeetingPlan]] = []
        for index in range(self.size):
            # Older cases first, spread over the three months; the last few are days old.
            days_back = max(2, span - (index * span) // max(self.size, 1) - self.rng.randint(0, 2))
            case = self._case(index, days_back)
            for plan in self._meetings(case, days_back):
                conference = self._conference(plan)
                if plan.status is ConferenceStatus.HELD:
                    held.append((conference, plan))
            if case.status is CaseStatus.CLOSED:
                closed_at = _at(self.today - timedelta(days=self.rng.randint(1, 10)), 16)
                db.session.add(
                    CaseEvent(
                        case_id=case.id,
                        occurred_at=closed_at,
                        kind="closed",
                        summary="Case closed: the plan's actions are complete",
                    )
                )
        # The two most recent meetings wait for the chair's sign-off; every other one was signed off.
        held.sort(key=lambda pair: (pair[1].start_at, pair[0].reference))
        for position, (conference, plan) in enumerate(held):
            decided.record_history(conference, plan, self, signed=position < len(held) - 2)
        decided.make_some_overdue(self)
        decided.record_referrals(self)
        for year, last in self.reference_numbers.items():
            counter = db.session.scalars(
                select(CaseReferenceCounter).where(
                    CaseReferenceCounter.local_authority_id == self.area.id, CaseReferenceCounter.year == year
                )
            ).first()
            if counter is None:
                db.session.add(CaseReferenceCounter(local_authority_id=self.area.id, year=year, last_number=last))
            else:
                counter.last_number = max(counter.last_number, last)
        db.session.flush()

    # --- cases --------------------------------------------------------------------------------------------

    def _case(self, index: int, days_back: int) -> Case:
        rng = self.rng
        identified_at = _at(self.today - timedelta(days=days_back), rng.randint(7, 20), rng.choice((0, 15, 30, 45)))
        number = self.first_number + index
        year = identified_at.astimezone(LONDON).year
        self.reference_numbers[year] = max(self.reference_numbers.get(year, 0), number)
        nationality, languages, interpreter, home_office = rng.choice(ORIGINS)
        closed = days_back > 45 and rng.random() < 0.55
        case = Case(
            reference=f"{self.area.code}-{year}-{number:04d}",
            local_authority_id=self.area.id,
            nation=self.area.nation,
            child_first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            child_last_name=f"Demo-{SURNAMES[(index * 7) % len(SURNAMES)]}",
            child_estimated_age=rng.randint(13, 17),
            age_disputed=home_office and rng.random() < 0.3,
            gender=rng.choice((Gender.FEMALE, Gender.MALE, Gender.MALE)),
            nationality=nationality,
            languages=languages,
            interpreter_needed=interpreter,
            identified_at=identified_at,
            missing_risk=rng.choice(list(MissingRisk)),
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
            created_by_id=self.coordinator.id if self.coordinator else None,
            created_at=identified_at + timedelta(minutes=20),
        )
        db.session.add(case)
        db.session.flush()
        db.session.add(
            CaseEvent(
                case_id=case.id,
                occurred_at=identified_at,
                kind="identified",
                summary="Child identified as possibly trafficked",
            )
        )
        db.session.add(
            CaseEvent(
                case_id=case.id,
                occurred_at=identified_at + timedelta(minutes=40),
                kind="note",
                summary=rng.choice(STORIES),
            )
        )
        self.bump("past cases")
        story = (index * 3) % 8  # which meetings the case needs (see _meetings), spread over the months
        case_info: dict[str, Any] = {
            "home_office": home_office,
            "story": story,
            "trafficking": story in (1, 2, 3, 4, 6),
        }
        self.case_info[case.id] = case_info
        self.cases.append(case)
        return case

    def circumstances(self, case: Case, referral_made: bool) -> set[Circumstance]:
        info = self.case_info[case.id]
        found = {Circumstance.IN_EDUCATION}
        if case.interpreter_needed:
            found.add(Circumstance.INTERPRETER_NEEDED)
        if info["home_office"]:
            found.add(Circumstance.HOME_OFFICE_INVOLVED)
        if info["trafficking"]:
            found.add(Circumstance.GUARDIAN_ALLOCATED)
        if referral_made:
            found.add(Circumstance.NRM_REFERRAL_MADE)
        return found

    # --- meetings -----------------------------------------------------------------------------------------

    def _meetings(self, case: Case, days_back: int) -> list[MeetingPlan]:  # noqa: C901 (one branch per story)
        """The meetings a case had: a strategy discussion, then what its story needed.

        Stories: 0 and 5 other concerns, 7 more information needed (a review), 1 to 4 and 6 trafficking (1 with
        a pre-referral meeting, 2 and 6 with a devolved panel, 3 and 6 with a conference, 3 also a review).
        The newest cases have a conference coming up.
        """
        rng, info = self.rng, self.case_info[case.id]
        story = info["story"]
        start = self.today - timedelta(days=days_back)
        plans: list[MeetingPlan] = []

        def add(meeting_type: MeetingType, on: date, hour: int, referral_made: bool) -> MeetingPlan | None:
            on = _weekday(on)
            start_at = _at(on, hour)
            if on == self.today:
                return None
            if on > self.today:
                if on > self.today + timedelta(days=12) or case.status is CaseStatus.CLOSED:
                    return None
                status = ConferenceStatus.INVITED
            else:
                status = ConferenceStatus.HELD
            plan = MeetingPlan(case, meeting_type, start_at, status)
            plan.seats = self._seats(case, meeting_type, referral_made)
            plans.append(plan)
            return plan

        strategy = add(
            MeetingType.STRATEGY_DISCUSSION, start + timedelta(days=rng.randint(0, 1)), rng.choice((10, 14, 16)), False
        )
        if strategy is not None:
            strategy.outcome = {
                "outcome": "trafficking_concern"
                if info["trafficking"]
                else "more_information_needed"
                if story == 7
                else "no_trafficking_other_concerns"
            }
        if info["trafficking"]:
            referral_on = _weekday(start + timedelta(days=rng.randint(1, 3)))
            if story == 1:
                add(MeetingType.PRE_REFERRAL_NRM_MEETING, referral_on, 11, False)
            info["referred_on"] = referral_on if referral_on < self.today else None
            if info["referred_on"] is not None and story in (2, 6):
                # The devolved panel decides reasonable grounds: usually within 5 working days, sometimes not.
                late = rng.random() < 0.3
                panel_on = referral_on + timedelta(days=rng.randint(9, 14) if late else rng.randint(3, 6))
                panel = add(MeetingType.DEVOLVED_NRM_DECISION_PANEL, panel_on, 13, True)
                if panel is not None:
                    positive = rng.random() < 0.85
                    panel.outcome = {
                        "stage": "reasonable_grounds",
                        "outcome": "rg_positive" if positive else "rg_negative",
                    }
        if story in (3, 6):
            icpc = add(
                MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
                start + timedelta(days=rng.randint(10, 15)),
                10,
                bool(info.get("referred_on")),
            )
            if icpc is not None:
                plan_needed = rng.random() < 0.8
                icpc.outcome = {"outcome": "child_protection_plan" if plan_needed else "no_child_protection_plan"}
                if days_back > 50 and story == 3:
                    review = add(
                        MeetingType.REVIEW,
                        start + timedelta(days=rng.randint(40, 50)),
                        14,
                        bool(info.get("referred_on")),
                    )
                    if review is not None:
                        review.outcome = {"outcome": rng.choice(("continue_plan", "continue_plan", "end_plan"))}
        elif story == 7:
            review = add(MeetingType.REVIEW, start + timedelta(days=rng.randint(6, 12)), 15, False)
            if review is not None:
                review.outcome = {"outcome": "continue_plan"}
        if days_back <= 12 and not any(p.status is ConferenceStatus.INVITED for p in plans):
            # The newest cases have a conference coming up, some answers already in.
            add(
                MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
                self.today + timedelta(days=rng.randint(2, 8)),
                10,
                bool(info.get("referred_on")),
            )
        return plans

    def _seats(self, case: Case, meeting_type: MeetingType, referral_made: bool) -> list[PlannedSeat]:
        rng = self.rng
        spec = spec_for(meeting_type, case.nation)
        seats: list[PlannedSeat] = []
        for requirement in spec.roles_for(self.circumstances(case, referral_made)):
            if not requirement.required and requirement.when is None and rng.random() < 0.4:
                continue  # an optional seat (voluntary sector, legal) not always asked for
            people = self.directory.candidates(requirement.role)
            if requirement.role is Seat.INTERPRETER:
                wanted = {"Vietnamese": "vi", "Albanian": "sq", "Eritrean": "ti"}.get(case.nationality)
                people = [(p, a) for p, a in people if wanted in p.role_tags] or people
            if not people:
                continue
            person, agency = rng.choice(people)
            outcome = _weighted(rng, HABITS[requirement.role])
            if outcome == "written" and not requirement.written_submission_allowed:
                outcome = "accept_remote"
            seat = PlannedSeat(requirement.role, person, agency, outcome, requirement.written_submission_allowed)
            if outcome == "deputy":
                others = [p for p, a in people if p.id != person.id and a.id == agency.id]
                if others:
                    seat.deputy = rng.choice(others)
                else:
                    seat.outcome = "accept_remote"
            seats.append(seat)
        return seats

    def _conference(self, plan: MeetingPlan) -> Conference:
        rng = self.rng
        self.meeting_number += 1
        number = self.meeting_number
        urgent = plan.meeting_type in (MeetingType.STRATEGY_DISCUSSION, MeetingType.PRE_REFERRAL_NRM_MEETING)
        lead = timedelta(hours=rng.randint(3, 20)) if urgent else timedelta(days=rng.randint(3, 8))
        invited_at = plan.start_at - lead
        duration = 60 if urgent else 90
        chair = next((s.person for s in plan.seats if s.role is Seat.CHAIR), None)
        if chair is None and self.directory.chairs:
            chair = rng.choice(self.directory.chairs)[0]
        conference = Conference(
            case_id=plan.case.id,
            reference=_meeting_reference(self.batch, number),
            meeting_type=plan.meeting_type,
            nation=plan.case.nation,
            status=plan.status,
            earliest_start_at=invited_at,
            deadline_at=plan.start_at + timedelta(hours=4),
            duration_minutes=duration,
            start_at=plan.start_at,
            end_at=plan.start_at + timedelta(minutes=duration),
            venue=rng.choice(("Northbridge MASH", "Room 4, Northbridge Civic Centre", "Microsoft Teams")),
            ical_uid=f"history-{self.batch}{number}-{plan.start_at:%Y%m%d}@convene.example",
            ical_sequence=0,
            chair_person_id=chair.id if chair else None,
            created_by_id=self.coordinator.id if self.coordinator else None,
            created_at=invited_at - timedelta(minutes=30),
        )
        db.session.add(conference)
        db.session.flush()
        db.session.add(
            ConferenceArrangement(
                conference_id=conference.id,
                window_basis="Arranged from the demo history",
                solved_at=invited_at,
                chosen_start_at=plan.start_at,
                chosen_end_at=conference.end_at,
                reply_cutoff_at=plan.start_at - min(lead / 2, timedelta(hours=24)),
                organiser_name="Casey Quill",
            )
        )
        self.bump("past meetings" if plan.status is ConferenceStatus.HELD else "upcoming meetings")
        for position, seat in enumerate(plan.seats):
            self._invite(conference, plan, seat, position, invited_at)
        label = plan.meeting_type.label
        if plan.status is ConferenceStatus.HELD:
            db.session.add(
                CaseEvent(
                    case_id=plan.case.id,
                    occurred_at=conference.end_at or plan.start_at,
                    kind="conference",
                    summary=f"{label} {conference.reference} held",
                )
            )
        else:
            db.session.add(
                CaseEvent(
                    case_id=plan.case.id,
                    occurred_at=invited_at,
                    kind="conference",
                    summary=f"Invitations sent for {label.lower()} {conference.reference}",
                )
            )
        for agency_id in {s.agency.id for s in plan.seats} - self._case_agencies(plan.case):
            db.session.add(CaseAgency(case_id=plan.case.id, agency_id=agency_id, added_at=invited_at))
            self.agencies_by_case.setdefault(plan.case.id, set()).add(agency_id)
        return conference

    def _case_agencies(self, case: Case) -> set[uuid.UUID]:
        return self.agencies_by_case.setdefault(case.id, set())

    def _reply_delay(self, role: Seat, lead: timedelta) -> timedelta:
        low, high = REPLY_HOURS[role]
        hours = self.rng.uniform(low, high)
        # Nobody answers after the meeting: short notice squeezes everyone's answer.
        return min(timedelta(hours=hours), lead * self.rng.uniform(0.3, 0.9))

    def _invite(
        self, conference: Conference, plan: MeetingPlan, seat: PlannedSeat, position: int, invited_at: datetime
    ) -> None:
        seat_row = ConferenceRole(
            conference_id=conference.id,
            role=seat.role,
            position=position,
            required=seat.role in spec_for(plan.meeting_type, plan.case.nation).required_roles,
            written_submission_allowed=seat.written_allowed,
            candidate_ids=[str(seat.person.id)] + ([str(seat.deputy.id)] if seat.deputy else []),
        )
        db.session.add(seat_row)
        db.session.flush()
        lead = plan.start_at - invited_at
        upcoming = plan.status is ConferenceStatus.INVITED
        answered_at = invited_at + self._reply_delay(seat.role, lead)
        if upcoming and (answered_at > self.now or self.rng.random() < 0.3):
            answer: ResponseStatus = ResponseStatus.NEEDS_ACTION
        else:
            answer = {
                "accept_room": ResponseStatus.ACCEPTED,
                "accept_remote": ResponseStatus.ACCEPTED,
                "no_show": ResponseStatus.ACCEPTED,
                "written": ResponseStatus.WRITTEN_SUBMISSION,
                "declined": ResponseStatus.DECLINED,
                "deputy": ResponseStatus.SENDING_DEPUTY,
            }[seat.outcome]
            if seat.outcome == "no_show" and self.rng.random() < 0.5:
                answer = ResponseStatus.TENTATIVE
        attendee = Attendee(
            conference_id=conference.id,
            conference_role_id=seat_row.id,
            person_id=seat.person.id,
            response=answer,
            responded_at=None if answer is ResponseStatus.NEEDS_ACTION else answered_at,
            created_at=invited_at,
            updated_at=answered_at,
        )
        db.session.add(attendee)
        db.session.flush()
        if answer is ResponseStatus.NEEDS_ACTION:
            return
        source = self.rng.choice(("link", "calendar", "calendar"))
        if answer is ResponseStatus.SENDING_DEPUTY and seat.deputy is not None:
            deputy = Attendee(
                conference_id=conference.id,
                conference_role_id=seat_row.id,
                person_id=seat.deputy.id,
                deputy_rank=1,
                response=ResponseStatus.ACCEPTED,
                responded_at=answered_at + min(timedelta(hours=self.rng.uniform(0.2, 3)), lead / 10),
                created_at=answered_at,
                updated_at=answered_at,
            )
            db.session.add(deputy)
            db.session.flush()
            attendee.replaced_by_id = deputy.id
            sentence = f"{seat.person.name} is sending a deputy: {seat.deputy.name} has been invited."
            source = "link"
        else:
            sentence = f"{seat.person.name}: {answer.label.lower()}."
        db.session.add(
            ReplyRecord(
                conference_id=conference.id,
                attendee_id=attendee.id,
                source=source,
                outcome=ReplyOutcome.APPLIED,
                sentence=sentence,
                address=seat.person.email if source == "calendar" else "",
                received_at=answered_at,
            )
        )
