"""The dashboard's safety panels: overdue immediate safety actions, and missing children (missing now, return-home
interview overdue, repeatedly missing), plus the missing episodes of the engagement report's period.

Three statements in all, whatever the number of cases (each panel is aggregated in SQL, with its total counted by a
window function).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conference.auth.models import User
from conference.dashboard.panel import Panel
from conference.safety import queries
from conference.safety.queries import MissingAlert, OverdueCheck


@dataclass(frozen=True)
class SafetyPanels:
    overdue_checks: Panel[OverdueCheck]
    missing: Panel[MissingAlert]
    episodes_in_period: dict[str, int]

    @property
    def episodes_in_period_total(self) -> int:
        return sum(self.episodes_in_period.values())


def find_safety_panels(user: User, now: datetime, period_start_at: datetime, period_end_at: datetime) -> SafetyPanels:
    checks, checks_total = queries.find_overdue_safety_checks(user, now)
    alerts, alerts_total = queries.find_missing_alerts(user, now)
    return SafetyPanels(
        Panel(checks, checks_total),
        Panel(alerts, alerts_total),
        queries.count_missing_episodes(user, period_start_at, period_end_at),
    )
