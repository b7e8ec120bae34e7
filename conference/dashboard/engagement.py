"""The agency engagement report: how each partner agency answers and attends, over a chosen period.

For each agency (by the person invited): invitations sent, attended in person, attended remotely, deputies,
written submissions, no-shows, and the median time to reply. Meetings count when they start in the period.

* *Invitations*: attendee rows whose invitation was sent (response is not "not sent").
* *Deputies*: invitations to someone other than the role's first choice (``deputy_rank`` > 0), plus
  answers "sending a deputy".
* *Written submissions*: answers "sending a written submission", or attendance recorded as one.
* *In person / remotely*: attendance the chair recorded (decisions); a deputy present counts as in person
  unless recorded as remote. Without recorded attendance these are not known and shown as such.
* *No-shows*: an accepted invitation to a meeting whose recorded attendance gives the role as apologies,
  or does not list it.
* *Median time to reply*: from the invitation (the attendee row's creation) to the answer.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from conference.auth.models import User
from conference.cases.models import Case
from conference.cases.scope import case_scope
from conference.convening.models import Attendee, Conference, ConferenceRole, ConferenceStatus, ResponseStatus
from conference.dashboard import decisions_adapter
from conference.directory.models import Agency, Person
from conference.extensions import db
from rules.clock import LONDON

ACCEPTING = {ResponseStatus.ACCEPTED, ResponseStatus.TENTATIVE}
PRESENT_IN_ROOM, PRESENT_REMOTELY = "present_in_room", "present_remotely"
DEPUTY_PRESENT, WRITTEN, APOLOGIES = "deputy_present", "written_submission", "apologies"


@dataclass(frozen=True)
class InvitationRow:
    """One invitation, flattened from the database (one query, no lazy loads)."""

    agency_id: uuid.UUID
    agency_name: str
    conference_id: uuid.UUID
    role: str
    response: ResponseStatus
    deputy_rank: int
    invited_at: datetime
    responded_at: datetime | None


@dataclass
class AgencyEngagement:
    agency_id: uuid.UUID
    agency_name: str
    invitations: int = 0
    in_person: int = 0
    remote: int = 0
    deputies: int = 0
    written_submissions: int = 0
    no_shows: int = 0
    replies: list[timedelta] = field(default_factory=list)
    attendance_known: bool = False

    @property
    def median_reply(self) -> timedelta | None:
        if not self.replies:
            return None
        ordered = sorted(self.replies)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    @property
    def attended(self) -> int:
        return self.in_person + self.remote


@dataclass(frozen=True)
class Period:
    from_on: date
    to_on: date

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware instants: the start of the first day to the start of the day after the last, in London."""
        start = datetime.combine(self.from_on, time(), tzinfo=LONDON)
        end = datetime.combine(self.to_on + timedelta(days=1), time(), tzinfo=LONDON)
        return start, end


def find_invitations(user: User, period: Period) -> list[InvitationRow]:
    start, end = period.bounds()
    query = (
        select(
            Agency.id,
            Agency.name,
            Conference.id,
            ConferenceRole.role,
            Attendee.response,
            Attendee.deputy_rank,
            Attendee.created_at,
            Attendee.responded_at,
        )
        .select_from(Attendee)
        .join(Conference, Conference.id == Attendee.conference_id)
        .join(Case, Case.id == Conference.case_id)
        .join(ConferenceRole, ConferenceRole.id == Attendee.conference_role_id)
        .join(Person, Person.id == Attendee.person_id)
        .join(Agency, Agency.id == Person.agency_id)
        .where(
            case_scope(user),
            Conference.start_at >= start,
            Conference.start_at < end,
            Conference.status != ConferenceStatus.DRAFT,
            Attendee.response != ResponseStatus.NOT_SENT,
        )
    )
    return [InvitationRow(*row) for row in db.session.execute(query).all()]


