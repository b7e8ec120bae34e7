"""The Design System's date and time fields (conference.forms.fields) and the base form's error list."""

from __future__ import annotations

from datetime import date, time

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import Form

from conference.forms import (
    FormErrors,
    GovDateField,
    GovFileField,
    GovForm,
    GovListField,
    GovTextField,
    GovTimeField,
    parse_date,
)

TODAY = date(2026, 11, 23)
NOT_REAL = "The date of the decision must be a real date"


class DateForm(Form):  # type: ignore[misc]
    on = GovDateField("the date of the decision", today=lambda: TODAY)
    past_on = GovDateField("the date the referral was made", required=False, past=True, today=TODAY)
    future_on = GovDateField("the date the action is due", required=False, future=True, today=TODAY)


def _date_form(**parts: str) -> DateForm:
    form = DateForm(MultiDict(parts))
    form.validate()
    return form


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"on-day": "23", "on-month": "11", "on-year": "2026"}, date(2026, 11, 23)),
        ({"on-day": " 1 ", "on-month": "February", "on-year": "2027"}, date(2027, 2, 1)),
        ({"on-day": "3", "on-month": "sept", "on-year": "2026"}, date(2026, 9, 3)),
        ({"on-day": "3", "on-month": "Dec.", "on-year": "2026"}, date(2026, 12, 3)),
    ],
)
def test_a_date_is_read_from_three_parts_with_month_names(parts: dict[str, str], expected: date) -> None:
    form = _date_form(**parts)
    assert form.on.errors == []
    assert form.on.data == expected


@pytest.mark.parametrize(
    ("parts", "error_id", "message"),
    [
        ({}, "on-day", "Enter the date of the decision"),
        ({"on-month": "11", "on-year": "2026"}, "on-day", "The date of the decision must include a day"),
        ({"on-day": "1", "on-year": "2026"}, "on-month", "The date of the decision must include a month"),
        ({"on-day": "1", "on-month": "11"}, "on-year", "The date of the decision must include a year"),
        ({"on-year": "2026"}, "on-day", "The date of the decision must include a day and month"),
        (
            {"on-day": "31", "on-month": "2", "on-year": "2026"},
            "on-day",
            "The date of the decision must be a real date",
        ),
        (
            {"on-day": "1", "on-month": "Smarch", "on-year": "2026"},
            "on-day",
            "The date of the decision must be a real date",
        ),
        ({"on-day": "1", "on-month": "1", "on-year": "26"}, "on-day", NOT_REAL),
        ({"on-day": "x", "on-month": "1", "on-year": "2026"}, "on-day", NOT_REAL),
    ],
)
def test_each_date_message_points_at_the_part_to_fix(parts: dict[str, str], error_id: str, message: str) -> None:
    form = _date_form(**parts)
    assert form.on.errors == [message]
    assert form.on.error_id == error_id
    assert form.on.data is None


def test_past_and_future_dates_are_checked_against_today() -> None:
    form = _date_form(
        **{"past_on-day": "24", "past_on-month": "11", "past_on-year": "2026"},
        **{"future_on-day": "22", "future_on-month": "11", "future_on-year": "2026"},
    )
    assert form.past_on.errors == ["The date the referral was made must be today or in the past"]
    assert form.future_on.errors == ["The date the action is due must be today or in the future"]
    ok = _date_form(
        **{"past_on-day": "23", "past_on-month": "11", "past_on-year": "2026"},
        **{"future_on-day": "23", "future_on-month": "11", "future_on-year": "2026"},
    )
    assert (ok.past_on.errors, ok.future_on.errors) == ([], [])
    assert ok.past_on.data == ok.future_on.data == TODAY


def test_an_optional_date_left_empty_is_none_without_an_error() -> None:
    form = _date_form(**{"on-day": "1", "on-month": "1", "on-year": "2026"})
    assert form.past_on.errors == [] and form.past_on.data is None


@pytest.mark.parametrize(
    "parts",
    [
        {},
        {"on-day": "5", "on-year": "2026"},
        {"on-day": "30", "on-month": "Feb", "on-year": "2026"},
        {"on-day": "1", "on-month": "1", "on-year": "20266"},
    ],
)
def test_the_field_and_the_hand_reader_agree(parts: dict[str, str]) -> None:
    errors = FormErrors()
    expected = parse_date(MultiDict(parts), "on", "the date of the decision", errors, today=TODAY)
    form = _date_form(**parts)
    assert form.on.data == expected
    assert [(form.on.error_id, m) for m in form.on.errors] == [(k, errors.get(k)) for k in errors]


