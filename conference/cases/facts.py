"""Facts that change, with their history: each change is a new row (CaseFactChange); nothing is overwritten.

The case's columns hold the current values (everything else reads them). Changing facts updates the columns,
appends one history row per changed fact, writes the audit row and the timeline entry, all in one transaction.
Features later in the journey (convening's deadlines) listen for changes through ``register_fact_listener``,
since cases may not import them.

Two people editing at once (Convene's own choice, house rule "nothing is lost"): the form carries the values
each person saw. A person's change to a fact nobody else changed is kept, whoever saved first; if someone else
changed the same fact to a different value in between, the later save is refused as a conflict naming the fact;
the page keeps what the person typed, and so does a ``CaseFactConflict`` row written after the rollback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select

from conference.audit import keep_after_rollback, record_event, record_view
from conference.auth.models import User
from conference.cases.fact_models import CaseFactChange, CaseFactConflict
from conference.cases.models import Case, Gender, MissingRisk
from conference.cases.services import add_case_event
from conference.extensions import db
from rules.age import AdulthoodAlert, AgeOn, adulthood_alert, child_age_on
from rules.display import short_date
from rules.timescales import london_date


@dataclass(frozen=True)
class FactSpec:
    """A fact of the case that may change. ``restricted``: part of the child's identity, shown only to roles
    with the case.identity permission (conference.auth.policy), in its history too."""

    name: str
    label: str
    kind: str  # text, date, int, bool, enum
    restricted: bool = True
    choices: type[StrEnum] | None = None
    max_length: int = 0


FACTS: tuple[FactSpec, ...] = (
    FactSpec("child_first_name", "First name", "text", max_length=120),
    FactSpec("child_last_name", "Last name", "text", max_length=120),
    FactSpec("child_born_on", "Date of birth", "date"),
    FactSpec("child_estimated_age", "Estimated age", "int"),
    FactSpec("age_disputed", "Age disputed", "bool"),
    FactSpec("gender", "Gender", "enum", choices=Gender),
    FactSpec("nationality", "Nationality", "text", max_length=80),
    FactSpec("languages", "Languages", "text", max_length=200),
    FactSpec("interpreter_needed", "Interpreter needed", "bool"),
    # The risk of going missing sets how soon a strategy discussion is due (rules/timescales.py): everyone who
    # may see the case sees it (it is in the case's header already).
    FactSpec("missing_risk", "Risk of going missing", "enum", restricted=False, choices=MissingRisk),
    FactSpec("legal_status", "Legal or immigration status", "text", max_length=200),
    FactSpec("age_assessment_requested_on", "Age assessment requested", "date"),
    FactSpec("age_assessment_carried_out_on", "Age assessment carried out", "date"),
    FactSpec("age_assessment_outcome", "Age assessment outcome", "text", max_length=300),
)
FACTS_BY_NAME = {spec.name: spec for spec in FACTS}


def stored_text(spec: FactSpec, value: object) -> str:
    """A fact's value as the history stores it: ISO dates, "yes"/"no", enum values, "" for none."""
    if value is None:
        return ""
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "date":
        assert isinstance(value, date)
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def value_of(spec: FactSpec, text: str) -> object:
    """The column value for a stored text (the reverse of ``stored_text``)."""
    if spec.kind == "bool":
        return text == "yes"
    if spec.kind == "date":
        return date.fromisoformat(text) if text else None
    if spec.kind == "int":
        return int(text) if text else None
    if spec.kind == "enum":
        assert spec.choices is not None
        return spec.choices(text)
    return text


def display_text(spec: FactSpec, text: str) -> str:
    """A stored text as the screens show it."""
    if spec.kind == "bool":
        return "Yes" if text == "yes" else "No"
    if not text:
        return "Not recorded"
    if spec.kind == "date":
        return short_date(date.fromisoformat(text))
    if spec.kind == "enum":
        assert spec.choices is not None
        return str(getattr(spec.choices(text), "label", text))
    return text


def current_facts(case: Case) -> dict[str, str]:
    return {spec.name: stored_text(spec, getattr(case, spec.name)) for spec in FACTS}


class FactChangeError(Exception):
    """The change cannot be made; the message says what to do."""


@dataclass
class FactConflict(Exception):
    """Someone else changed these facts (name: the value now saved) since the form was opened."""

    saved: dict[str, str]


@dataclass(frozen=True)
class FactEdit:
    """What the person asked for: every fact's value as they left it, the values they saw, and why."""

    values: dict[str, str]
    seen: dict[str, str]
    reason: str


@dataclass
class FactChangeResult:
    changes: list[CaseFactChange]
    messages: list[str] = field(default_factory=list)


#: Listeners run after facts changed, in the same transaction; each returns sentences to show the person.
FactListener = Callable[[User, Case, list[CaseFactChange]], list[str]]
_LISTENERS: list[FactListener] = []


