"""Immediate safety actions and missing episodes: the checklist, its due times and the missing-episode clocks.

Pure: no Flask, no SQLAlchemy. Each rule names its source beside it, or says it is Convene's own choice; the rules
are summarised in ``docs/domain.md``, section "Immediate safety actions and missing episodes".

Sources
-------
* WT2023: Working Together to Safeguard Children 2023 (chapter 2 and 4: immediate protection, strategy discussions).
* MISSING2014: Statutory guidance on children who run away or go missing from home or care (DfE, January 2014).
* UMC2017: Care of unaccompanied migrant children and child victims of modern slavery (DfE, November 2017).
* TOOLKIT: the London Safeguarding Children Partnership's child trafficking toolkit, "golden hour" practice (the
  first hour after a child is identified is when a trafficked child is most likely to go missing, so the safety
  steps happen then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rules.clock import add_working_days
from rules.timescales import GOING_MISSING_WITHIN, TimescaleError, close_of_business_at, london_date
from rules.vocabulary import AgencyKind, Nation

#: The golden hour: the first hour after identification (TOOLKIT).
GOLDEN_HOUR = timedelta(hours=1)


class SafetyItem(StrEnum):
    SAFE_PLACEMENT = "safe_placement"
    PHOTO_AND_DESCRIPTION = "photo_and_description"
    MISSING_PROTOCOL = "missing_protocol"
    PHONE_AND_SOCIAL_MEDIA = "phone_and_social_media"
    INTERPRETER = "interpreter"
    APPROPRIATE_ADULT = "appropriate_adult"
    MEDICAL_NEEDS = "medical_needs"

    @property
    def label(self) -> str:
        return CHECKLIST[self].label


@dataclass(frozen=True)
class ChecklistRule:
    label: str
    owner: AgencyKind
    due_within: timedelta
    source: str


#: The checklist, in the order it is shown. ``due_within`` counts from the moment the child was identified.
CHECKLIST: dict[SafetyItem, ChecklistRule] = {
    SafetyItem.SAFE_PLACEMENT: ChecklistRule(
        "Safe placement away from anyone who may be the trafficker; no release to an adult whose identity and "
        "relationship are not verified",
        AgencyKind.CHILDREN_SOCIAL_CARE,
        GOLDEN_HOUR,
        "TOOLKIT golden hour; UMC2017 (a safe placement, and checks on any adult who claims the child); WT2023 "
        "(immediate protection before the strategy discussion)",
    ),
    SafetyItem.PHOTO_AND_DESCRIPTION: ChecklistRule(
        "Photograph and description held by the police, for a missing-person report if needed",
        AgencyKind.POLICE,
        GOLDEN_HOUR,
        "TOOLKIT golden hour; MISSING2014 (information the police need if the child goes missing); the 1 hour is "
        "the toolkit's golden hour",
    ),
    SafetyItem.MISSING_PROTOCOL: ChecklistRule(
        "Missing-from-care protocol shared with the placement",
        AgencyKind.CHILDREN_SOCIAL_CARE,
        timedelta(hours=4),
        "MISSING2014 (the placement knows the local protocol and what to do if the child goes missing); the "
        "4 hours are Convene's own choice",
    ),
    SafetyItem.PHONE_AND_SOCIAL_MEDIA: ChecklistRule(
        "Phone and social-media risk considered",
        AgencyKind.POLICE,
        GOLDEN_HOUR,
        "TOOLKIT golden hour (traffickers keep contact through phones and social media); UMC2017",
    ),
    SafetyItem.INTERPRETER: ChecklistRule(
        "Interpreter arranged",
        AgencyKind.CHILDREN_SOCIAL_CARE,
        timedelta(hours=4),
        "UMC2017 (an interpreter in the child's own language and dialect); the 4 hours are Convene's own choice",
    ),
    SafetyItem.APPROPRIATE_ADULT: ChecklistRule(
        "Appropriate adult or Independent Child Trafficking Guardian for any interview",
        AgencyKind.GUARDIAN_SERVICE,
        timedelta(hours=24),
        "UMC2017 and section 48 Modern Slavery Act 2015 (ICTG); PACE Code C (appropriate adult); the 24 hours are "
        "Convene's own choice",
    ),
    SafetyItem.MEDICAL_NEEDS: ChecklistRule(
        "Medical needs assessed",
        AgencyKind.HEALTH,
        timedelta(hours=24),
        "UMC2017 (immediate health needs on arrival); the 24 hours are Convene's own choice",
    ),
}


class SafetyStatus(StrEnum):
    TO_DO = "to_do"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_NEEDED = "not_needed"

    @property
    def label(self) -> str:
        return {"to_do": "To do", "in_progress": "In progress", "done": "Done", "not_needed": "Not needed"}[self.value]

    @property
    def finished(self) -> bool:
        return self in (SafetyStatus.DONE, SafetyStatus.NOT_NEEDED)


#: Statuses of an item still open (it can be overdue).
OPEN_STATUSES = (SafetyStatus.TO_DO, SafetyStatus.IN_PROGRESS)


def checklist_due_at(item: SafetyItem, identified_at: datetime) -> datetime:
    """When an item is due: counted from identification (the clock all urgency runs from)."""
    _require_aware(identified_at)
    return identified_at + CHECKLIST[item].due_within


def is_overdue(status: SafetyStatus, due_at: datetime, now_at: datetime) -> bool:
    return status in OPEN_STATUSES and due_at < now_at


# --- missing episodes ------------------------------------------------------------------------------------------

#: A return-home interview within 72 hours of the child's return. MISSING2014, section "When a child is found –
#: independent return interview", as restated by Missing People ("RHIs should be completed within 72 hours of the
#: child's return": https://www.missingpeople.org.uk/the-delivery-of-return-interviews-across-england-2023-24 );
#: the paragraph number is [UNCONFIRMED].
RETURN_INTERVIEW_WITHIN = timedelta(hours=72)

#: "Repeatedly missing": 3 or more episodes within 90 days. Convene's own choice. MISSING2014 has a section on
#: children who repeatedly run away and go missing but gives no figure; local protocols differ (Derbyshire asks for a
#: strategy meeting after 3 or more episodes in 30 days: https://docsbay.net/return-interviews ). [UNCONFIRMED] as a
#: national figure.
REPEATED_EPISODES = 3
REPEATED_WITHIN = timedelta(days=90)


class PoliceRisk(StrEnum):
    """The police's risk grading of a missing-person report: high, medium, low, or no apparent risk (College of
    Policing Authorised Professional Practice on missing persons; MISSING2014 describes high and medium)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NO_APPARENT_RISK = "no_apparent_risk"

    @property
    def label(self) -> str:
        return {"high": "High", "medium": "Medium", "low": "Low", "no_apparent_risk": "No apparent risk"}[self.value]


