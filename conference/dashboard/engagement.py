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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased

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
    median_reply: timedelta | None = None
    attendance_known: bool = False

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


def _median(durations: Sequence[timedelta]) -> timedelta | None:
    if not durations:
        return None
    ordered = sorted(durations)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _invitations_in(user: User, period: Period) -> Select[Any]:
    """The invitations counted: sent, to meetings that start in the period, in the user's scope."""
    start, end = period.bounds()
    return (
        select(Agency.id.label("agency_id"))
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


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def engagement_report(user: User, period: Period) -> list[AgencyEngagement]:
    """Counted in the database, grouped by agency: one statement on PostgreSQL (the median by
    ``percentile_cont``), two on SQLite (the reply times read back for the median). The same number
    whatever the number of agencies, meetings or invitations.

    A meeting's attendance is *known* when the chair recorded at least one line of it; the role's
    line (if any) gives its status."""
    query = _invitations_in(user, period)
    response = Attendee.response
    accepting = response.in_(ACCEPTING)
    deputies = _count_if(or_(Attendee.deputy_rank > 0, response == ResponseStatus.SENDING_DEPUTY))
    models = decisions_adapter.recorded_attendance_models()
    in_person: ColumnElement[int]
    remote: ColumnElement[int]
    no_shows: ColumnElement[int]
    if models is None:
        known: ColumnElement[Any] = literal(False)
        written = _count_if(response == ResponseStatus.WRITTEN_SUBMISSION)
        in_person = remote = no_shows = literal(0)
    else:
        record, entry = models
        seat = aliased(entry, name="seat")
        seat_record = aliased(record, name="seat_record")
        query = query.outerjoin(seat_record, seat_record.conference_id == Conference.id).outerjoin(
            seat,
            and_(seat.record_id == seat_record.id, type_coerce(seat.role, String) == ConferenceRole.role),
        )
        status = type_coerce(seat.status, String)
        # Recorded at all: the role's own line (cheap, joined), else any line of the meeting's register.
        is_known = or_(seat.id.is_not(None), select(entry.id).where(entry.record_id == seat_record.id).exists())
        known = func.max(case((seat.id.is_not(None), 1), (is_known, 1), else_=0))
        written = _count_if(or_(response == ResponseStatus.WRITTEN_SUBMISSION, and_(status == WRITTEN, accepting)))
        in_person = _count_if(and_(accepting, status.in_([PRESENT_IN_ROOM, DEPUTY_PRESENT])))
        remote = _count_if(and_(accepting, status == PRESENT_REMOTELY))
        no_shows = _count_if(
            and_(accepting, or_(status == APOLOGIES, and_(seat.id.is_(None), seat_record.id.is_not(None), is_known)))
        )
    postgres = db.session.get_bind().dialect.name == "postgresql"
    replied = Attendee.responded_at >= Attendee.created_at
    median: ColumnElement[Any] = literal(None)
    if postgres:
        seconds = case((replied, func.extract("epoch", Attendee.responded_at - Attendee.created_at)), else_=None)
        median = func.percentile_cont(0.5).within_group(seconds)
    rows = db.session.execute(
        query.add_columns(
            Agency.name,
            func.count(),
            in_person,
            remote,
            deputies,
            written,
            no_shows,
            known,
            median,
        ).group_by(Agency.id, Agency.name)
    ).all()
    medians = {} if postgres else _medians_read_back(user, period)
    report = [
        AgencyEngagement(
            agency_id,
            name,
            invitations=int(invitations),
            in_person=int(in_room),
            remote=int(remotely),
            deputies=int(deputy_count),
            written_submissions=int(written_count),
            no_shows=int(no_show_count),
            median_reply=timedelta(seconds=float(middle)) if middle is not None else medians.get(agency_id),
            attendance_known=bool(known_any),
        )
        for (
            agency_id,
            name,
            invitations,
            in_room,
            remotely,
            deputy_count,
            written_count,
            no_show_count,
            known_any,
            middle,
        ) in rows
    ]
    return sorted(report, key=lambda r: r.agency_name.lower())


def _medians_read_back(user: User, period: Period) -> dict[uuid.UUID, timedelta | None]:
    """Without ``percentile_cont`` (SQLite): the reply times of the invitations answered, by agency."""
    rows = db.session.execute(
        _invitations_in(user, period)
        .add_columns(Attendee.created_at, Attendee.responded_at)
        .where(Attendee.responded_at.is_not(None))
    ).all()
    durations: dict[uuid.UUID, list[timedelta]] = {}
    for agency_id, invited_at, responded_at in rows:
        if responded_at >= invited_at:
            durations.setdefault(agency_id, []).append(responded_at - invited_at)
    return {agency_id: _median(values) for agency_id, values in durations.items()}


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
