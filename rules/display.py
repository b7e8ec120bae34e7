"""The one set of display formatters: times and dates in Europe/London, GOV.UK style.

Pure (no Flask). Used by the Jinja filters (conference/filters.py), the invitations and emails, the PDFs and
the NRM pack. Naive datetimes are taken as UTC; dates are shown as they are. ``None`` shows as "".

    time_of_day   "2:30pm", "10am", "midday", "midnight"
    long_date     "Monday 23 November 2026"
    short_date    "23 November 2026"
    day_and_month "Monday 23 November"
    date_and_time "Monday 23 November 2026 at 2:30pm"
    duration      "3 days 4 hours", "5 hours 20 minutes"
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from rules.clock import LONDON


def to_london(value: datetime) -> datetime:
    """The same moment on the Europe/London clock (a naive datetime is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def _london_date(value: date | datetime) -> date:
    return to_london(value).date() if isinstance(value, datetime) else value


def time_of_day(value: datetime | None) -> str:
    """``"2:30pm"``, ``"10am"``, ``"midday"``, ``"midnight"`` on the Europe/London clock."""
    if value is None:
        return ""
    local = to_london(value)
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def long_date(value: date | datetime | None) -> str:
    """``"Monday 23 November 2026"``."""
    if value is None:
        return ""
    day = _london_date(value)
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(value: date | datetime | None) -> str:
    """``"23 November 2026"``."""
    if value is None:
        return ""
    day = _london_date(value)
    return f"{day.day} {day:%B %Y}"


def day_and_month(value: date) -> str:
    """``"Monday 23 November"`` (a date, shown as it is: convert a datetime to the right zone first)."""
    return f"{value:%A} {value.day} {value:%B}"


def date_and_time(value: datetime | None) -> str:
    """``"Monday 23 November 2026 at 2:30pm"``."""
    if value is None:
        return ""
    return f"{long_date(value)} at {time_of_day(value)}"


def duration(delta: timedelta) -> str:
    """A clock since identification, in words: "3 days 4 hours", "5 hours 20 minutes"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 0:
        return "in the future"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return plural(days, "day") + (f" {plural(hours, 'hour')}" if hours else "")
    if hours:
        return plural(hours, "hour") + (f" {plural(minutes, 'minute')}" if minutes else "")
    return plural(minutes, "minute")
