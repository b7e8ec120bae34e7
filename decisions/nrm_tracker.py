"""NRM tracker: referral, reasonable grounds (RG) due date and lateness, earliest conclusive grounds (CG) date.

Timescales (domain.md section 2): the RG decision is due within **5 working days** of the referral
(a target, "where possible"); a CG decision can be made once at least **30 calendar days** have passed
since the RG decision.

Counting convention
-------------------
"Within N working days of the referral": the referral day itself is day 0, whatever time it was made;
day 1 is the next working day. Working days are Monday to Friday except the bank holidays of the nation
where the referral is made (``holidays`` package, UK subdivisions ENG / WLS / SCT / NIR, including
substitute days). So a referral on a Monday with no bank holiday that week is due by the following
Monday; a referral made on a Saturday is due by the next Friday (Saturday is day 0, Monday is day 1).
An RG decision made on the due date is on time. This differs from the DfE CIN validator, which counts the
start day as day 1; we chose day 0 because the guidance says "within 5 working days *of* referral".

The earliest CG date is the RG decision date plus 30 calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache

import holidays

from decisions.outcomes import CONCLUSIVE_GROUNDS_OUTCOMES, LONDON, REASONABLE_GROUNDS_OUTCOMES
from decisions.quorum import Nation

RG_WORKING_DAYS = 5
CG_MINIMUM_CALENDAR_DAYS = 30

_SUBDIVISIONS: dict[Nation, str] = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@cache
def _bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[nation], years=year).keys())


def is_working_day(day: date, nation: Nation | str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(Nation(nation), day.year)


def add_working_days(start_on: date, days: int, nation: Nation | str) -> date:
    """The date ``days`` working days after ``start_on`` (``start_on`` is day 0)."""
    if days < 0:
        raise ValueError("The number of working days must be 0 or more")
    current, counted = start_on, 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current, nation):
            counted += 1
    return current


def reasonable_grounds_due_on(referred_on: date, nation: Nation | str) -> date:
    return add_working_days(referred_on, RG_WORKING_DAYS, nation)


def earliest_conclusive_grounds_on(rg_decided_on: date) -> date:
    return rg_decided_on + timedelta(days=CG_MINIMUM_CALENDAR_DAYS)


def format_day(day: date) -> str:
    """House style: "Monday 23 November 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass(frozen=True)
class NrmTracker:
    nation: Nation
    reference: str
    referred_on: date | None
    rg_due_on: date | None
    rg_decided_on: date | None
    rg_outcome: str | None
    rg_late: bool
    cg_earliest_on: date | None
    cg_decided_on: date | None
    cg_outcome: str | None
    cg_before_earliest: bool
    status: str


_OUTCOME_LABELS = {o.key: o.label for o in REASONABLE_GROUNDS_OUTCOMES} | {
    o.key: o.label for options in CONCLUSIVE_GROUNDS_OUTCOMES.values() for o in options
}


def track_nrm(
    nation: Nation | str,
    referred_on: date | None,
    *,
    reference: str = "",
    rg_decided_on: date | None = None,
    rg_outcome: str | None = None,
    cg_decided_on: date | None = None,
    cg_outcome: str | None = None,
    today: date | None = None,
) -> NrmTracker:
    """Work out the tracker for a case. Raises `ValueError` for dates in an impossible order."""
    nat = Nation(nation)
    on = today or datetime.now(LONDON).date()
    _check_order(referred_on, rg_decided_on, cg_decided_on, rg_outcome, cg_outcome)
    rg_due_on = reasonable_grounds_due_on(referred_on, nat) if referred_on else None
    decided_or_today = rg_decided_on or on
    rg_late = rg_due_on is not None and decided_or_today > rg_due_on
    cg_earliest_on = earliest_conclusive_grounds_on(rg_decided_on) if rg_decided_on else None
    cg_before = cg_decided_on is not None and cg_earliest_on is not None and cg_decided_on < cg_earliest_on
    tracker = NrmTracker(
        nat,
        reference,
        referred_on,
        rg_due_on,
        rg_decided_on,
        rg_outcome,
        rg_late,
        cg_earliest_on,
        cg_decided_on,
        cg_outcome,
        cg_before,
        status="",
    )
    return _with_status(tracker)


def _check_order(
    referred_on: date | None,
    rg_decided_on: date | None,
    cg_decided_on: date | None,
    rg_outcome: str | None,
    cg_outcome: str | None,
) -> None:
    if rg_decided_on and not referred_on:
        raise ValueError("Enter the referral date before recording a reasonable grounds decision")
    if referred_on and rg_decided_on and rg_decided_on < referred_on:
        raise ValueError("The reasonable grounds decision date must be on or after the referral date")
    if cg_decided_on and not rg_decided_on:
        raise ValueError("Record the reasonable grounds decision before the conclusive grounds decision")
    if rg_decided_on and cg_decided_on and cg_decided_on < rg_decided_on:
        raise ValueError("The conclusive grounds decision date must be on or after the reasonable grounds decision")
    for outcome in (rg_outcome, cg_outcome):
        if outcome is not None and outcome not in _OUTCOME_LABELS:
            raise ValueError(f"Unknown NRM decision {outcome!r}")


def _with_status(t: NrmTracker) -> NrmTracker:
    return replace(t, status=" ".join(_status_parts(t)))


def _status_parts(t: NrmTracker) -> list[str]:
    if t.referred_on is None or t.rg_due_on is None:
        return ["Not referred to the NRM yet."]
    parts = [
        f"Referred to the NRM on {format_day(t.referred_on)}" + (f" (reference {t.reference})." if t.reference else ".")
    ]
    if t.rg_decided_on is None:
        due = format_day(t.rg_due_on)
        parts.append(
            f"The reasonable grounds decision is late: it was due by {due}."
            if t.rg_late
            else f"Reasonable grounds decision due by {due}."
        )
        return parts
    rg_label = _OUTCOME_LABELS.get(t.rg_outcome or "", "Reasonable grounds decision")
    parts.append(f"{rg_label} on {format_day(t.rg_decided_on)}" + (", after the due date." if t.rg_late else "."))
    if t.rg_outcome == "rg_negative":
        return parts
    if t.cg_decided_on is None and t.cg_earliest_on is not None:
        parts.append(f"A conclusive grounds decision can be made from {format_day(t.cg_earliest_on)}.")
    elif t.cg_decided_on is not None:
        cg_label = _OUTCOME_LABELS.get(t.cg_outcome or "", "Conclusive grounds decision")
        parts.append(f"{cg_label} on {format_day(t.cg_decided_on)}.")
        if t.cg_before_earliest and t.cg_earliest_on is not None:
            parts.append(f"This is before the earliest date of {format_day(t.cg_earliest_on)}.")
    return parts
