"""Rows a browser journey starts from, committed so that the live server's threads see them.

A thin layer over ``tests.support.factories.Factories`` (the one builder), in its committed mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from conference.auth.models import Role, User, UserSession
from conference.cases.models import Case, MissingRisk
from conference.convening.models import Conference
from conference.directory.models import Agency, LocalAuthority
from conference.extensions import db
from rules.vocabulary import AgencyKind
from tests.browser.pages import Person
from tests.support.factories import ALL_WEEK, EMPTY_ICS, PASSWORD, TOTP_SECRET, Factories


class Seed:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.factories = Factories(app, committed=True)
        self._area: LocalAuthority | None = None
        self._agencies: dict[AgencyKind, Agency] = {}

    @property
    def area(self) -> LocalAuthority:
        if self._area is None:
            self._area = self.factories.area("NB", "Northbridge")
        return self._area

    def agency(self, kind: AgencyKind = AgencyKind.CHILDREN_SOCIAL_CARE) -> Agency:
        if kind not in self._agencies:
            name = {
                AgencyKind.CHILDREN_SOCIAL_CARE: "Northbridge Children's Services",
                AgencyKind.POLICE: "Northbridge Police",
            }.get(kind)
            self._agencies[kind] = self.factories.agency(self.area, kind, name=name)
        return self._agencies[kind]

    def user(self, role: Role, email: str, kind: AgencyKind = AgencyKind.CHILDREN_SOCIAL_CARE) -> tuple[User, Person]:
        user = self.factories.user(self.agency(kind), role, email=email)
        return user, Person(email=email, password=PASSWORD, totp_secret=TOTP_SECRET)

    def case(self, owner: User, *, risk: MissingRisk, hours_ago: float, first_name: str = "Seeded") -> Case:
        return self.factories.case(
            owner,
            missing_risk=risk,
            child_first_name=first_name,
            identified_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        )

    def allow_new_code(self, email: str) -> None:
        """Forget the last TOTP step used, so the same person may sign in again within 30 seconds."""
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()

    def expire_sessions(self, email: str) -> int:
        """End the person's sessions as 31 minutes of idleness would (the server sees them as expired)."""
        user_id = db.session.scalars(select(User.id).where(User.email == email)).one()
        long_ago = datetime.now(UTC) - timedelta(minutes=31)
        result = db.session.execute(
            update(UserSession).where(UserSession.user_id == user_id).values(last_seen_at=long_ago)
        )
        db.session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def case_by_reference(self, reference: str) -> Case:
        db.session.expire_all()
        return db.session.scalars(select(Case).where(Case.reference == reference)).one()

    def count_cases(self) -> int:
        from sqlalchemy import func

        return int(db.session.scalar(select(func.count()).select_from(Case)) or 0)

    def answered_meeting(self, case: Case, days_ago: int = 3) -> None:
        """A held meeting whose invitations were answered, so the dashboard's engagement chart has bars."""
        self.factories.answered_meeting(case, self.agency, days_ago)


class ConveningSeed:
    """A Northbridge-like area for convening journeys: social care, police and health, each with a primary and
    a deputy whose (empty) calendars are known and who work around the clock, so that times exist whenever the
    suite runs. ``police_unknown`` makes both police calendars unknown, so that no time works."""

    def __init__(self, seed: Seed, *, police_unknown: bool = False, neighbour: bool = False) -> None:
        from conference.directory.models import AvailabilitySource

        self.seed = seed
        f = seed.factories
        self.health_agency = f.agency(seed.area, AgencyKind.HEALTH, name="Northbridge Health")
        known = {"availability_source": AvailabilitySource.ICS_UPLOAD, "availability_ics": EMPTY_ICS}
        unknown = {"availability_source": AvailabilitySource.NONE, "availability_ics": ""}
        plan = [
            ("social", seed.agency(AgencyKind.CHILDREN_SOCIAL_CARE), "Riley Fairbairn", "social_worker", known),
            ("social2", seed.agency(AgencyKind.CHILDREN_SOCIAL_CARE), "Sam Ockwell", "social_worker", known),
            (
                "police",
                seed.agency(AgencyKind.POLICE),
                "Rowan Ashby",
                "police_trafficking_lead",
                unknown if police_unknown else known,
            ),
            (
                "police2",
                seed.agency(AgencyKind.POLICE),
                "Ellis Brockway",
                "police_child_protection",
                unknown if police_unknown else known,
            ),
            ("health", self.health_agency, "Kit Harrow", "designated_nurse", known),
            ("health2", self.health_agency, "Lou Pendle", "school_nurse", known),
            # Every meeting is chaired: the chair is a required seat (issue 9).
            ("chair", seed.agency(AgencyKind.CHILDREN_SOCIAL_CARE), "Morgan Chairwell", "may_chair", known),
            ("chair2", seed.agency(AgencyKind.CHILDREN_SOCIAL_CARE), "Noel Reviewer", "reviewing_officer", known),
        ]
        self.people = {
            key: f.person(
                agency,
                name=name,
                email=f"{key}@agency.example",
                role_tags=[tag],
                working_hours=ALL_WEEK,
                job_title="Officer",
                **calendar,
            )
            for key, agency, name, tag, calendar in plan
        }
        if neighbour:
            eastmere = f.area("EM", "Eastmere")
            police = f.agency(eastmere, AgencyKind.POLICE, name="Eastmere Police")
            self.people["elsewhere"] = f.person(
                police,
                name="Jo Eastfield",
                email="jo@eastmere.example",
                role_tags=["police_trafficking_lead"],
                working_hours=ALL_WEEK,
                **known,
            )
        self.coordinator, self.person = seed.user(Role.COORDINATOR, "casey.convening@northbridge.example")

    def case(self) -> Case:
        return self.seed.case(self.coordinator, risk=MissingRisk.HIGH, hours_ago=2, first_name="Seededchild")

    def invited_meeting(self, case: Case) -> Conference:
        """A strategy discussion whose invitations are queued (the soonest option, Room 4), as the journey leaves it."""
        return self.seed.factories.invited_meeting(self.coordinator, case)

    def deliver(self, port: int) -> int:
        """Run the outbox worker in-process until nothing is due, into the mail catcher on ``port``."""
        from conference.outbox.worker import SmtpTarget, work

        db.session.remove()
        stats = work(SmtpTarget("127.0.0.1", port, 5), stop_when_empty=True)
        db.session.remove()
        return stats.sent
