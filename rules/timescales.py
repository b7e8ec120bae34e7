"""Default time windows for meetings, and working-day arithmetic per UK nation.

Pure functions: no Flask, no SQLAlchemy. The coordinator sees the deadline as a date and time and can
change it; these are only the defaults. Each constant below names its primary source, or says that it is
Convene's own choice or [UNCONFIRMED] (not settled by the primary texts consulted);
the rules and sources are summarised in ``docs/domain.md``.

Counting convention (one rule for every timescale here)
-------------------------------------------------------
The day of the anchor event (the strategy discussion, the IRD, the referral) counts as **day 1** when it is
a working day, as the Department for Education's Children in Need census validator counts it. The
deadline is **17:00 Europe/London at the end of the last day**. So "within 15 working days" of a strategy
discussion held on a working day ends at 17:00 on the 14th working day after it; when the strategy
discussion fell on a weekend or holiday, the next working day is day 1. This is the stricter of the two
common readings, so a meeting inside our default window is on time by either reading. Calendar-day
timescales (Scotland) count the same way: a CPPM "within 28 calendar days" of an IRD on 1 March is due by
17:00 on 28 March.

Working days are Monday to Friday, except the bank holidays of the nation (the ``holidays`` package,
subdivisions ENG, WLS, SCT and NIR, including substitute days).

Urgent strategy discussions
---------------------------
A strategy discussion (or IRD) for a child at risk of going missing is due "as soon as possible, within
hours": the default deadline is ``GOING_MISSING_WITHIN`` (8 hours) after the child was identified, at any
hour, because out-of-hours teams hold these. The guidance says only "as soon as possible"; the 8 hours is
Convene's own choice. Otherwise: Northern Ireland within 24 hours (the NI guidance);
England, Wales and Scotland by 17:00 on the next working day ([UNCONFIRMED] local practice; there is no
national figure).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from rules.clock import LONDON, add_working_days
from rules.vocabulary import MeetingType, Nation, spec_for

#: The hour, local time, at which a day-based deadline ends.
CLOSE_OF_BUSINESS = time(17, 0)
#: How soon a strategy discussion for a child at risk of going missing is due. Convene's own choice: the
#: guidance (Working Together 2023 as restated by local procedures, e.g.
#: https://www.devonscp.org.uk/document/strategy-discussion-guidance/1617) says only "as soon as possible".
GOING_MISSING_WITHIN = timedelta(hours=8)
#: Northern Ireland: strategy discussion within 24 hours where the child is not in immediate danger.
#: Co-operating to Safeguard Children and Young People in NI (2017) as summarised at
#: https://www.childprotectionuk.co.uk/national-guidance-nothern-ireland
NI_STRATEGY_WITHIN = timedelta(hours=24)
#: England: the initial child protection conference within 15 working days of the strategy discussion at which
#: section 47 enquiries were started (Working Together to Safeguard Children 2023, chapter 2, as restated by
#: https://www.teescpp.org.uk/safeguarding-procedures/10-initial-child-protection-conference/ ). Wales: a
#: performance indicator measures the same 15 days ([UNCONFIRMED] in the Wales Safeguarding Procedures text);
#: Northern Ireland: [UNCONFIRMED] (commonly cited as 15 working days).
ICPC_WORKING_DAYS = 15
#: Scotland: child protection planning meeting within 28 calendar days once a child protection investigation
#: has been progressed (National Guidance for Child Protection in Scotland 2021, updated 2023, Appendix D:
#: https://www.gov.scot/publications/national-guidance-child-protection-scotland-2021-updated-2023/pages/12/ ).
CPPM_CALENDAR_DAYS = 28
#: The SCA's reasonable grounds target: within 5 working days of the referral "where possible" (Devolving child
#: decision making pilot programme: general guidance, v6.0, introduction; gov.uk publication
#: "piloting-devolving-decision-making-for-child-victims-of-modern-slavery", page
#: "devolving-child-decision-making-pilot-programme-general-guidance-accessible-version").
NRM_RG_WORKING_DAYS = 5
#: Devolved decision-making pilot: the panel's reasonable grounds decision no later than 45 days from the
#: referral. [UNCONFIRMED] in the primary pilot guidance: the figure is from a legal charity's summary
#: (https://yjlc.uk/resources/legal-updates/nrm-move-towards-local-decision-making ).
PANEL_CALENDAR_DAYS = 45
#: The minimum calendar days between the reasonable grounds and the conclusive grounds decision, per nation.
#: England and Wales: the 30-day recovery period (Modern Slavery statutory guidance v3.8+, s49 MSA 2015; pilot
#: general guidance v6.0 introduction: "at least 30 calendar days from the date of the Reasonable Grounds
#: decision"). Scotland: 90 days, the support period set by the Scottish Ministers under s9(2)(b)(i) of the
#: Human Trafficking and Exploitation (Scotland) Act 2015 (SSI 2018/90, regulation 2:
#: https://www.legislation.gov.uk/ssi/2018/90/made ); [UNCONFIRMED] that the competent authority waits for the
#: whole period before a conclusive decision for a child. Northern Ireland: 45 days, the "relevant period" of
#: s18(4) of the Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act (NI) 2015
#: (https://www.legislation.gov.uk/nia/2015/2/section/18 ); s18 is about adults, so for a child the figure is
#: [UNCONFIRMED].
CG_MINIMUM_CALENDAR_DAYS: dict[Nation, int] = {
    Nation.ENGLAND: 30,
    Nation.WALES: 30,
    Nation.SCOTLAND: 90,
    Nation.NORTHERN_IRELAND: 45,
}
#: Whether a figure in ``CG_MINIMUM_CALENDAR_DAYS`` is unconfirmed for a child (shown beside the date).
CG_MINIMUM_UNCONFIRMED: frozenset[Nation] = frozenset({Nation.SCOTLAND, Nation.NORTHERN_IRELAND})
#: Devolved pilot: the panel may make the conclusive grounds decision at the same meeting as the reasonable
#: grounds decision when the evidence suffices (yjlc summary above: "may be (and generally is) made at the
#: initial Reasonable Grounds meeting"). The 30-day recovery period in the pilot general guidance is worded as
#: the SCA's practice ("The SCA will aim to issue a Conclusive Grounds decision ... after at least 30 calendar
#: days"), so Convene does not apply it to a pilot panel: 0 days. [UNCONFIRMED] in the pilot's decision-making
#: annex, which was not read in full.
PANEL_CG_MINIMUM_CALENDAR_DAYS = 0
#: Pre-referral NRM meeting: [UNCONFIRMED] local practice, within 5 working days of identification.
PRE_REFERRAL_WORKING_DAYS = 5
#: The first review conference within 3 months of the initial conference, then reviews at most 6 months apart.
#: England: Working Together 2023 (as restated by local procedures, e.g.
#: https://liverpoolscp.trixonline.co.uk/chapter/child-protection-review-conferences ). Wales: Wales
#: Safeguarding Procedures (http://safeguarding.wales/chi/c4/c4.p8.html : "within three months ... at least
#: every six months"). Scotland: review CPPM within 3 months (National Guidance 2021, Appendix D), then
#: 6-monthly as in the 2014 guidance, Appendix C ([UNCONFIRMED] for the 6 months in the 2021 text). Northern
#: Ireland: [UNCONFIRMED], the same 3 then 6 months is Convene's reading of the SBNI core procedures.
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6


class TimescaleError(ValueError):
    """A default window cannot be worked out; the message says what to enter."""


def working_day_deadline_on(anchor_on: date, working_days: int, nation: Nation) -> date:
    """The last day of a "within ``working_days`` working days of ``anchor_on``" timescale.

    Day 1 is ``anchor_on`` if it is a working day, else the next working day (see module docstring).
    """
    if working_days < 1:
        raise ValueError("a timescale is at least 1 working day")
    first = add_working_days(anchor_on, 0, nation)
    return add_working_days(first, working_days - 1, nation)


def calendar_day_deadline_on(anchor_on: date, days: int) -> date:
    """The last day of a "within ``days`` calendar days of ``anchor_on``" timescale; day 1 is ``anchor_on``."""
    if days < 1:
        raise ValueError("a timescale is at least 1 day")
    return anchor_on + timedelta(days=days - 1)


def add_months(start_on: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the last day of that month when it is shorter."""
    month_index = start_on.month - 1 + months
    year, month = start_on.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(start_on.day, last_day))


