"""Minimum notice before a meeting starts, and the earliest reply cut-off: pure rules beside the timescales
(``rules.timescales``), with each default's source or the words "Convene's own choice".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rules.clock import LONDON, add_working_days
from rules.timescales import _require_aware
from rules.vocabulary import MeetingType, Nation

# --- minimum notice -----------------------------------------------------------------------------------------
#
# How far ahead a meeting may start, so that invitees can see the invitation and get there (or dial in). The
# scheduler never proposes a start with less notice: the web app passes ``earliest_start_with_notice`` as the
# request's ``earliest_start`` (docs/scheduling.md). A time the coordinator picks by hand may be sooner; the
# check answers page then warns in words. All the figures are Convene's own choice: no guidance sets a notice
# period for these meetings (Working Together 2023 asks only that a strategy discussion for a child at risk is
# held "as soon as possible" and that the people invited to a conference can prepare).

#: Urgent (the child is at high risk of going missing): a strategy discussion, IRD or pre-referral meeting can
#: start 30 minutes after it is convened. Convene's own choice (issue 9: "at least 30 minutes").
URGENT_NOTICE = timedelta(minutes=30)
#: A strategy discussion or IRD that is not urgent: 2 hours. Convene's own choice.
STRATEGY_NOTICE = timedelta(hours=2)
#: Conferences, pre-referral meetings that are not urgent, panels and reviews: one working day, so that
#: agencies can prepare their reports. Convene's own choice (issue 9: "at least one working day for an initial
#: child protection conference").
CONFERENCE_NOTICE_WORKING_DAYS = 1
#: The reply cut-off is never earlier than sending plus 15 minutes, so that an invitee has at least that long to
#: answer before the board offers someone else. Convene's own choice.
MINIMUM_REPLY_TIME = timedelta(minutes=15)

_STRATEGY_TYPES = frozenset(
    {
        MeetingType.STRATEGY_DISCUSSION,
        MeetingType.INTER_AGENCY_REFERRAL_DISCUSSION,
        MeetingType.STRATEGY_DISCUSSION_NI,
    }
)


@dataclass(frozen=True)
class Notice:
    """The least notice a meeting needs: a duration, or a number of working days (same clock time)."""

    within: timedelta
    working_days: int
    source: str

    @property
    def words(self) -> str:
        """ "30 minutes", "2 hours", "1 working day"."""
        if self.working_days:
            return f"{self.working_days} working day{'s' if self.working_days != 1 else ''}"
        minutes = int(self.within.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{minutes} minutes"


def minimum_notice(meeting_type: MeetingType | str, *, urgent: bool) -> Notice:
    """The least notice for a meeting of ``meeting_type``; ``urgent`` when the child is at high risk of going
    missing (the same test as the 8-hour deadline above)."""
    meeting_type = MeetingType(meeting_type)
    own = "Convene's own choice"
    if meeting_type in _STRATEGY_TYPES:
        return Notice(URGENT_NOTICE if urgent else STRATEGY_NOTICE, 0, own)
    if meeting_type is MeetingType.PRE_REFERRAL_NRM_MEETING and urgent:
        return Notice(URGENT_NOTICE, 0, own)
    return Notice(timedelta(0), CONFERENCE_NOTICE_WORKING_DAYS, own)


def earliest_start_with_notice(now_at: datetime, notice: Notice, nation: Nation | str) -> datetime:
    """The earliest start that gives ``notice`` from ``now_at`` (aware UTC).

    Working days keep the London clock time: convened at 6pm on a Friday with one working day's notice, the
    meeting can start at 6pm on Monday (or on Tuesday when Monday is a bank holiday of the nation).
    """
    _require_aware(now_at, "now_at")
    if not notice.working_days:
        return (now_at + notice.within).astimezone(UTC)
    local = now_at.astimezone(LONDON)
    day_on = add_working_days(local.date(), notice.working_days, Nation(nation))
    start = datetime.combine(day_on, local.time().replace(tzinfo=None), tzinfo=LONDON)
    return max(start.astimezone(UTC), (now_at + notice.within).astimezone(UTC))


def short_notice(
    now_at: datetime, start_at: datetime, meeting_type: MeetingType | str, *, urgent: bool, nation: Nation | str
) -> str | None:
    """A sentence for the coordinator when a meeting at ``start_at``, sent at ``now_at``, has less notice than
    the minimum; None when the notice is enough."""
    notice = minimum_notice(meeting_type, urgent=urgent)
    if start_at >= earliest_start_with_notice(now_at, notice, nation):
        return None
    minutes = max(0, int((start_at - now_at).total_seconds() // 60))
    given = f"{minutes} minutes" if minutes < 120 else f"about {minutes // 60} hours"
    return (
        f"Short notice: this meeting starts in {given}. Convene asks for at least {notice.words} of notice "
        "for this meeting, so some people may not see the invitation in time."
    )


def earliest_reply_cutoff(sent_at: datetime) -> datetime:
    """The earliest reply cut-off for invitations sent at ``sent_at``."""
    _require_aware(sent_at, "sent_at")
    return (sent_at + MINIMUM_REPLY_TIME).astimezone(UTC)
