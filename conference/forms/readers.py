"""The hand readers and the error list every page renders: explicit fields, GOV.UK error wording, one error per
field. The WTForms fields in `conference.forms.fields` share the date and time parsing here.

Views read only the fields they name (no mass assignment). Dates use the Design System's date input:
three fields, month names accepted, the standard error messages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import request, session

from conference.extensions import db

MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9


class FormErrors:
    """Field errors in page order. The first message for a field wins (the highest priority)."""

    def __init__(self) -> None:
        self._errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __contains__(self, field: str) -> bool:
        return field in self._errors

    def __iter__(self) -> Iterator[str]:
        return iter(self._errors)

    def get(self, field: str) -> str | None:
        return self._errors.get(field)

    def message(self, field: str) -> dict[str, str] | None:
        """The ``errorMessage`` parameter for a govuk-frontend macro."""
        text = self._errors.get(field)
        return {"text": text} if text else None

    def summary(self) -> list[dict[str, str]]:
        """The ``errorList`` for the error summary: each links to its field."""
        return [{"text": text, "href": f"#{field}"} for field, text in self._errors.items()]


def text_field(form: Mapping[str, str], name: str, *, max_length: int = 500) -> str:
    value = (form.get(name) or "").strip()
    return value.replace("\r\n", "\n")[: max_length * 2]


@dataclass(frozen=True)
class DateParts:
    day: str
    month: str
    year: str

    @property
    def empty(self) -> bool:
        return not (self.day or self.month or self.year)


def date_parts(form: Mapping[str, str], name: str) -> DateParts:
    return DateParts(*(str(form.get(f"{name}-{part}", "")).strip() for part in ("day", "month", "year")))


def check_date(
    parts: DateParts,
    label: str,
    *,
    required: bool = True,
    past: bool = False,
    future: bool = False,
    today: date | None = None,
) -> tuple[date | None, str, str]:
    """The date in ``parts``, or the part to point the error at ("day", "month" or "year") and the Design System's
    message. Returns (date or None, part, message); the message is empty when there is no error."""
    if parts.empty:
        return None, "day", f"Enter {label}" if required else ""
    capital = f"{label[0].upper()}{label[1:]}"
    missing = [p for p, v in (("day", parts.day), ("month", parts.month), ("year", parts.year)) if not v]
    if missing:
        return None, missing[0], f"{capital} must include a {' and '.join(missing)}"
    month_text = parts.month.lower().rstrip(".")
    month = MONTHS.get(month_text) or (int(month_text) if month_text.isdecimal() else 0)
    try:
        if len(parts.year) != 4 or not (parts.year.isdecimal() and parts.day.isdecimal()):
            raise ValueError
        value = date(int(parts.year), month, int(parts.day))
    except (ValueError, OverflowError):
        return None, "day", f"{capital} must be a real date"
    today = today or date.today()
    if past and value > today:
        return None, "day", f"{capital} must be today or in the past"
    if future and value < today:
        return None, "day", f"{capital} must be today or in the future"
    return value, "", ""


def parse_date(
    form: Mapping[str, str],
    name: str,
    label: str,
    errors: FormErrors,
    *,
    required: bool = True,
    past: bool = False,
    future: bool = False,
    today: date | None = None,
) -> date | None:
    """Parse a GOV.UK date input ``name-day``/``name-month``/``name-year`` with the standard messages."""
    value, part, message = check_date(
        date_parts(form, name), label, required=required, past=past, future=future, today=today
    )
    if message:
        errors.add(f"{name}-{part}", message)
    return value


REAL_TIME = "Enter a real time, for example 2:30pm or 14:30"


def parse_time_of_day(value: str) -> tuple[int, int] | None:
    """Parse "2:30pm", "14:30", "2pm", "midday", "midnight" leniently. Returns (hour, minute) or None."""
    text = value.strip().lower().replace(".", ":").replace(" ", "")
    if text in {"midday", "noon", "12noon"}:
        return 12, 0
    if text == "midnight":
        return 0, 0
    suffix = None
    if text.endswith(("am", "pm")):
        suffix, text = text[-2:], text[:-2]
    if ":" in text:
        hour_text, _, minute_text = text.partition(":")
    elif len(text) in (3, 4) and suffix is None:
        hour_text, minute_text = text[:-2], text[-2:]
    else:
        hour_text, minute_text = text, "0"
    if not (hour_text.isdecimal() and minute_text.isdecimal()):
        return None
    hour, minute = int(hour_text), int(minute_text)
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute


def restored_form_data() -> dict[str, Any] | None:
    """Form data kept from a session that ended mid-form, restored once on the page it was posted to."""
    from conference.auth.models import FormDraft

    draft_id = session.get("restore_draft")
    if not draft_id:
        return None
    draft = db.session.get(FormDraft, uuid.UUID(draft_id))
    if draft is None or draft.path != request.path:
        return None
    session.pop("restore_draft", None)
    data = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in draft.data.items()}
    db.session.delete(draft)
    return data


def local_datetime(on: date, hour: int, minute: int) -> datetime:
    from rules.clock import LONDON

    return datetime(on.year, on.month, on.day, hour, minute, tzinfo=LONDON)
