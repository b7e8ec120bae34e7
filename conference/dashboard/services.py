"""Dashboard use cases that write: the agency engagement report's CSV download, with its audit row."""

from __future__ import annotations

from dataclasses import dataclass

from conference.audit import record_event
from conference.auth.models import User
from conference.dashboard import engagement
from conference.extensions import db


@dataclass(frozen=True)
class EngagementExport:
    filename: str
    body: str


def export_engagement_csv(user: User, period: engagement.Period) -> EngagementExport:
    """The report for ``period`` as CSV; the download is audited (who, which period, how many agencies)."""
    report = engagement.engagement_report(user, period)
    record_event(
        db.session,
        "export.engagement_csv",
        object_type="report",
        object_id="agency-engagement",
        detail={"from_on": period.from_on.isoformat(), "to_on": period.to_on.isoformat(), "agencies": len(report)},
        actor=user,
    )
    filename = f"agency-engagement-{period.from_on.isoformat()}-to-{period.to_on.isoformat()}.csv"
    return EngagementExport(filename, engagement.engagement_csv(report))
