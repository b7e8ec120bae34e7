"""Explanations in a coordinator's words, in local time ("2:30pm", "Friday 27 November")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.availability import Grid, Status, from_minute
from scheduler.model import WEEKDAY_NAMES, Role
from scheduler.sweep import Cover, Metrics, Option, must_attend

_ROLE_PEOPLE_SHOWN = 6


def role_words(role: str) -> str:
    """A role's name in words: "social_care" is "Social care", never "Social_care"."""
    return role.replace("_", " ").capitalize()


def clock_text(hour: int, minute: int) -> str:
    """ "2:30pm", "10am", "midday", "midnight", as GOV.UK writes times (hour 24 is midnight)."""
    if minute == 0 and hour in (0, 12, 24):
        return "midday" if hour == 12 else "midnight"
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour}{suffix}" if minute == 0 else f"{hour}:{minute:02d}{suffix}"


def clock(minute: int, zone: ZoneInfo) -> str:
    local = from_minute(minute).astimezone(zone)
    return clock_text(local.hour, local.minute)


def day(minute: int, zone: ZoneInfo) -> str:
    local = from_minute(minute).astimezone(zone)
    return f"{WEEKDAY_NAMES[local.weekday()]} {local.day} {local.strftime('%B')}"


def when(minute: int, zone: ZoneInfo) -> str:
    return f"{day(minute, zone)} at {clock(minute, zone)}"


def _window_text(minute_of_day: int) -> str:
    return clock_text(*divmod(minute_of_day, 60))


def person_reason(grid: Grid, person_id: str, index: int) -> str:
    """Why ``person_id`` cannot attend the meeting starting at grain ``index``, after their name."""
    zone = grid.request.zone
    start = grid.starts[index]
    status = grid.status[person_id][index]
    calendar = grid.calendars[person_id]
    if status == Status.UNKNOWN:
        return "has no known availability"
    if status == Status.BUSY:
        block = calendar.busy_block(start, start + grid.duration)
        until = block[1] if block else start + grid.duration
        same_day = day(until, zone) == day(start, zone)
        return f"is busy until {clock(until, zone)}" + ("" if same_day else f" on {day(until, zone)}")
    weekday = from_minute(start).astimezone(zone).weekday()
    windows = calendar.person.working_hours[weekday]
    if not windows:
        return f"does not work on {WEEKDAY_NAMES[weekday]}s"
    hours = ", ".join(f"{_window_text(a)} to {_window_text(b)}" for a, b in windows)
    return f"works only {hours} on {WEEKDAY_NAMES[weekday]}s"


def _label(grid: Grid, person_id: str) -> str:
    return grid.request.person(person_id).label()


def _history(grid: Grid, person_id: str, upto: int) -> str:
    """Why a person could not come at any start before grain ``upto``: distinct reasons, in order."""
    zone = grid.request.zone
    phrases: list[str] = []
    off_days: list[str] = []
    previous: tuple[int, int] | None = None
    for index in range(upto):
        status = grid.status[person_id][index]
        weekday = from_minute(grid.starts[index]).astimezone(zone).weekday()
        if (status, weekday) == previous or grid.attendable(person_id, index):
            previous = (status, weekday) if not grid.attendable(person_id, index) else None
            continue
        previous = (status, weekday)
        phrase = person_reason(grid, person_id, index)
        if phrase.startswith("does not work on "):
            if off_days and phrases and phrases[-1].startswith("does not work on "):
                phrases.pop()
            off_days.append(phrase.removeprefix("does not work on "))
            phrase = "does not work on " + " or ".join(dict.fromkeys(off_days))
        else:
            off_days = []
        if phrase not in phrases:
            phrases.append(phrase)
    return ", then ".join(phrases[-3:])


def _role_blocked_text(grid: Grid, role: Role, index: int, history: bool = False) -> str:
    if not role.candidates:
        return f"the {role.role} role has no candidates"
    reasons = [
        f"{_label(grid, p)} {_history(grid, p, index + 1) if history else person_reason(grid, p, index)}"
        for p in role.candidates[:_ROLE_PEOPLE_SHOWN]
    ]
    return f"the {role.role} role has no one free ({'; '.join(reasons)})"


def blocked_roles(grid: Grid, index: int) -> list[Role]:
    return [r for r in must_attend(grid.request.roles) if not any(grid.attendable(p, index) for p in r.candidates)]


def why_not_at(grid: Grid, index: int, history: bool = False) -> str:
    """Why no valid meeting starts at grain ``index`` (with ``history``: nor at any grain before it)."""
    blocked = blocked_roles(grid, index)
    if blocked:
        return "; ".join(_role_blocked_text(grid, role, index, history) for role in blocked)
    needed = must_attend(grid.request.roles)
    free = sorted({p for r in needed for p in r.candidates if grid.attendable(p, index)})
    roles = ", ".join(r.role for r in needed)
    return f"the roles {roles} need different people but only {', '.join(free)} can attend, one role each"


def why_not_earlier(grid: Grid, index: int) -> str:
    zone = grid.request.zone
    if index == 0:
        return "Nothing earlier is possible: it is the first start time in the window."
    start = grid.starts[index]
    blocked = why_not_at(grid, index - 1, history=True)
    return f"Nothing earlier works: before {clock(start, zone)} on {day(start, zone)}, {blocked}."