def month_deadline_on(anchor_on: date, months: int) -> date:
    """The last day of a "within ``months`` months of ``anchor_on``" timescale: the day before the same date
    ``months`` months later (``anchor_on`` is day 1, as for every timescale here)."""
    if months < 1:
        raise ValueError("a timescale is at least 1 month")
    return add_months(anchor_on, months) - timedelta(days=1)


@dataclass(frozen=True)
class StrategyDiscussionHeld:
    """A strategy discussion (or IRD) that has been held, and whether it started enquiries.

    ``started_enquiries`` is the signed decision's answer to "start section 47 enquiries" (England and Wales)
    or "start a child protection investigation" (Scotland, Northern Ireland); ``None`` if not signed off yet.
    """

    held_at: datetime
    started_enquiries: bool | None


def enquiries_started_at(discussions: Iterable[StrategyDiscussionHeld]) -> datetime | None:
    """When the strategy discussion that started section 47 enquiries was held (the latest such one).

    Working Together to Safeguard Children 2023 counts the initial conference's 15 working days from the
    strategy discussion at which section 47 enquiries were started, "that one, if there were several"
    (Norfolk LSCP procedures 3.4 "Strategy discussions", https://www.norfolklscp.org.uk ; Tees procedures 10,
    https://www.teescpp.org.uk/safeguarding-procedures/10-initial-child-protection-conference/ ).
    A discussion not yet held, or one that did not start enquiries, is not an anchor. ``None`` when no held
    discussion started enquiries.
    """
    started = [d.held_at for d in discussions if d.started_enquiries]
    for moment in started:
        _require_aware(moment, "held_at")
    return max(started, default=None)


