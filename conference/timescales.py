"""Default time windows for meetings, and working-day arithmetic per UK nation.

Pure functions: no Flask, no SQLAlchemy. The coordinator sees the deadline as a date and time and can
change it; these are only the defaults. Sources are in ``docs/domain.md`` section 1.

Counting convention (one rule for every timescale here)
-------------------------------------------------------
The day of the anchor event (the strategy discussion, the IRD, the referral) counts as **day 1** when it is
a working day, as the Department for Education's Children in Need census validator counts it. The
deadline is **17:00 Europe/London at the end of the last day**. So "within 15 working days" of a strategy
discussion held on a working day ends at 17:00 on the 14th working day after it; when the strategy
discussion fell on a weekend or holiday, the next working day is day 1. This is the stricter of the two
common readings, so a meeting inside our default window is on time by either reading. Calendar-day
timescales (Scotland) count the same way: a CPPM "within 28 calendar days" of an IRD on 1 March is due by
17:00 on 28 March.

Working days are Monday to Friday, except the bank holidays of the nation (the ``holidays`` package,
subdivisions ENG, WLS, SCT and NIR, including substitute days).

Urgent strategy discussions
---------------------------
A strategy discussion (or IRD) for a child at risk of going missing is due "as soon as possible, within
hours": the default deadline is ``GOING_MISSING_WITHIN`` (8 hours) after the child was identified, at any
hour, because out-of-hours teams hold these. Otherwise: Northern Ireland within 24 hours (the NI guidance);
England, Wales and Scotland by 17:00 on the next working day ([UNCONFIRMED] local practice; there is no
national figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from conference.meeting_types import MeetingType, Nation, spec_for

LONDON = ZoneInfo("Europe/London")
#: The hour, local time, at which a day-based deadline ends.
CLOSE_OF_BUSINESS = time(17, 0)
#: How soon a strategy discussion for a child at risk of going missing is due.
GOING_MISSING_WITHIN = timedelta(hours=8)
#: Northern Ireland: strategy discussion within 24 hours where the child is not in immediate danger.
NI_STRATEGY_WITHIN = timedelta(hours=24)
#: England (Working Together 2023), Wales and NI ([UNCONFIRMED] in NI): ICPC within 15 working days.
ICPC_WORKING_DAYS = 15
#: Scotland: child protection planning meeting within 28 calendar days.
CPPM_CALENDAR_DAYS = 28
#: Devolved NRM panel: reasonable grounds decision within 45 days of referral ([UNCONFIRMED]).
PANEL_CALENDAR_DAYS = 45
#: Pre-referral NRM meeting: [UNCONFIRMED] local practice, within 5 working days of identification.
PRE_REFERRAL_WORKING_DAYS = 5
#: Review: within 3 months of the previous conference; we use 91 calendar days, the shortest 3 months.
REVIEW_CALENDAR_DAYS = 91

_SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


class TimescaleError(ValueError):
    """A default window cannot be worked out; the message says what to enter."""


@lru_cache(maxsize=64)
def _bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[nation], years=year)
    return frozenset(calendar.keys())


def bank_holiday_name(day: date, nation: Nation) -> str | None:
    """The name of the bank holiday on ``day`` in ``nation``, or ``None``."""
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[Nation(nation)], years=day.year)
    name = calendar.get(day)
    return str(name) if name is not None else None


def is_working_day(day: date, nation: Nation) -> bool:
    """Monday to Friday and not a bank holiday (or substitute day) in ``nation``."""
    if isinstance(day, datetime):
        raise TypeError("is_working_day takes a date, not a datetime; convert to a Europe/London date first")
    return day.weekday() < 5 and day not in _bank_holidays(Nation(nation), day.year)


def add_working_days(start_on: date, n: int, nation: Nation) -> date:
    """The ``n``-th working day after ``start_on`` (``start_on`` itself is never counted; ``n`` >= 0).

    ``add_working_days(d, 0, nation)`` is ``d`` if it is a working day, else the next working day.
    """
    if n < 0:
        raise ValueError("n must be zero or more working days")
    day = start_on
    if n == 0:
        while not is_working_day(day, nation):
            day += timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            remaining -= 1
    return day


def working_day_deadline_on(anchor_on: date, working_days: int, nation: Nation) -> date:
    """The last day of a "within ``working_days`` working days of ``anchor_on``" timescale.

    Day 1 is ``anchor_on`` if it is a working day, else the next working day (see module docstring).
    """
    if working_days < 1:
        raise ValueError("a timescale is at least 1 working day")
    first = add_working_days(anchor_on, 0, nation)
    return add_working_days(first, working_days - 1, nation)


def calendar_day_deadline_on(anchor_on: date, days: int) -> date:
    """The last day of a "within ``days`` calendar days of ``anchor_on``" timescale; day 1 is ``anchor_on``."""
    if days < 1:
        raise ValueError("a timescale is at least 1 day")
    return anchor_on + timedelta(days=days - 1)


def close_of_business_at(day: date) -> datetime:
    """17:00 Europe/London on ``day``, as an aware UTC datetime (16:00Z in summer time, 17:00Z in winter)."""
    return datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=LONDON).astimezone(UTC)


def london_date(moment_at: datetime) -> date:
    """The Europe/London calendar date of an aware datetime."""
    _require_aware(moment_at, "moment_at")
    return moment_at.astimezone(LONDON).date()


@dataclass(frozen=True)
class MeetingWindow:
    """The default window: the meeting should be held between ``earliest_at`` and ``deadline_at``."""

    earliest_at: datetime
    deadline_at: datetime
    basis: str
    source: str


def default_window(
    *,
    meeting_type: MeetingType,
    nation: Nation,
    identified_at: datetime,
    at_risk_of_going_missing: bool,
    strategy_discussion_at: datetime | None = None,
    previous_meeting_at: datetime | None = None,
    referred_at: datetime | None = None,
    now_at: datetime | None = None,
) -> MeetingWindow:
    """The default window for a meeting, from its type, the nation and the case.

    ``strategy_discussion_at`` anchors an initial conference (the strategy discussion or IRD that started
    the enquiries), ``previous_meeting_at`` a review and ``referred_at`` a devolved panel (the NRM
    referral). ``earliest_at`` is the anchor, or ``now_at`` when that is later. Raises ``TimescaleError``
    when the anchor the rule needs is missing, or the type is not used in the nation.
    """
    meeting_type, nation = MeetingType(meeting_type), Nation(nation)
    try:
        spec_for(meeting_type, nation)
    except ValueError as error:
        raise TimescaleError(str(error)) from None
    _require_aware(identified_at, "identified_at")
    rule = _RULES[meeting_type]
    anchor_at, deadline_at, basis, source = rule(
        nation, identified_at, at_risk_of_going_missing, strategy_discussion_at, previous_meeting_at, referred_at
    )
    earliest_at = anchor_at.astimezone(UTC)
    if now_at is not None:
        _require_aware(now_at, "now_at")
        earliest_at = max(earliest_at, now_at.astimezone(UTC))
    return MeetingWindow(earliest_at, deadline_at.astimezone(UTC), basis, source)


_Anchors = tuple[datetime, datetime, str, str]


def _strategy_rule(
    nation: Nation,
    identified_at: datetime,
    missing: bool,
    _sd: datetime | None,
    _prev: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if missing:
        hours = int(GOING_MISSING_WITHIN.total_seconds() // 3600)
        return (
            identified_at,
            identified_at + GOING_MISSING_WITHIN,
            f"As soon as possible: within {hours} hours of identification, as the child is at risk of going missing",
            "Working Together 2023 / national guidance: act first, discuss as soon as possible (domain.md section 1)",
        )
    if nation is Nation.NORTHERN_IRELAND:
        return (
            identified_at,
            identified_at + NI_STRATEGY_WITHIN,
            "Within 24 hours of identification",
            "Co-operating to Safeguard Children and Young People in NI (domain.md section 1)",
        )
    due_on = add_working_days(london_date(identified_at), 1, nation)
    return (
        identified_at,
        close_of_business_at(due_on),
        "By the end of the next working day after identification",
        "[UNCONFIRMED] local practice; no national timescale (domain.md section 1)",
    )


def _conference_rule(
    nation: Nation,
    _identified_at: datetime,
    _missing: bool,
    strategy_discussion_at: datetime | None,
    _prev: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if strategy_discussion_at is None:
        name = "inter-agency referral discussion" if nation is Nation.SCOTLAND else "strategy discussion"
        raise TimescaleError(
            f"The deadline for this conference counts from the {name}. Enter the date and time of the {name}."
        )
    _require_aware(strategy_discussion_at, "strategy_discussion_at")
    anchor_on = london_date(strategy_discussion_at)
    if nation is Nation.SCOTLAND:
        due_on = calendar_day_deadline_on(anchor_on, CPPM_CALENDAR_DAYS)
        return (
            strategy_discussion_at,
            close_of_business_at(due_on),
            f"Within {CPPM_CALENDAR_DAYS} calendar days of the inter-agency referral discussion (that day is day 1)",
            "National Guidance for Child Protection in Scotland, Appendix D (domain.md section 1)",
        )
    due_on = working_day_deadline_on(anchor_on, ICPC_WORKING_DAYS, nation)
    return (
        strategy_discussion_at,
        close_of_business_at(due_on),
        f"Within {ICPC_WORKING_DAYS} working days of the strategy discussion (that day is day 1), "
        f"counting {nation.label} bank holidays",
        "Working Together 2023 (England); [UNCONFIRMED] in Wales and Northern Ireland (domain.md section 1)",
    )


def _pre_referral_rule(
    nation: Nation,
    identified_at: datetime,
    missing: bool,
    _sd: datetime | None,
    _prev: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if missing:
        return _strategy_rule(nation, identified_at, missing, None, None, None)
    due_on = working_day_deadline_on(london_date(identified_at), PRE_REFERRAL_WORKING_DAYS, nation)
    return (
        identified_at,
        close_of_business_at(due_on),
        f"Within {PRE_REFERRAL_WORKING_DAYS} working days of identification (that day is day 1)",
        "[UNCONFIRMED] local practice: the NRM referral should not wait (domain.md section 2)",
    )


def _panel_rule(
    _nation: Nation,
    _identified_at: datetime,
    _missing: bool,
    _sd: datetime | None,
    _prev: datetime | None,
    referred_at: datetime | None,
) -> _Anchors:
    if referred_at is None:
        raise TimescaleError("The panel's deadline counts from the NRM referral. Enter the date of the referral.")
    _require_aware(referred_at, "referred_at")
    due_on = calendar_day_deadline_on(london_date(referred_at), PANEL_CALENDAR_DAYS)
    return (
        referred_at,
        close_of_business_at(due_on),
        f"Reasonable grounds decision within {PANEL_CALENDAR_DAYS} days of the referral (that day is day 1)",
        "[UNCONFIRMED] devolved decision-making pilot summary (domain.md section 2)",
    )


def _review_rule(
    _nation: Nation,
    _identified_at: datetime,
    _missing: bool,
    _sd: datetime | None,
    previous_meeting_at: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if previous_meeting_at is None:
        raise TimescaleError("A review's deadline counts from the previous conference. Enter when it was held.")
    _require_aware(previous_meeting_at, "previous_meeting_at")
    due_on = calendar_day_deadline_on(london_date(previous_meeting_at), REVIEW_CALENDAR_DAYS)
    return (
        previous_meeting_at,
        close_of_business_at(due_on),
        "Within 3 months of the previous conference",
        "Wales Safeguarding Procedures (review within 3 months); local procedures elsewhere (domain.md section 1)",
    )


_RULES = {
    MeetingType.STRATEGY_DISCUSSION: _strategy_rule,
    MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION: _strategy_rule,
    MeetingType.STRATEGY_DISCUSSION_NI: _strategy_rule,
    MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE: _conference_rule,
    MeetingType.PRE_REFERRAL_NRM_MEETING: _pre_referral_rule,
    MeetingType.DEVOLVED_NRM_DECISION_PANEL: _panel_rule,
    MeetingType.REVIEW: _review_rule,
}


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TimescaleError(f"{name} must be an aware datetime (with a time zone), got {value!r}")
