"""Rows a browser journey starts from, committed so that the live server's threads see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from conference.auth.models import Role, User, UserSession
from conference.cases.models import Case, MissingRisk
from conference.directory.models import Agency, AgencyKind, LocalAuthority
from conference.extensions import db
from tests.browser.pages import Person
from tests.support.factories import PASSWORD, TOTP_SECRET, Factories


class Seed:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.factories = Factories(app)
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
        import uuid as uuid_module

        from conference.convening.models import (
            Attendee,
            Conference,
            ConferenceRole,
            ConferenceStatus,
            ResponseStatus,
        )
        from conference.meeting_types import MeetingType, Nation
        from conference.meeting_types import Role as Seat

        start_at = datetime.now(UTC) - timedelta(days=days_ago)
        meeting = Conference(
            case_id=case.id,
            reference=f"MTG-S{days_ago:03d}",
            nation=Nation.ENGLAND,
            meeting_type=MeetingType.STRATEGY_DISCUSSION,
            status=ConferenceStatus.HELD,
            start_at=start_at,
            ical_uid=f"{uuid_module.uuid4()}@convene.test",
        )
        db.session.add(meeting)
        db.session.flush()
        answers = [
            (Seat.POLICE, AgencyKind.POLICE, ResponseStatus.ACCEPTED),
            (Seat.SOCIAL_CARE, AgencyKind.CHILDREN_SOCIAL_CARE, ResponseStatus.WRITTEN_SUBMISSION),
        ]
        for position, (seat, kind, response) in enumerate(answers):
            role = ConferenceRole(conference_id=meeting.id, role=seat, position=position)
            db.session.add(role)
            db.session.flush()
            person = self.factories.person(self.agency(kind))
            db.session.add(
                Attendee(
                    conference_id=meeting.id,
                    conference_role_id=role.id,
                    person_id=person.id,
                    response=response,
                    responded_at=start_at - timedelta(hours=20),
                )
            )
        db.session.commit()