def summarise_engagement(
    invitations: Iterable[InvitationRow], attendance: Iterable[tuple[uuid.UUID, str, str]]
) -> list[AgencyEngagement]:
    """Pure: the report rows, by agency name. ``attendance`` is (conference id, role, status) as recorded."""
    recorded: dict[uuid.UUID, dict[str, str]] = {}
    for conference_id, role, status in attendance:
        recorded.setdefault(conference_id, {})[role] = status
    by_agency: dict[uuid.UUID, AgencyEngagement] = {}
    for row in invitations:
        report = by_agency.setdefault(row.agency_id, AgencyEngagement(row.agency_id, row.agency_name))
        _count(report, row, recorded.get(row.conference_id))
    return sorted(by_agency.values(), key=lambda r: r.agency_name.lower())


def _count(report: AgencyEngagement, row: InvitationRow, seats: dict[str, str] | None) -> None:
    report.invitations += 1
    if row.responded_at is not None and row.responded_at >= row.invited_at:
        report.replies.append(row.responded_at - row.invited_at)
    if row.deputy_rank > 0 or row.response == ResponseStatus.SENDING_DEPUTY:
        report.deputies += 1
    status = seats.get(row.role) if seats is not None else None
    if row.response == ResponseStatus.WRITTEN_SUBMISSION or (status == WRITTEN and row.response in ACCEPTING):
        report.written_submissions += 1
    if seats is None:
        return
    report.attendance_known = True
    if row.response not in ACCEPTING:
        return
    if status in (PRESENT_IN_ROOM, DEPUTY_PRESENT):
        report.in_person += 1
    elif status == PRESENT_REMOTELY:
        report.remote += 1
    elif status in (None, APOLOGIES):
        report.no_shows += 1


def engagement_report(user: User, period: Period) -> list[AgencyEngagement]:
    """Two queries whatever the number of agencies or meetings: invitations, then recorded attendance."""
    invitations = find_invitations(user, period)
    conference_ids = sorted({row.conference_id for row in invitations})
    return summarise_engagement(invitations, decisions_adapter.find_attendance(conference_ids))


# --- the CSV download ------------------------------------------------------------------------------

CSV_HEADER = [
    "Agency",
    "Invitations",
    "Attended in person",
    "Attended remotely",
    "Deputies",
    "Written submissions",
    "No-shows",
    "Median time to reply (hours)",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): prefix risky starts with '."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def engagement_csv(rows: Sequence[AgencyEngagement]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        median = row.median_reply
        known = row.attendance_known
        writer.writerow(
            [
                neutralise(row.agency_name),
                row.invitations,
                row.in_person if known else "",
                row.remote if known else "",
                row.deputies,
                row.written_submissions,
                row.no_shows if known else "",
                f"{median.total_seconds() / 3600:.1f}" if median is not None else "",
            ]
        )
    return buffer.getvalue()


# --- the chart ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    css_class: str
    x: float
    width: float
    count: int


@dataclass(frozen=True)
class ChartRow:
    agency_name: str
    y: float
    bars: list[Bar]
    total: int
    total_x: float


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    width: int
    height: int
    label_width: int
    legend: list[tuple[str, str]]


SEGMENTS = (
    ("In person", "app-chart__bar--in-person"),
    ("Remotely", "app-chart__bar--remote"),
    ("Written submission", "app-chart__bar--written"),
    ("No-show", "app-chart__bar--no-show"),
    ("Other answers or not recorded", "app-chart__bar--other"),
)


def engagement_chart(
    rows: Sequence[AgencyEngagement], *, width: int = 900, label_width: int = 260, row_height: int = 34
) -> Chart:
    """Stacked bars per agency: each invitation's outcome. Geometry only; the template draws the SVG."""
    most = max((r.invitations for r in rows), default=0) or 1
    scale = (width - label_width - 60) / most
    chart_rows: list[ChartRow] = []
    for index, row in enumerate(rows):
        counts = [row.in_person, row.remote, row.written_submissions, row.no_shows]
        counts.append(max(row.invitations - sum(counts), 0))
        x = float(label_width)
        bars: list[Bar] = []
        for (label, css_class), count in zip(SEGMENTS, counts, strict=True):
            if count:
                bars.append(Bar(label, css_class, x, count * scale, count))
                x += count * scale
        chart_rows.append(ChartRow(row.agency_name, index * row_height + 8, bars, row.invitations, x + 6))
    return Chart(chart_rows, width, max(len(rows), 1) * row_height + 16, label_width, list(SEGMENTS))