def register_fact_listener(listener: FactListener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def change_case_facts(user: User, case: Case, edit: FactEdit) -> FactChangeResult:
    """Change the facts the person changed, one history row each, with the audit row and the timeline entry.

    Raises ``FactConflict`` when another person changed one of the same facts in between (the refusal is
    audited), ``FactChangeError`` when nothing was changed.
    """
    locked = db.session.scalars(
        select(Case).where(Case.id == case.id).with_for_update(of=Case).execution_options(populate_existing=True)
    ).one()
    saved = current_facts(locked)
    wanted = {
        name: value
        for name, value in edit.values.items()
        if name in FACTS_BY_NAME and value != edit.seen.get(name, saved[name])
    }
    conflicts = {
        name: saved[name]
        for name, value in wanted.items()
        if saved[name] != edit.seen.get(name, saved[name]) and saved[name] != value
    }
    if conflicts:
        _keep_conflict(user, locked, edit, sorted(conflicts))
        raise FactConflict(conflicts)
    changes: list[CaseFactChange] = []
    for name, value in wanted.items():
        if saved[name] == value:
            continue  # someone else already made the same change
        spec = FACTS_BY_NAME[name]
        setattr(locked, name, value_of(spec, value))
        changes.append(
            CaseFactChange(
                case_id=locked.id,
                fact=name,
                old_value=saved[name],
                new_value=value,
                reason=edit.reason,
                changed_by_id=user.id,
            )
        )
    if not changes:
        raise FactChangeError("You have not changed any facts. Change a fact, or go back to the case.")
    db.session.add_all(changes)
    db.session.flush()
    labels = [FACTS_BY_NAME[c.fact].label for c in changes]
    record_event(
        db.session,
        "case.facts.change",
        object_type="case",
        object_id=locked.id,
        detail={"facts": [c.fact for c in changes], "change_ids": [str(c.id) for c in changes]},
        actor=user,
    )
    add_case_event(locked, "facts", "Facts changed: " + ", ".join(labels), user)
    result = FactChangeResult(changes)
    for listener in _LISTENERS:
        result.messages.extend(listener(user, locked, changes))
    return result


def _keep_conflict(user: User, case: Case, edit: FactEdit, facts: list[str]) -> None:
    """What the loser typed is kept (a ``CaseFactConflict``) and the refusal audited, after the rollback."""
    conflict_id, case_id, user_id = uuid.uuid4(), case.id, user.id
    attempted = {"values": dict(edit.values), "reason": edit.reason}

    def keep() -> None:
        db.session.add(
            CaseFactConflict(id=conflict_id, case_id=case_id, user_id=user_id, attempted=attempted, conflicting=facts)
        )
        db.session.flush()
        record_event(
            db.session,
            "case.facts.change",
            object_type="case",
            object_id=case_id,
            outcome="conflict",
            reason="another person changed the same facts",
            detail={"facts": facts, "conflict_id": str(conflict_id)},
            actor_user_id=user_id,
        )

    keep_after_rollback(keep)


# --- queries -------------------------------------------------------------------------------------------------


def find_fact_changes(case_id: uuid.UUID) -> list[CaseFactChange]:
    """The case's fact history, newest first."""
    query = (
        select(CaseFactChange)
        .where(CaseFactChange.case_id == case_id)
        .order_by(CaseFactChange.changed_at.desc(), CaseFactChange.id)
    )
    return list(db.session.scalars(query))


def facts_changed_since(history: list[CaseFactChange], since_at: datetime | None) -> set[str]:
    """The facts changed after ``since_at`` (none when there is no such moment)."""
    if since_at is None:
        return set()
    return {c.fact for c in history if c.changed_at > since_at}


@dataclass(frozen=True)
class FactDifference:
    spec: FactSpec
    then: str
    now: str

    @property
    def then_text(self) -> str:
        return display_text(self.spec, self.then)

    @property
    def now_text(self) -> str:
        return display_text(self.spec, self.now)


def differences_since(case: Case, history: list[CaseFactChange], since_at: datetime) -> list[FactDifference]:
    """Each fact that differs now from what it was at ``since_at``: its value then and now, in form order."""
    then: dict[str, str] = {}
    for change in sorted(history, key=lambda c: c.changed_at):
        if change.changed_at > since_at and change.fact not in then:
            then[change.fact] = change.old_value
    now = current_facts(case)
    return [
        FactDifference(spec, then[spec.name], now[spec.name])
        for spec in FACTS
        if spec.name in then and then[spec.name] != now[spec.name]
    ]


def estimate_made_on(case: Case, history: list[CaseFactChange]) -> date:
    """When the estimated age now recorded was given: its latest change, else when the child was identified."""
    for change in history:  # newest first
        if change.fact == "child_estimated_age":
            return london_date(change.changed_at)
    return london_date(case.identified_at)


def age_of_child_on(case: Case, history: list[CaseFactChange], on: date) -> AgeOn | None:
    return child_age_on(
        on,
        born_on=case.child_born_on,
        estimated_age=case.child_estimated_age,
        estimated_on=estimate_made_on(case, history),
    )


def approaching_adulthood(case: Case, history: list[CaseFactChange], today: date) -> AdulthoodAlert | None:
    return adulthood_alert(
        today,
        born_on=case.child_born_on,
        estimated_age=case.child_estimated_age,
        estimated_on=estimate_made_on(case, history),
    )


def record_history_viewed(user: User, case: Case) -> list[CaseFactChange]:
    """The history, for its page; the viewing is audited (reading the history reads restricted facts)."""
    record_view(db.session, "case.facts.history.view", object_type="case", object_id=case.id, actor=user)
    return find_fact_changes(case.id)


def find_authors(history: list[CaseFactChange]) -> dict[uuid.UUID, str]:
    """Who made each change: user id to display name."""
    ids = {c.changed_by_id for c in history if c.changed_by_id}
    if not ids:
        return {}
    return {
        row.id: row.display_name
        for row in db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    }
