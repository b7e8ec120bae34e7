"""Pure pieces of convening: backoff, working-hours check for "another time", form moments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from flask import Flask

from conference.convening.availability import _within_hours
from conference.convening.forms import CutoffForm, PeopleForm
from conference.outbox.worker import MAX_BACKOFF, backoff

NINE_TO_FIVE = tuple(((9 * 60, 17 * 60),) if d < 5 else () for d in range(7))


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert backoff(50) == MAX_BACKOFF


def test_within_hours_follows_london_clock_changes():
    summer = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 9am BST, a Monday
    assert _within_hours(NINE_TO_FIVE, summer, summer + timedelta(hours=1))
    winter = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 8am GMT
    assert not _within_hours(NINE_TO_FIVE, winter, winter + timedelta(hours=1))
    saturday = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)
    assert not _within_hours(NINE_TO_FIVE, saturday, saturday + timedelta(hours=1))


def _cutoff_form(data: dict[str, str]) -> CutoffForm:
    with Flask(__name__).test_request_context("/", method="POST", data=data):
        form = CutoffForm()
        form.validate()
        return form


def test_a_moment_is_read_in_london_time_from_a_date_field_and_a_time_field():
    form = _cutoff_form({"cutoff-day": "1", "cutoff-month": "July", "cutoff-year": "2026", "cutoff-time": "2:30pm"})
    assert not form.gov_errors and form.cutoff_at == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert form.values()["cutoff-month"] == "July" and form.values()["cutoff-time"] == "2:30pm"
    form = _cutoff_form({"cutoff-day": "1", "cutoff-month": "7", "cutoff-year": "2026", "cutoff-time": "noonish"})
    assert form.cutoff_at is None
    assert form.gov_errors.summary() == [
        {"text": "Enter a real time, for example 2:30pm or 14:30", "href": "#cutoff-time"}
    ]


def test_a_check_after_validation_adds_its_error_at_the_day_and_a_service_can_add_more():
    form = _cutoff_form({"cutoff-day": "2", "cutoff-month": "7", "cutoff-year": "2026", "cutoff-time": "9am"})
    assert not form.check_before(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    form.add_error("cutoff-day", "A later check does not replace the first message")
    form.add_error("cutoff-time", "Checked by a service")
    assert form.gov_errors.summary() == [
        {"text": "The cut-off must be before the meeting starts", "href": "#cutoff-day"},
        {"text": "Checked by a service", "href": "#cutoff-time"},
    ]
    assert form.status == 400


def test_the_people_form_lists_each_seat_in_page_order():
    seats = [SimpleNamespace(id=uuid.uuid4(), role=SimpleNamespace(label=label)) for label in ("Police", "Health")]
    first, second = (str(s.id) for s in seats)
    data = {f"required-{second}": "yes", f"written-{second}": "yes", "action": "continue"}
    with Flask(__name__).test_request_context("/", method="POST", data=data):
        form = PeopleForm.for_seats(seats)()
        assert not form.check_only(form.seat_fields("required"))
        assert form.gov_errors.summary() == [
            {"text": "Select whether Police is required", "href": f"#required-{first}"}
        ]
    data[f"required-{first}"] = "no"
    with Flask(__name__).test_request_context("/", method="POST", data=data):
        form = PeopleForm.for_seats(seats)()
        assert form.check_only(form.seat_fields("required"))
        assert form.seat_choices() == {first: (False, False), second: (True, True)}