def close_of_business_at(day: date) -> datetime:
    """17:00 Europe/London on ``day``, as an aware UTC datetime (16:00Z in summer time, 17:00Z in winter)."""
    return datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=LONDON).astimezone(UTC)


def london_date(moment_at: datetime) -> date:
    """The Europe/London calendar date of an aware datetime."""
    _require_aware(moment_at, "moment_at")
    return moment_at.astimezone(LONDON).date()


@dataclass(frozen=True)
class MeetingWindow:
    """The default window: the meeting should be held between ``earliest_at`` and ``deadline_at``."""

    earliest_at: datetime
    deadline_at: datetime
    basis: str
    source: str


def default_window(
    *,
    meeting_type: MeetingType,
    nation: Nation,
    identified_at: datetime,
    at_risk_of_going_missing: bool,
    strategy_discussion_at: datetime | None = None,
    previous_meeting_at: datetime | None = None,
    referred_at: datetime | None = None,
    now_at: datetime | None = None,
    previous_meeting_type: MeetingType | None = None,
) -> MeetingWindow:
    """The default window for a meeting, from its type, the nation and the case.

    ``strategy_discussion_at`` anchors an initial conference: it must be the held strategy discussion or IRD
    that started the enquiries (see ``enquiries_started_at``), never merely the latest one. ``previous_meeting_at``
    anchors a review (``previous_meeting_type`` says whether it was the initial conference or a review) and
    ``referred_at`` a devolved panel (the NRM referral itself, not a pre-referral meeting). ``earliest_at``
    is the anchor, or ``now_at`` when that is later. Raises ``TimescaleError``
    when the anchor the rule needs is missing, or the type is not used in the nation.
    """
    meeting_type, nation = MeetingType(meeting_type), Nation(nation)
    try:
        spec_for(meeting_type, nation)
    except ValueError as error:
        raise TimescaleError(str(error)) from None
    _require_aware(identified_at, "identified_at")
    if meeting_type is MeetingType.REVIEW:
        anchor_at, deadline_at, basis, source = _review_rule(nation, previous_meeting_at, previous_meeting_type)
    else:
        rule = _RULES[meeting_type]
        anchor_at, deadline_at, basis, source = rule(
            nation, identified_at, at_risk_of_going_missing, strategy_discussion_at, previous_meeting_at, referred_at
        )
    earliest_at = anchor_at.astimezone(UTC)
    if now_at is not None:
        _require_aware(now_at, "now_at")
        earliest_at = max(earliest_at, now_at.astimezone(UTC))
    return MeetingWindow(earliest_at, deadline_at.astimezone(UTC), basis, source)


