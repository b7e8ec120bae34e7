"""Working-day arithmetic and default meeting windows (rules.timescales)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from rules.clock import LONDON, add_working_days, bank_holiday_name, is_working_day
from rules.timescales import (
    TimescaleError,
    calendar_day_deadline_on,
    close_of_business_at,
    default_window,
    working_day_deadline_on,
)
from rules.vocabulary import MeetingType, Nation

ALL = list(Nation)


@pytest.mark.parametrize(
    ("day", "nation", "expected"),
    [
        (date(2026, 11, 30), Nation.SCOTLAND, False),  # St Andrew's Day, a Monday
        (date(2026, 11, 30), Nation.ENGLAND, True),
        (date(2026, 3, 17), Nation.NORTHERN_IRELAND, False),  # St Patrick's Day, a Tuesday
        (date(2026, 3, 17), Nation.WALES, True),
        (date(2026, 7, 13), Nation.NORTHERN_IRELAND, False),  # Battle of the Boyne, substitute Monday
        (date(2026, 7, 13), Nation.SCOTLAND, True),
        (date(2026, 4, 6), Nation.ENGLAND, False),  # Easter Monday
        (date(2026, 4, 6), Nation.SCOTLAND, True),  # not a bank holiday in Scotland
        (date(2026, 8, 3), Nation.SCOTLAND, False),  # first Monday of August, Scotland only
        (date(2026, 8, 3), Nation.ENGLAND, True),
        (date(2026, 12, 28), Nation.ENGLAND, False),  # Boxing Day substitute
        (date(2027, 1, 4), Nation.SCOTLAND, False),  # 2 January substitute
        (date(2027, 1, 4), Nation.ENGLAND, True),
        (date(2026, 11, 28), Nation.ENGLAND, False),  # a Saturday
    ],
)
def test_is_working_day_uses_each_nations_bank_holidays(day: date, nation: Nation, expected: bool) -> None:
    assert is_working_day(day, nation) is expected


def test_is_working_day_refuses_datetimes() -> None:
    with pytest.raises(TypeError, match="date, not a datetime"):
        is_working_day(datetime(2026, 1, 5, 9, tzinfo=UTC), Nation.ENGLAND)


def test_bank_holiday_names() -> None:
    assert bank_holiday_name(date(2026, 11, 30), Nation.SCOTLAND) == "Saint Andrew's Day"
    assert bank_holiday_name(date(2026, 11, 30), Nation.ENGLAND) is None


@pytest.mark.parametrize(
    ("start_on", "n", "nation", "expected"),
    [
        (date(2026, 11, 27), 1, Nation.ENGLAND, date(2026, 11, 30)),
        (date(2026, 11, 27), 1, Nation.SCOTLAND, date(2026, 12, 1)),  # skips St Andrew's Day
        (date(2026, 3, 16), 1, Nation.NORTHERN_IRELAND, date(2026, 3, 18)),  # skips St Patrick's Day
        (date(2026, 3, 16), 1, Nation.ENGLAND, date(2026, 3, 17)),
        # Christmas and New Year: 24 Dec (Thu) + 1 skips Fri 25, weekend, Mon 28 substitute.
        (date(2026, 12, 24), 1, Nation.ENGLAND, date(2026, 12, 29)),
        (date(2026, 12, 31), 1, Nation.ENGLAND, date(2027, 1, 4)),
        (date(2026, 12, 31), 1, Nation.SCOTLAND, date(2027, 1, 5)),  # 1 Jan, 2 Jan (Sat) -> Mon 4 Jan
        (date(2026, 12, 23), 5, Nation.WALES, date(2027, 1, 4)),
        (date(2026, 12, 26), 0, Nation.ENGLAND, date(2026, 12, 29)),  # 0 rolls forward to a working day
        (date(2026, 12, 22), 0, Nation.ENGLAND, date(2026, 12, 22)),
    ],
)
def test_add_working_days(start_on: date, n: int, nation: Nation, expected: date) -> None:
    assert add_working_days(start_on, n, nation) == expected


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 1, 5), -1, Nation.ENGLAND)


@pytest.mark.parametrize("nation", ALL)
def test_add_working_days_lands_on_working_days_and_counts_each_one(nation: Nation) -> None:
    start_on = date(2026, 12, 1)
    for n in range(1, 40):
        result = add_working_days(start_on, n, nation)
        assert is_working_day(result, nation)
        counted = sum(
            is_working_day(start_on + timedelta(days=k), nation) for k in range(1, (result - start_on).days + 1)
        )
        assert counted == n


def test_fifteen_working_days_over_christmas_counts_the_strategy_discussion_as_day_one() -> None:
    # Thu 17 Dec 2026 is day 1; 25 Dec, 28 Dec (Boxing Day substitute) and 1 Jan are not counted.
    assert working_day_deadline_on(date(2026, 12, 17), 15, Nation.ENGLAND) == date(2027, 1, 11)
    # A strategy discussion on a Saturday: Monday is day 1.
    assert working_day_deadline_on(date(2026, 11, 28), 1, Nation.ENGLAND) == date(2026, 11, 30)
    assert working_day_deadline_on(date(2026, 11, 28), 1, Nation.SCOTLAND) == date(2026, 12, 1)


def test_calendar_day_deadline_counts_the_anchor_as_day_one() -> None:
    assert calendar_day_deadline_on(date(2026, 3, 1), 28) == date(2026, 3, 28)
    with pytest.raises(ValueError, match="at least 1"):
        calendar_day_deadline_on(date(2026, 3, 1), 0)


@pytest.mark.parametrize(
    ("day", "expected_at"),
    [
        (date(2026, 3, 27), datetime(2026, 3, 27, 17, tzinfo=UTC)),  # Friday before the clocks go forward
        (date(2026, 3, 30), datetime(2026, 3, 30, 16, tzinfo=UTC)),  # Monday after: BST
        (date(2026, 10, 23), datetime(2026, 10, 23, 16, tzinfo=UTC)),  # Friday before the clocks go back
        (date(2026, 10, 26), datetime(2026, 10, 26, 17, tzinfo=UTC)),  # Monday after: GMT
    ],
)
def test_close_of_business_follows_the_clock_change(day: date, expected_at: datetime) -> None:
    assert close_of_business_at(day) == expected_at


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def test_icpc_in_england_is_due_at_five_pm_on_the_fifteenth_working_day() -> None:
    window = default_window(
        meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        nation=Nation.ENGLAND,
        identified_at=_at("2026-12-15T10:00"),
        at_risk_of_going_missing=False,
        strategy_discussion_at=_at("2026-12-17T11:00"),
    )
    assert window.earliest_at == _at("2026-12-17T11:00")
    assert window.deadline_at == datetime(2027, 1, 11, 17, tzinfo=UTC)
    assert window.deadline_at.tzinfo is UTC
    assert "15 working days" in window.basis and "day 1" in window.basis


def test_icpc_window_across_the_october_clock_change() -> None:
    # Strategy discussion Mon 5 Oct 2026 (BST); day 15 is Fri 23 Oct, still BST -> 16:00Z.
    window = default_window(
        meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        nation=Nation.WALES,
        identified_at=_at("2026-10-05T09:00"),
        at_risk_of_going_missing=False,
        strategy_discussion_at=_at("2026-10-05T10:00"),
    )
    assert window.deadline_at == datetime(2026, 10, 23, 16, tzinfo=UTC)


def test_icpc_needs_the_strategy_discussion_date() -> None:
    with pytest.raises(TimescaleError, match="no strategy discussion held so far has started section 47 enquiries"):
        default_window(
            meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
            nation=Nation.ENGLAND,
            identified_at=_at("2026-12-15T10:00"),
            at_risk_of_going_missing=False,
        )


def test_scottish_cppm_is_28_calendar_days_including_holidays() -> None:
    window = default_window(
        meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        nation=Nation.SCOTLAND,
        identified_at=_at("2026-11-20T10:00"),
        at_risk_of_going_missing=False,
        strategy_discussion_at=_at("2026-11-20T15:00"),
    )
    assert window.deadline_at == datetime(2026, 12, 17, 17, tzinfo=UTC)
    assert "28 calendar days" in window.basis


def test_going_missing_is_hours_not_days_even_over_the_clock_change() -> None:
    identified_at = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)  # Saturday night, clocks go forward at 01:00Z
    window = default_window(
        meeting_type=MeetingType.STRATEGY_DISCUSSION,
        nation=Nation.ENGLAND,
        identified_at=identified_at,
        at_risk_of_going_missing=True,
    )
    assert window.deadline_at - window.earliest_at == timedelta(hours=8)
    assert window.deadline_at.astimezone(LONDON).hour == 7  # 06:30Z is 07:30 BST
    assert "going missing" in window.basis


def test_ni_strategy_discussion_within_24_hours() -> None:
    identified_at = datetime(2026, 3, 16, 9, tzinfo=UTC)
    window = default_window(
        meeting_type=MeetingType.STRATEGY_DISCUSSION_NI,
        nation=Nation.NORTHERN_IRELAND,
        identified_at=identified_at,
        at_risk_of_going_missing=False,
    )
    assert window.deadline_at == identified_at + timedelta(hours=24)


def test_england_strategy_discussion_default_is_next_working_day() -> None:
    window = default_window(
        meeting_type=MeetingType.STRATEGY_DISCUSSION,
        nation=Nation.ENGLAND,
        identified_at=_at("2026-12-24T15:00"),
        at_risk_of_going_missing=False,
        now_at=_at("2026-12-24T16:00"),
    )
    assert window.earliest_at == _at("2026-12-24T16:00")
    assert window.deadline_at == datetime(2026, 12, 29, 17, tzinfo=UTC)


def test_scotland_ird_next_working_day_skips_st_andrews_day() -> None:
    window = default_window(
        meeting_type=MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
        nation=Nation.SCOTLAND,
        identified_at=_at("2026-11-27T14:00"),
        at_risk_of_going_missing=False,
    )
    assert window.deadline_at == datetime(2026, 12, 1, 17, tzinfo=UTC)


def test_type_not_used_in_nation_is_explained() -> None:
    with pytest.raises(TimescaleError, match="not used in England"):
        default_window(
            meeting_type=MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
            nation=Nation.ENGLAND,
            identified_at=_at("2026-11-27T14:00"),
            at_risk_of_going_missing=False,
        )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(TimescaleError, match="aware datetime"):
        default_window(
            meeting_type=MeetingType.STRATEGY_DISCUSSION,
            nation=Nation.ENGLAND,
            identified_at=datetime(2026, 11, 27, 14),
            at_risk_of_going_missing=True,
        )


def test_panel_and_review_need_their_anchor() -> None:
    base = {"nation": Nation.ENGLAND, "identified_at": _at("2026-06-01T10:00"), "at_risk_of_going_missing": False}
    with pytest.raises(TimescaleError, match="NRM referral"):
        default_window(meeting_type=MeetingType.DEVOLVED_NRM_DECISION_PANEL, **base)
    with pytest.raises(TimescaleError, match="previous conference"):
        default_window(meeting_type=MeetingType.REVIEW, **base)
    panel = default_window(
        meeting_type=MeetingType.DEVOLVED_NRM_DECISION_PANEL, referred_at=_at("2026-06-01T10:00"), **base
    )
    assert panel.deadline_at == datetime(2026, 7, 15, 16, tzinfo=UTC)


# --- issue 11: rules corrected against their sources ------------------------------------------------------


def test_icpc_counts_from_the_strategy_discussion_that_started_s47__working_together_2023() -> None:
    """Working Together 2023: 15 working days from the strategy discussion at which s47 enquiries started,
    not from the latest one, and never from one not yet held or not signed off."""
    from rules.timescales import StrategyDiscussionHeld, enquiries_started_at

    started = _at("2026-10-05T10:00")
    discussions = [
        StrategyDiscussionHeld(_at("2026-10-01T10:00"), False),
        StrategyDiscussionHeld(started, True),
        StrategyDiscussionHeld(_at("2026-10-12T10:00"), False),  # a later one that did not start enquiries
        StrategyDiscussionHeld(_at("2026-10-14T10:00"), None),  # not signed off yet
    ]
    anchor = enquiries_started_at(discussions)
    assert anchor == started
    window = default_window(
        meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        nation=Nation.ENGLAND,
        identified_at=_at("2026-09-30T10:00"),
        at_risk_of_going_missing=False,
        strategy_discussion_at=anchor,
    )
    assert window.deadline_at == datetime(2026, 10, 23, 16, tzinfo=UTC)
    assert "started section 47 enquiries" in window.basis
    assert enquiries_started_at([StrategyDiscussionHeld(_at("2026-10-01T10:00"), False)]) is None


def test_no_icpc_deadline_is_invented_without_an_enquiry_starting_discussion__working_together_2023() -> None:
    with pytest.raises(TimescaleError, match="no inter-agency referral discussion held so far has started"):
        default_window(
            meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
            nation=Nation.SCOTLAND,
            identified_at=_at("2026-12-15T10:00"),
            at_risk_of_going_missing=False,
        )


@pytest.mark.parametrize("nation", [Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND])
def test_first_review_within_3_months_then_at_most_6_months__working_together_2023_wales_procedures(
    nation: Nation,
) -> None:
    """Working Together 2023 and the Wales Safeguarding Procedures: the first review within 3 months of the
    initial conference, later reviews at most 6 months apart (Scotland/NI marked unconfirmed in the source)."""
    base = {"nation": nation, "identified_at": _at("2026-01-05T10:00"), "at_risk_of_going_missing": False}
    first = default_window(
        meeting_type=MeetingType.REVIEW,
        previous_meeting_at=_at("2026-01-15T10:00"),
        previous_meeting_type=MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE,
        **base,
    )
    assert first.deadline_at == close_of_business_at(date(2026, 4, 14))
    later = default_window(
        meeting_type=MeetingType.REVIEW,
        previous_meeting_at=_at("2026-04-10T10:00"),
        previous_meeting_type=MeetingType.REVIEW,
        **base,
    )
    assert later.deadline_at == close_of_business_at(date(2026, 10, 9))
    assert "6 months" in later.basis
    if nation in (Nation.SCOTLAND, Nation.NORTHERN_IRELAND):
        assert "[UNCONFIRMED]" in later.source


def test_month_deadline_clamps_to_the_end_of_a_short_month() -> None:
    from rules.timescales import month_deadline_on

    assert month_deadline_on(date(2026, 8, 31), 6) == date(2027, 2, 27)
    assert month_deadline_on(date(2026, 11, 30), 3) == date(2027, 2, 27)
    with pytest.raises(ValueError, match="at least 1 month"):
        month_deadline_on(date(2026, 1, 1), 0)


def test_eight_hours_for_a_missing_child_is_convenes_own_choice_not_working_together_2023() -> None:
    """The guidance says only "as soon as possible"; the 8 hours must not be attributed to Working Together."""
    window = default_window(
        meeting_type=MeetingType.STRATEGY_DISCUSSION,
        nation=Nation.ENGLAND,
        identified_at=_at("2026-11-27T14:00"),
        at_risk_of_going_missing=True,
    )
    assert window.source.startswith("Convene's own choice")
    assert "Convene's own default" in window.basis
