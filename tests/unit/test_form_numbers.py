"""Odd numbers typed into date and time fields (huge, or digits from other scripts) get a message, never a 500."""

from __future__ import annotations

import pytest

from conference.forms import FormErrors, parse_date, parse_time_of_day


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("1", "1", "9" * 30),
        ("9" * 30, "1", "2026"),
        ("1", "9" * 30, "2026"),
        ("1", "\u00b2", "2026"),  # superscript two: str.isdigit() says yes, int() says no
        ("\u00b2", "1", "2026"),
    ],
)
def test_a_date_that_cannot_be_a_number_or_a_date_is_a_form_error(day: str, month: str, year: str) -> None:
    errors = FormErrors()
    form = {"dob-day": day, "dob-month": month, "dob-year": year}
    assert parse_date(form, "dob", "the date of birth", errors) is None
    assert errors.message("dob-day") == {"text": "The date of birth must be a real date"}


@pytest.mark.parametrize("text", ["\u00b2:00", "10:\u00b2", "\u00b2pm", "9" * 40 + ":00"])
def test_a_time_that_is_not_a_time_is_none(text: str) -> None:
    assert parse_time_of_day(text) is None