_Anchors = tuple[datetime, datetime, str, str]


def _strategy_rule(
    nation: Nation,
    identified_at: datetime,
    missing: bool,
    _sd: datetime | None,
    _prev: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if missing:
        hours = int(GOING_MISSING_WITHIN.total_seconds() // 3600)
        return (
            identified_at,
            identified_at + GOING_MISSING_WITHIN,
            f"As soon as possible: within {hours} hours of identification, as the child is at risk of going missing "
            f"(the {hours} hours are Convene's own default)",
            "Convene's own choice: the guidance says only 'as soon as possible' (Working Together 2023 as restated "
            "by local procedures; National Guidance for Child Protection in Scotland 2021, Appendix D)",
        )
    if nation is Nation.NORTHERN_IRELAND:
        return (
            identified_at,
            identified_at + NI_STRATEGY_WITHIN,
            "Within 24 hours of identification",
            "Co-operating to Safeguard Children and Young People in NI (2017)",
        )
    due_on = add_working_days(london_date(identified_at), 1, nation)
    return (
        identified_at,
        close_of_business_at(due_on),
        "By the end of the next working day after identification",
        "[UNCONFIRMED] local practice; no national timescale",
    )


def _conference_rule(
    nation: Nation,
    _identified_at: datetime,
    _missing: bool,
    strategy_discussion_at: datetime | None,
    _prev: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if strategy_discussion_at is None:
        if nation is Nation.SCOTLAND:
            name, enquiries = "inter-agency referral discussion", "a child protection investigation"
        elif nation is Nation.NORTHERN_IRELAND:
            name, enquiries = "strategy discussion", "a child protection investigation"
        else:
            name, enquiries = "strategy discussion", "section 47 enquiries"
        raise TimescaleError(
            f"There is no default deadline: no {name} held so far has started {enquiries}, and the deadline for "
            f"this conference counts from the one that did. Record that decision in the outcome of the {name}."
        )
    _require_aware(strategy_discussion_at, "strategy_discussion_at")
    anchor_on = london_date(strategy_discussion_at)
    if nation is Nation.SCOTLAND:
        due_on = calendar_day_deadline_on(anchor_on, CPPM_CALENDAR_DAYS)
        return (
            strategy_discussion_at,
            close_of_business_at(due_on),
            f"Within {CPPM_CALENDAR_DAYS} calendar days of the inter-agency referral discussion (that day is day 1)",
            "National Guidance for Child Protection in Scotland 2021, updated 2023, Appendix D",
        )
    due_on = working_day_deadline_on(anchor_on, ICPC_WORKING_DAYS, nation)
    return (
        strategy_discussion_at,
        close_of_business_at(due_on),
        f"Within {ICPC_WORKING_DAYS} working days of the strategy discussion that started "
        f"{'section 47 enquiries' if nation in (Nation.ENGLAND, Nation.WALES) else 'the investigation'} "
        f"(that day is day 1), counting {nation.label} bank holidays",
        "Working Together to Safeguard Children 2023 (England); [UNCONFIRMED] in Wales and Northern Ireland",
    )


def _pre_referral_rule(
    nation: Nation,
    identified_at: datetime,
    missing: bool,
    _sd: datetime | None,
    _prev: datetime | None,
    _ref: datetime | None,
) -> _Anchors:
    if missing:
        return _strategy_rule(nation, identified_at, missing, None, None, None)
    due_on = working_day_deadline_on(london_date(identified_at), PRE_REFERRAL_WORKING_DAYS, nation)
    return (
        identified_at,
        close_of_business_at(due_on),
        f"Within {PRE_REFERRAL_WORKING_DAYS} working days of identification (that day is day 1)",
        "[UNCONFIRMED] local practice: the NRM referral should not wait",
    )


def _panel_rule(
    _nation: Nation,
    _identified_at: datetime,
    _missing: bool,
    _sd: datetime | None,
    _prev: datetime | None,
    referred_at: datetime | None,
) -> _Anchors:
    if referred_at is None:
        raise TimescaleError("The panel's deadline counts from the NRM referral. Enter the date of the referral.")
    _require_aware(referred_at, "referred_at")
    due_on = calendar_day_deadline_on(london_date(referred_at), PANEL_CALENDAR_DAYS)
    return (
        referred_at,
        close_of_business_at(due_on),
        f"Reasonable grounds decision within {PANEL_CALENDAR_DAYS} days of the referral (that day is day 1)",
        "[UNCONFIRMED] in the primary pilot guidance: 45 days is from a legal charity's summary of the devolved "
        "decision-making pilot (yjlc.uk)",
    )


def _review_rule(
    nation: Nation, previous_meeting_at: datetime | None, previous_meeting_type: MeetingType | None
) -> _Anchors:
    if previous_meeting_at is None:
        raise TimescaleError("A review's deadline counts from the previous conference. Enter when it was held.")
    _require_aware(previous_meeting_at, "previous_meeting_at")
    first = previous_meeting_type is None or MeetingType(previous_meeting_type) is not MeetingType.REVIEW
    months = FIRST_REVIEW_MONTHS if first else LATER_REVIEW_MONTHS
    due_on = month_deadline_on(london_date(previous_meeting_at), months)
    basis = (
        f"The first review: within {months} months of the initial conference"
        if first
        else f"A later review: at most {months} months after the previous review"
    )
    sources = {
        Nation.ENGLAND: "Working Together to Safeguard Children 2023 (first review within 3 months, then at most 6 "
        "months apart)",
        Nation.WALES: "Wales Safeguarding Procedures (first review within 3 months, then at least every 6 months)",
        Nation.SCOTLAND: "National Guidance for Child Protection in Scotland 2021, Appendix D (first review within 3 "
        "months); [UNCONFIRMED] the 6 months after that",
        Nation.NORTHERN_IRELAND: "[UNCONFIRMED] SBNI core procedures: 3 months, then 6 months",
    }
    return (previous_meeting_at, close_of_business_at(due_on), basis, sources[nation])


_RULES = {
    MeetingType.STRATEGY_DISCUSSION: _strategy_rule,
    MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION: _strategy_rule,
    MeetingType.STRATEGY_DISCUSSION_NI: _strategy_rule,
    MeetingType.INITIAL_CHILD_PROTECTION_CONFERENCE: _conference_rule,
    MeetingType.PRE_REFERRAL_NRM_MEETING: _pre_referral_rule,
    MeetingType.DEVOLVED_NRM_DECISION_PANEL: _panel_rule,
}


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TimescaleError(f"{name} must be an aware datetime (with a time zone), got {value!r}")
