"""The pure safety rules: checklist due times, the 72-hour return-home interview, repeated episodes, and the
timescale a missing episode's risk sets for reconvening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rules.clock import LONDON
from rules.safety import (
    CHECKLIST,
    GOLDEN_HOUR,
    PoliceRisk,
    SafetyItem,
    SafetyStatus,
    checklist_due_at,
    is_overdue,
    is_repeated,
    reconvene_window,
    return_interview_due_at,
)
from rules.timescales import TimescaleError
from rules.vocabulary import Nation

IDENTIFIED = datetime(2026, 11, 20, 22, 15, tzinfo=UTC)  # a Friday evening


def test_every_item_has_an_owner_a_due_time_and_a_source() -> None:
    assert list(CHECKLIST) == list(SafetyItem)
    for item, rule in CHECKLIST.items():
        assert rule.source and rule.label and item.label == rule.label
        assert timedelta(0) < rule.due_within <= timedelta(hours=24)
    assert checklist_due_at(SafetyItem.SAFE_PLACEMENT, IDENTIFIED) == IDENTIFIED + GOLDEN_HOUR
    assert checklist_due_at(SafetyItem.MEDICAL_NEEDS, IDENTIFIED) == IDENTIFIED + timedelta(hours=24)


def test_only_open_items_past_their_due_time_are_overdue() -> None:
    due = IDENTIFIED + GOLDEN_HOUR
    later = due + timedelta(minutes=1)
    assert is_overdue(SafetyStatus.TO_DO, due, later)
    assert is_overdue(SafetyStatus.IN_PROGRESS, due, later)
    assert not is_overdue(SafetyStatus.DONE, due, later)
    assert not is_overdue(SafetyStatus.NOT_NEEDED, due, later)
    assert not is_overdue(SafetyStatus.TO_DO, due, due - timedelta(minutes=1))


def test_return_interview_is_due_72_hours_after_the_return() -> None:
    assert return_interview_due_at(IDENTIFIED) == IDENTIFIED + timedelta(hours=72)
    with pytest.raises(TimescaleError):
        return_interview_due_at(datetime(2026, 11, 20, 12, 0))


def test_three_episodes_in_90_days_is_repeated() -> None:
    now = IDENTIFIED
    assert is_repeated([now - timedelta(days=d) for d in (1, 30, 89)], now)
    assert not is_repeated([now - timedelta(days=d) for d in (1, 30, 91)], now)
    assert not is_repeated([now - timedelta(days=d) for d in (1, 2)], now)


def test_reconvene_timescale_follows_the_risk() -> None:
    high = reconvene_window(PoliceRisk.HIGH, Nation.ENGLAND, IDENTIFIED)
    assert high.deadline_at == IDENTIFIED + timedelta(hours=8)
    # Reported on a Friday: medium is due by 5pm on Monday, low by 5pm on the next Friday.
    medium = reconvene_window(PoliceRisk.MEDIUM, Nation.ENGLAND, IDENTIFIED)
    assert medium.deadline_at.astimezone(LONDON) == datetime(2026, 11, 23, 17, 0, tzinfo=LONDON)
    low = reconvene_window(PoliceRisk.LOW, Nation.ENGLAND, IDENTIFIED)
    assert low.deadline_at.astimezone(LONDON) == datetime(2026, 11, 27, 17, 0, tzinfo=LONDON)
    none = reconvene_window(PoliceRisk.NO_APPARENT_RISK, Nation.ENGLAND, IDENTIFIED)
    assert none.deadline_at == low.deadline_at
    assert "Convene's own" in high.basis and "Convene's own" in medium.basis


def test_scottish_holidays_move_the_reconvene_deadline() -> None:
    friday_before_st_andrews = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Friday 27 November 2026
    england = reconvene_window(PoliceRisk.MEDIUM, Nation.ENGLAND, friday_before_st_andrews)
    scotland = reconvene_window(PoliceRisk.MEDIUM, Nation.SCOTLAND, friday_before_st_andrews)
    # St Andrew's Day, Monday 30 November 2026, is a Scottish bank holiday.
    assert england.deadline_at.astimezone(LONDON).date().day == 30
    assert scotland.deadline_at.astimezone(LONDON).date().day == 1
