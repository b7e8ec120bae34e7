"""The Jinja filters: the display formatters of rules/display.py ("2:30pm", "Monday 23 November 2026")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask

from rules.display import date_and_time, duration, long_date, short_date, time_of_day, to_london


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        time=time_of_day,
        date=long_date,
        short_date=short_date,
        datetime=date_and_time,
        duration=duration,
        london=to_london,
    )
    app.jinja_env.globals.update(radio_items=radio_items)


def radio_items(options: Iterable[Any], selected: str | None) -> list[dict[str, Any]]:
    """Design System radio items from enum members with a ``label``."""
    return [{"value": o.value, "text": o.label, "checked": o.value == selected} for o in options]