def return_interview_due_at(returned_at: datetime) -> datetime:
    _require_aware(returned_at)
    return returned_at + RETURN_INTERVIEW_WITHIN


def is_repeated(episode_starts: list[datetime], now_at: datetime) -> bool:
    """Whether the child counts as repeatedly missing (``REPEATED_EPISODES`` within ``REPEATED_WITHIN``)."""
    recent = [s for s in episode_starts if now_at - s <= REPEATED_WITHIN]
    return len(recent) >= REPEATED_EPISODES


@dataclass(frozen=True)
class ReconveneWindow:
    deadline_at: datetime
    basis: str


def reconvene_window(risk: PoliceRisk, nation: Nation, reported_at: datetime) -> ReconveneWindow:
    """The timescale the missing risk sets for reconvening the strategy discussion, from the report to the police.

    High: within ``GOING_MISSING_WITHIN`` (8 hours), at any hour: WT2023 says a strategy discussion happens as soon
    as possible when a child is at risk of significant harm; the hours are Convene's own default, as for a new case.
    Medium: by 5pm on the next working day. Low or no apparent risk: by 5pm on the fifth working day. Both are
    Convene's own choice ([UNCONFIRMED]: MISSING2014 asks for a multi-agency response without giving a timescale).
    """
    _require_aware(reported_at)
    risk = PoliceRisk(risk)
    if risk is PoliceRisk.HIGH:
        hours = int(GOING_MISSING_WITHIN.total_seconds() // 3600)
        return ReconveneWindow(
            reported_at + GOING_MISSING_WITHIN,
            f"Missing episode graded high: within {hours} hours of the report to the police (Convene's own default)",
        )
    days = 1 if risk is PoliceRisk.MEDIUM else 5
    due_on = add_working_days(london_date(reported_at), days, Nation(nation))
    when = "the next working day" if days == 1 else f"{days} working days"
    return ReconveneWindow(
        close_of_business_at(due_on),
        f"Missing episode graded {risk.label.lower()}: by 5pm, {when} after the report to the police "
        "(Convene's own choice)",
    )


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise TimescaleError("a naive datetime was given; use an aware datetime")
