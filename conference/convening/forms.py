"""Form parsing for convening pages: a date and a time of day together, with Design System messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from conference.forms import FormErrors, local_datetime, parse_date, parse_time_of_day, text_field


def parse_moment(form: Mapping[str, str], name: str, label: str, errors: FormErrors) -> datetime | None:
    """``name``-day/-month/-year plus ``name``-time ("2:30pm" or "14:30"), as an aware datetime."""
    on = parse_date(form, name, label, errors)
    time_text = text_field(form, f"{name}-time", max_length=10)
    time = parse_time_of_day(time_text) if time_text else None
    if not time_text:
        errors.add(f"{name}-time", f"Enter the time of {label}")
    elif time is None:
        errors.add(f"{name}-time", "Enter a real time, for example 2:30pm or 14:30")
    if on is None or time is None:
        return None
    return local_datetime(on, *time)


def moment_fields(name: str, value: datetime | None) -> dict[str, str]:
    """Form values that show ``value`` in a date input and a time input (Europe/London)."""
    if value is None:
        return {}
    from rules.display import time_of_day, to_london

    local = to_london(value)
    time = f"{local.hour:02d}:{local.minute:02d}"
    if time_of_day(value) not in ("midday", "midnight"):
        time = time_of_day(value)
    return {
        f"{name}-day": str(local.day),
        f"{name}-month": str(local.month),
        f"{name}-year": str(local.year),
        f"{name}-time": time,
    }
