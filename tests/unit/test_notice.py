"""Minimum notice and the reply cut-off (rules.timescales): at 1am, on a Friday evening, before a bank holiday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules.clock import LONDON
from rules.notice import (
    MINIMUM_REPLY_TIME,
    earliest_reply_cutoff,
    earliest_start_with_notice,
    minimum_notice,
    short_notice,
)
from rules.timescales import TimescaleError
from rules.vocabulary import MeetingType, Nation


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def test_an_urgent_strategy_discussion_at_1am_starts_no_sooner_than_30_minutes_later() -> None:
    now_at = london(2026, 12, 8, 1, 11)  # a Tuesday, 1:11am: the meeting users saw offered at 1:15am
    notice = minimum_notice(MeetingType.STRATEGY_DISCUSSION, urgent=True)
    earliest = earliest_start_with_notice(now_at, notice, Nation.ENGLAND)
    assert earliest == london(2026, 12, 8, 1, 41)
    assert notice.words == "30 minutes"
    assert earliest_reply_cutoff(now_at) == london(2026, 12, 8, 1, 26)


def test_a_strategy_discussion_that_is_not_urgent_needs_two_hours() -> None:
    now_at = london(2026, 12, 8, 1, 11)
    notice = minimum_notice(MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION, urgent=False)
    assert notice.words == "2 hours"
    assert earliest_start_with_notice(now_at, notice, Nation.SCOTLAND) == london(2026, 12, 8, 3, 11)


def test_a_conference_convened_on_a_friday_evening_starts_no_sooner_than_monday_at_the_same_time() -> None:
    now_at = london(2026, 12, 4, 18, 30)  # Friday
    notice = minimum_notice(MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE, urgent=True)  # urgency changes nothing
    assert notice.words == "1 working day"
    assert earliest_start_with_notice(now_at, notice, Nation.ENGLAND) == london(2026, 12, 7, 18, 30)


def test_before_a_bank_holiday_the_working_day_is_counted_in_the_nation() -> None:
    now_at = london(2026, 4, 2, 16, 0)  # Thursday before Good Friday; Easter Monday is a holiday in England only
    notice = minimum_notice(MeetingType.REVIEW, urgent=False)
    assert earliest_start_with_notice(now_at, notice, Nation.ENGLAND) == london(2026, 4, 7, 16, 0)
    assert earliest_start_with_notice(now_at, notice, Nation.SCOTLAND) == london(2026, 4, 6, 16, 0)


def test_the_clock_change_keeps_the_london_clock_time() -> None:
    now_at = london(2026, 10, 23, 10, 0)  # Friday; the clocks go back on Sunday 25 October
    notice = minimum_notice(MeetingType.DEVOLVED_NRM_DECISION_PANEL, urgent=False)
    start = earliest_start_with_notice(now_at, notice, Nation.WALES)
    assert start.astimezone(LONDON).hour == 10 and start - now_at == timedelta(days=3, hours=1)


def test_short_notice_is_said_in_words_and_enough_notice_says_nothing() -> None:
    now_at = london(2026, 12, 8, 1, 11)
    warning = short_notice(
        now_at, london(2026, 12, 8, 1, 15), MeetingType.STRATEGY_DISCUSSION, urgent=True, nation=Nation.ENGLAND
    )
    assert warning is not None and "4 minutes" in warning and "at least 30 minutes" in warning
    assert (
        short_notice(
            now_at, london(2026, 12, 8, 1, 45), MeetingType.STRATEGY_DISCUSSION, urgent=True, nation=Nation.ENGLAND
        )
        is None
    )


def test_the_reply_time_is_at_least_the_minimum_and_times_must_be_aware() -> None:
    assert MINIMUM_REPLY_TIME >= timedelta(minutes=15)
    with pytest.raises(TimescaleError):
        earliest_reply_cutoff(datetime(2026, 12, 8, 1, 11))  # naive on purpose


@pytest.mark.parametrize("meeting_type", list(MeetingType))
def test_every_meeting_type_has_a_notice_with_a_source(meeting_type: MeetingType) -> None:
    for urgent in (False, True):
        notice = minimum_notice(meeting_type, urgent=urgent)
        assert notice.source and (notice.within > timedelta(0) or notice.working_days > 0)


@pytest.mark.parametrize("minutes_away", [4, 20, 45, 120, 24 * 60])
def test_the_default_cut_off_is_never_earlier_than_sending_plus_the_minimum(minutes_away: int) -> None:
    from conference.convening.invitations import default_cutoff

    sent_at = london(2026, 12, 8, 1, 11)
    start_at = sent_at + timedelta(minutes=minutes_away)
    cutoff = default_cutoff(sent_at, start_at)
    assert cutoff >= sent_at + MINIMUM_REPLY_TIME
    if minutes_away >= 60:
        assert cutoff <= start_at