class TimeForm(Form):  # type: ignore[misc]
    at = GovTimeField("the time the action is due")
    maybe = GovTimeField("the time", required=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2:30pm", time(14, 30)),
        ("2.30 PM", time(14, 30)),
        ("14:30", time(14, 30)),
        ("1430", time(14, 30)),
        ("2pm", time(14, 0)),
        ("12am", time(0, 0)),
        ("midday", time(12, 0)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
    ],
)
def test_a_time_is_read_leniently(text: str, expected: time) -> None:
    form = TimeForm(MultiDict({"at": text}))
    assert form.validate(), form.errors
    assert form.at.data == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the time the action is due"),
        ("   ", "Enter the time the action is due"),
        ("25:00", "Enter a real time, for example 2:30pm or 14:30"),
        ("13pm", "Enter a real time, for example 2:30pm or 14:30"),
        ("teatime", "Enter a real time, for example 2:30pm or 14:30"),
        ("10:75", "Enter a real time, for example 2:30pm or 14:30"),
    ],
)
def test_each_time_message(text: str, message: str) -> None:
    form = TimeForm(MultiDict({"at": text}))
    assert not form.validate()
    assert form.at.errors == [message]
    assert form.at.data is None


def test_an_optional_time_left_empty_is_none_without_an_error() -> None:
    form = TimeForm(MultiDict({"at": "9am"}))
    assert form.validate()
    assert form.maybe.data is None


def test_text_is_trimmed_and_cut_at_twice_its_length_but_passwords_are_not_trimmed() -> None:
    class TextForm(Form):  # type: ignore[misc]
        name = GovTextField(max_length=5)
        password = GovTextField(strip=False)

    form = TextForm(MultiDict({"name": "  a\r\nbcdefghijklmnop ", "password": " secret "}))
    assert form.name.data == "a\nbcdefghi"  # ten characters: twice five
    assert form.password.data == " secret "
    assert TextForm(MultiDict()).name.data == ""


class PageForm(GovForm):
    email = GovTextField()
    on = GovDateField("the date", today=TODAY)
    at = GovTimeField("the time")

    def validate_email(self, field: GovTextField) -> None:
        if not field.data:
            from wtforms.validators import StopValidation

            raise StopValidation("Enter your email address")


def test_the_base_form_lists_errors_in_page_order_first_message_per_field() -> None:
    app = Flask(__name__)
    with app.test_request_context("/", method="POST", data={"on-day": "1", "on-year": "2026", "at": "x"}):
        form = PageForm()
        assert not form.check()
        form.add_error("email", "A later message for the same field does not replace the first")
        form.add_error("somewhere", "Checked by a service")
        assert form.gov_errors.summary() == [
            {"text": "Enter your email address", "href": "#email"},
            {"text": "The date must include a month", "href": "#on-month"},
            {"text": "Enter a real time, for example 2:30pm or 14:30", "href": "#at"},
            {"text": "Checked by a service", "href": "#somewhere"},
        ]
        assert form.status == 400
        assert "csrf_token" not in form._fields  # checked once, by conference.security, before the view


def test_the_base_form_is_not_checked_on_get_and_has_no_errors() -> None:
    app = Flask(__name__)
    with app.test_request_context("/"):
        form = PageForm()
        assert not form.check()
        assert not form.gov_errors and form.status == 200


def test_a_list_field_keeps_every_value_in_order_and_drops_overlong_ones() -> None:
    class ListForm(Form):  # type: ignore[misc]
        meeting = GovListField(max_item_length=5)

    form = ListForm(MultiDict([("meeting", "b"), ("meeting", "a"), ("meeting", "toolong")]))
    assert form.meeting.data == ["b", "a"]
    assert ListForm(MultiDict()).meeting.data == []


def test_a_file_field_reads_one_byte_past_its_limit_and_ignores_an_empty_file_input() -> None:
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    class FileForm(Form):  # type: ignore[misc]
        letter = GovFileField(max_bytes=4)

    chosen = FileForm(MultiDict({"letter": FileStorage(BytesIO(b"0123456789"), filename="a.pdf")}))
    assert chosen.letter.data == b"01234"
    none_chosen = FileForm(MultiDict({"letter": FileStorage(BytesIO(b""), filename="")}))
    assert none_chosen.letter.data is None
