"""NRM tracker dates across weekends and each nation's bank holidays."""

from datetime import date, timedelta

import pytest

from rules.clock import add_working_days
from rules.nrm_tracker import earliest_conclusive_grounds_on, reasonable_grounds_due_on, track_nrm


@pytest.mark.parametrize(
    ("nation", "referred_on", "due_on"),
    [
        ("england", date(2026, 3, 2), date(2026, 3, 9)),  # Monday, no holidays: next Monday
        ("england", date(2026, 4, 1), date(2026, 4, 10)),  # Good Friday and Easter Monday skipped
        ("scotland", date(2026, 4, 1), date(2026, 4, 9)),  # Scotland has no Easter Monday holiday
        ("wales", date(2026, 12, 23), date(2027, 1, 4)),  # Christmas, Boxing Day (observed 28th), New Year
        ("scotland", date(2026, 12, 31), date(2027, 1, 11)),  # 1 and 2 January (2 Jan is a Saturday: 4th off)
        ("northern_ireland", date(2026, 3, 16), date(2026, 3, 24)),  # St Patrick's Day
        ("england", date(2026, 3, 7), date(2026, 3, 13)),  # Saturday referral: Monday is day 1
    ],
)
def test_reasonable_grounds_due_within_five_working_days(nation: str, referred_on: date, due_on: date) -> None:
    assert reasonable_grounds_due_on(referred_on, nation) == due_on


def test_zero_working_days_is_the_same_day_and_negative_is_refused() -> None:
    assert add_working_days(date(2026, 3, 2), 0, "england") == date(2026, 3, 2)
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2026, 3, 2), -1, "england")


def test_late_flag_before_and_after_the_due_date() -> None:
    on_due = track_nrm("england", date(2026, 4, 1), today=date(2026, 4, 10))
    assert not on_due.rg_late
    assert on_due.status == (
        "Referred to the NRM on Wednesday 1 April 2026. Reasonable grounds decision due by Friday 10 April 2026."
    )
    late = track_nrm("england", date(2026, 4, 1), reference="NRM-123", today=date(2026, 4, 13))
    assert late.rg_late
    assert "(reference NRM-123)" in late.status
    assert "The reasonable grounds decision is late: it was due by Friday 10 April 2026." in late.status
    decided_late = track_nrm("england", date(2026, 4, 1), rg_decided_on=date(2026, 4, 14), rg_outcome="rg_positive")
    assert decided_late.rg_late
    assert "after the due date" in decided_late.status


def test_earliest_conclusive_grounds_is_thirty_calendar_days_after_reasonable_grounds() -> None:
    assert earliest_conclusive_grounds_on(date(2026, 4, 8)) == date(2026, 5, 8)
    tracker = track_nrm(
        "wales", date(2026, 4, 1), rg_decided_on=date(2026, 4, 8), rg_outcome="rg_positive", today=date(2026, 4, 9)
    )
    assert tracker.cg_earliest_on == date(2026, 5, 8)
    assert "A conclusive grounds decision can be made from Friday 8 May 2026." in tracker.status
    early = track_nrm(
        "wales",
        date(2026, 4, 1),
        rg_decided_on=date(2026, 4, 8),
        rg_outcome="rg_positive",
        cg_decided_on=date(2026, 5, 1),
        cg_outcome="cg_negative",
    )
    assert early.cg_before_earliest
    assert "before the earliest date of Friday 8 May 2026" in early.status


def test_negative_reasonable_grounds_has_no_conclusive_step() -> None:
    tracker = track_nrm("england", date(2026, 4, 1), rg_decided_on=date(2026, 4, 2), rg_outcome="rg_negative")
    assert tracker.status.endswith("Negative reasonable grounds decision on Thursday 2 April 2026.")


def test_not_referred_and_impossible_orders() -> None:
    assert track_nrm("england", None).status == "Not referred to the NRM yet."
    with pytest.raises(ValueError, match="on or after the referral date"):
        track_nrm("england", date(2026, 4, 2), rg_decided_on=date(2026, 4, 1))
    with pytest.raises(ValueError, match="before the conclusive grounds decision"):
        track_nrm("england", date(2026, 4, 2), cg_decided_on=date(2026, 5, 1))
    with pytest.raises(ValueError, match="Unknown NRM decision"):
        track_nrm("england", date(2026, 4, 2), rg_decided_on=date(2026, 4, 3), rg_outcome="maybe")


# --- issue 11: each nation's rule and the devolved pilot -------------------------------------------------


def test_devolved_pilot_rg_due_within_45_days_of_referral_as_the_timescales_say__pilot_summary_unconfirmed() -> None:
    """Devolved pilot (yjlc summary of the pilot guidance, unconfirmed in the primary text): RG within 45 days of
    the referral. The tracker reads the number from rules.timescales, so it agrees with the panel's deadline."""
    from rules.timescales import PANEL_CALENDAR_DAYS, calendar_day_deadline_on

    referred_on = date(2026, 4, 1)
    expected = calendar_day_deadline_on(referred_on, PANEL_CALENDAR_DAYS)
    assert reasonable_grounds_due_on(referred_on, "england", devolved_pilot=True) == expected == date(2026, 5, 15)
    on_time = track_nrm("england", referred_on, today=date(2026, 4, 20), devolved_pilot=True)
    assert not on_time.rg_late
    assert "due by Friday 15 May 2026" in on_time.status


def test_devolved_pilot_cg_at_the_same_panel_as_rg_is_not_early__pilot_guidance() -> None:
    """The pilot panel may make the CG decision at the same meeting as the RG decision when the evidence is
    enough; the 30-day recovery period is the SCA's practice (pilot general guidance v6.0, introduction)."""
    same_day = track_nrm(
        "wales",
        date(2026, 4, 1),
        rg_decided_on=date(2026, 4, 20),
        rg_outcome="rg_positive",
        cg_decided_on=date(2026, 4, 20),
        cg_outcome="cg_positive_trafficking",
        devolved_pilot=True,
    )
    assert not same_day.cg_before_earliest
    assert "before the earliest date" not in same_day.status
    waiting = track_nrm(
        "wales", date(2026, 4, 1), rg_decided_on=date(2026, 4, 20), rg_outcome="rg_positive", devolved_pilot=True
    )
    assert "at the same meeting" in waiting.status


@pytest.mark.parametrize(
    ("nation", "days"),
    [("england", 30), ("wales", 30), ("scotland", 90), ("northern_ireland", 45)],
)
def test_cg_minimum_is_each_nations_rule__msa_guidance_ssi_2018_90_nia_2015_s18(nation: str, days: int) -> None:
    """England and Wales: 30 days (MSA statutory guidance). Scotland: 90 days (SSI 2018/90 reg. 2, unconfirmed
    for a child). Northern Ireland: 45 days (HTE Act (NI) 2015 s18(4), unconfirmed for a child)."""
    rg_on = date(2026, 4, 8)
    assert earliest_conclusive_grounds_on(rg_on, nation) == rg_on + timedelta(days=days)
    tracker = track_nrm(nation, date(2026, 4, 1), rg_decided_on=rg_on, rg_outcome="rg_positive")
    assert tracker.cg_earliest_on == rg_on + timedelta(days=days)
    assert ("not confirmed for a child" in tracker.status) == (nation in ("scotland", "northern_ireland"))
