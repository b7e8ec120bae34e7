"""The child's age on a date and the approaching-18 alert (rules/age.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.age import ADULTHOOD_ALERT_DAYS, adulthood_alert, age_on, birthday_in, child_age_on, eighteenth_birthday_on


@pytest.mark.parametrize(
    ("born_on", "on", "expected"),
    [
        (date(2010, 6, 15), date(2026, 6, 14), 15),
        (date(2010, 6, 15), date(2026, 6, 15), 16),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
    ],
)
def test_age_on_a_date(born_on, on, expected):
    assert age_on(born_on, on) == expected


def test_an_estimated_age_grows_from_the_day_it_was_given():
    age = child_age_on(date(2027, 3, 1), born_on=None, estimated_age=15, estimated_on=date(2026, 3, 2))
    assert age is not None and (age.years, age.estimated, age.text) == (15, True, "about 15 (estimated)")
    age = child_age_on(date(2027, 3, 2), born_on=None, estimated_age=15, estimated_on=date(2026, 3, 2))
    assert age is not None and age.years == 16


def test_a_date_of_birth_wins_over_an_estimate():
    age = child_age_on(date(2026, 12, 5), born_on=date(2012, 1, 1), estimated_age=17, estimated_on=date(2026, 1, 1))
    assert age is not None and (age.years, age.estimated, age.text) == (14, False, "14")
    assert child_age_on(date(2026, 12, 5), born_on=None, estimated_age=None, estimated_on=None) is None


def test_the_eighteenth_birthday():
    assert eighteenth_birthday_on(born_on=date(2009, 2, 28), estimated_age=None, estimated_on=None) == (
        date(2027, 2, 28),
        False,
    )
    assert eighteenth_birthday_on(born_on=None, estimated_age=16, estimated_on=date(2026, 5, 1)) == (
        date(2028, 5, 1),
        True,
    )


@pytest.mark.parametrize(
    ("days_before", "alert"),
    [(ADULTHOOD_ALERT_DAYS + 1, False), (ADULTHOOD_ALERT_DAYS, True), (50, True), (1, True), (0, False), (-3, False)],
)
def test_the_alert_starts_exactly_100_days_before_the_18th_birthday(days_before, alert):
    born_on = date(2009, 3, 20)
    turns_18_on = birthday_in(born_on, 2027)
    today = turns_18_on - timedelta(days=days_before)
    found = adulthood_alert(today, born_on=born_on, estimated_age=None, estimated_on=None)
    assert (found is not None) is alert
    if found is not None:
        assert found.turns_18_on == turns_18_on and found.days_left == days_before and not found.estimated
