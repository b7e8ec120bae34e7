"""NRM tracker: referral, reasonable grounds (RG) due date and lateness, earliest conclusive grounds (CG) date.

The numbers are read from ``rules.timescales`` (one source of truth; the sources are cited there):

* Decided by the Single Competent Authority: the RG decision is due within **5 working days** of the referral
  (a target, "where possible"); a CG decision can be made once the nation's minimum period has passed since
  the RG decision: **30 calendar days** in England and Wales, **90** in Scotland and **45** in Northern
  Ireland (the last two marked unconfirmed for a child, and said so on screen).
* Decided by a devolved decision-making pilot panel: the RG decision is due within **45 calendar days** of
  the referral, the referral day being day 1 as for the panel's own meeting deadline ([UNCONFIRMED] in the
  primary pilot guidance); the CG decision may be made at the same panel meeting as the RG decision when the
  evidence suffices, so a CG decision on the RG date is not early.

Counting convention
-------------------
"Within N working days of the referral": the referral day itself is day 0, whatever time it was made;
day 1 is the next working day. Working days are Monday to Friday except the bank holidays of the nation
where the referral is made (``holidays`` package, UK subdivisions ENG / WLS / SCT / NIR, including
substitute days). So a referral on a Monday with no bank holiday that week is due by the following
Monday; a referral made on a Saturday is due by the next Friday (Saturday is day 0, Monday is day 1).
An RG decision made on the due date is on time. This differs from the DfE CIN validator, which counts the
start day as day 1; we chose day 0 because the guidance says "within 5 working days *of* referral".

The earliest CG date is the RG decision date plus the nation's minimum (or the RG date itself for a pilot panel).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from rules.clock import LONDON, add_working_days
from rules.display import long_date
from rules.outcomes import CONCLUSIVE_GROUNDS_OUTCOMES, REASONABLE_GROUNDS_OUTCOMES
from rules.quorum import Nation
from rules.timescales import (
    CG_MINIMUM_CALENDAR_DAYS,
    CG_MINIMUM_UNCONFIRMED,
    NRM_RG_WORKING_DAYS,
    PANEL_CALENDAR_DAYS,
    PANEL_CG_MINIMUM_CALENDAR_DAYS,
    calendar_day_deadline_on,
)

RG_WORKING_DAYS = NRM_RG_WORKING_DAYS


def reasonable_grounds_due_on(referred_on: date, nation: Nation | str, *, devolved_pilot: bool = False) -> date:
    """The last day for the RG decision: 5 working days (SCA), or 45 calendar days for a devolved pilot panel."""
    if devolved_pilot:
        return calendar_day_deadline_on(referred_on, PANEL_CALENDAR_DAYS)
    return add_working_days(referred_on, RG_WORKING_DAYS, nation)


def cg_minimum_days(nation: Nation | str, *, devolved_pilot: bool = False) -> int:
    """The minimum calendar days between the RG and the CG decision (0 for a devolved pilot panel)."""
    if devolved_pilot:
        return PANEL_CG_MINIMUM_CALENDAR_DAYS
    return CG_MINIMUM_CALENDAR_DAYS[Nation(nation)]


def earliest_conclusive_grounds_on(
    rg_decided_on: date, nation: Nation | str = Nation.ENGLAND, *, devolved_pilot: bool = False
) -> date:
    return rg_decided_on + timedelta(days=cg_minimum_days(nation, devolved_pilot=devolved_pilot))


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
    devolved_pilot: bool = False


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
    devolved_pilot: bool = False,
) -> NrmTracker:
    """Work out the tracker for a case. Raises `ValueError` for dates in an impossible order.

    ``devolved_pilot`` is true when a devolved decision-making pilot panel decides for the child.
    """
    nat = Nation(nation)
    on = today or datetime.now(LONDON).date()
    _check_order(referred_on, rg_decided_on, cg_decided_on, rg_outcome, cg_outcome)
    rg_due_on = reasonable_grounds_due_on(referred_on, nat, devolved_pilot=devolved_pilot) if referred_on else None
    decided_or_today = rg_decided_on or on
    rg_late = rg_due_on is not None and decided_or_today > rg_due_on
    cg_earliest_on = (
        earliest_conclusive_grounds_on(rg_decided_on, nat, devolved_pilot=devolved_pilot) if rg_decided_on else None
    )
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
        devolved_pilot=devolved_pilot,
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
        f"Referred to the NRM on {long_date(t.referred_on)}" + (f" (reference {t.reference})." if t.reference else ".")
    ]
    if t.rg_decided_on is None:
        due = long_date(t.rg_due_on)
        parts.append(
            f"The reasonable grounds decision is late: it was due by {due}."
            if t.rg_late
            else f"Reasonable grounds decision due by {due}."
        )
        return parts
    rg_label = _OUTCOME_LABELS.get(t.rg_outcome or "", "Reasonable grounds decision")
    parts.append(f"{rg_label} on {long_date(t.rg_decided_on)}" + (", after the due date." if t.rg_late else "."))
    if t.rg_outcome == "rg_negative":
        return parts
    if t.cg_decided_on is None and t.cg_earliest_on is not None:
        if t.devolved_pilot:
            parts.append(
                "The panel can make the conclusive grounds decision now, at the same meeting as the reasonable "
                "grounds decision if the evidence is enough."
            )
        else:
            parts.append(f"A conclusive grounds decision can be made from {long_date(t.cg_earliest_on)}{_basis(t)}.")
    elif t.cg_decided_on is not None:
        cg_label = _OUTCOME_LABELS.get(t.cg_outcome or "", "Conclusive grounds decision")
        parts.append(f"{cg_label} on {long_date(t.cg_decided_on)}.")
        if t.cg_before_earliest and t.cg_earliest_on is not None:
            parts.append(f"This is before the earliest date of {long_date(t.cg_earliest_on)}.")
    return parts


def _basis(t: NrmTracker) -> str:
    """Why the earliest date is what it is, where the nation's figure is not confirmed for a child."""
    if t.nation not in CG_MINIMUM_UNCONFIRMED:
        return ""
    days = CG_MINIMUM_CALENDAR_DAYS[t.nation]
    return (
        f" ({days} days after the reasonable grounds decision, the {t.nation.label} support period; "
        "not confirmed for a child)"
    )