def cover_text(grid: Grid, role: Role, cover: Cover, index: int, taken: dict[str, str]) -> str | None:
    """What this role's cover costs, or None when the primary attends in hours."""
    name = role_words(role.role)

    def passed_over(upto: int) -> str:
        parts = []
        for person in role.candidates[:upto]:
            other = taken.get(person)
            reason = f"is needed as {other}" if other and other != role.role else person_reason(grid, person, index)
            parts.append(f"{_label(grid, person)} {reason}")
        return "; ".join(parts)

    if cover.written:
        return f"{name}: written submission ({passed_over(len(role.candidates))})." if role.candidates else None
    if cover.person is None:
        return f"{name} (optional): not covered ({passed_over(len(role.candidates))})."
    rank = role.candidates.index(cover.person)
    status = grid.status[cover.person][index]
    text = ""
    if rank:
        text = f"{name}: {passed_over(rank)}, so the deputy {_label(grid, cover.person)} attends."
    if status == Status.OUT_OF_HOURS:
        text = (text + " " if text else f"{name}: ") + f"{_label(grid, cover.person)} attends out of hours (on call)."
    if status == Status.UNKNOWN:
        text = (text + " " if text else f"{name}: ") + f"{_label(grid, cover.person)} has no known availability."
    return text or None


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _gains(fastest: Metrics, option: Metrics) -> str:
    names = ("written submissions", "deputy rank", "attendees out of hours", "optional roles uncovered")
    better = [
        f"{name} {b} instead of {a}"
        for name, a, b in zip(names, fastest.vector(), option.vector(), strict=True)
        if b < a
    ]
    return "; ".join(better)


def _delay(grid: Grid, earlier: int, later: int) -> str:
    minutes = grid.starts[later] - grid.starts[earlier]
    hours, rest = divmod(minutes, 60)
    parts = [_count(hours, "hour")] if hours else []
    parts += [_count(rest, "minute")] if rest else []
    return " ".join(parts)


def _waited_for(grid: Grid, option: Option, fastest: Option) -> str:
    """Who this later option waits for, and why they could not come just before it."""
    before = option.index - 1
    waits = []
    for role in grid.request.roles:
        person = option.assignment[role.role].person
        if person and person != fastest.assignment[role.role].person and not grid.attendable(person, before):
            waits.append(f"{_label(grid, person)} ({role.role}) {person_reason(grid, person, before)}")
    return f" Not earlier: {'; '.join(waits)}." if waits else ""


def explain_option(grid: Grid, kind: str, option: Option, fastest: Option) -> str:
    zone = grid.request.zone
    start = grid.starts[option.index]
    if kind == "fastest":
        head = (
            f"Earliest possible time, {clock(start, zone)} on {day(start, zone)}. {why_not_earlier(grid, option.index)}"
        )
    else:
        label = "Best attended" if kind == "best_attended" else "Another option"
        gains = _gains(fastest.metrics, option.metrics)
        head = f"{label}: {_delay(grid, fastest.index, option.index)} after the earliest time"
        head += f" ({gains})." if gains else "."
        head += _waited_for(grid, option, fastest)
    taken = {c.person: r for r, c in option.assignment.items() if c.person}
    costs = [cover_text(grid, role, option.assignment[role.role], option.index, taken) for role in grid.request.roles]
    lines = [text for text in costs if text]
    tail = " ".join(lines) if lines else "Every role is covered by its first choice, in working hours."
    return f"{head} {tail}"


# --- no slot ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    kind: str  # extend_deadline | allow_written_submission | add_deputy | use_on_call | confirm_availability
    role: str | None
    detail: str

    def as_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "role": self.role, "detail": self.detail}


def _ranges(grid: Grid, indices: Sequence[int], limit: int = 3) -> str:
    """Runs of consecutive start grains, as "Friday 27 November 9am to 11am" (first few)."""
    zone = grid.request.zone
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    texts = [
        f"{day(grid.starts[a], zone)} {clock(grid.starts[a], zone)} to {clock(grid.starts[b] + grid.duration, zone)}"
        for a, b in runs[:limit]
    ]
    more = f" and {len(runs) - limit} more" if len(runs) > limit else ""
    return ", ".join(texts) + more


def person_summary(grid: Grid, person_id: str) -> str:
    """One person over the whole window, for a no-slot answer."""
    statuses = grid.status[person_id]
    label = _label(grid, person_id)
    if not statuses:
        return f"{label}: no start time fits the window"
    if statuses[0] == Status.UNKNOWN:
        return f"{label}: availability unknown, so not treated as free"
    free = [i for i, s in enumerate(statuses) if s <= Status.OUT_OF_HOURS]
    if free:
        return f"{label}: can attend {_ranges(grid, free)}"
    busy = sum(s == Status.BUSY for s in statuses)
    if busy == len(statuses):
        return f"{label}: busy throughout the window"
    person = grid.calendars[person_id].person
    days = [WEEKDAY_NAMES[d] + "s" for d in range(7) if person.working_hours[d]]
    works = f"works {', '.join(days)}" if days else "no working hours given"
    return f"{label}: busy or not working whenever the meeting could be held ({works}; not on call)"


def role_reason(grid: Grid, role: Role) -> str:
    coverable = [i for i in range(len(grid.starts)) if any(grid.attendable(p, i) for p in role.candidates)]
    people = "; ".join(person_summary(grid, p) for p in role.candidates) or "no candidates"
    if not coverable:
        return f"{role_words(role.role)}: no candidate can attend at any time in the window ({people})."
    return f"{role_words(role.role)}: can be covered only {_ranges(grid, coverable)} ({people})."
