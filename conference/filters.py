"""Display filters: times and dates in Europe/London, as "2:30pm" and "Monday 23 November 2026"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask

from rules.clock import LONDON


def to_london(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def format_time(value: datetime | None) -> str:
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


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def format_short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{format_date(value)} at {format_time(value)}"


def format_duration(delta: timedelta) -> str:
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


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        time=format_time,
        date=format_date,
        short_date=format_short_date,
        datetime=format_datetime,
        duration=format_duration,
        london=to_london,
    )
    app.jinja_env.globals.update(radio_items=radio_items)


def radio_items(options: Iterable[Any], selected: str | None) -> list[dict[str, Any]]:
    """Design System radio items from enum members with a ``label``."""
    return [{"value": o.value, "text": o.label, "checked": o.value == selected} for o in options]
