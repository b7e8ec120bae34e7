"""Sections that feature packages add to the case page (meetings, decisions, NRM tracker) without editing it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conference.cases.models import Case


@dataclass(frozen=True)
class CaseSection:
    order: int
    template: str
    context: Callable[[Case], dict[str, Any]]


_SECTIONS: list[CaseSection] = []


def register_case_section(order: int, template: str, context: Callable[[Case], dict[str, Any]]) -> None:
    if any(s.template == template for s in _SECTIONS):
        return
    _SECTIONS.append(CaseSection(order, template, context))
    _SECTIONS.sort(key=lambda s: s.order)


def case_sections() -> list[CaseSection]:
    return list(_SECTIONS)


#: Marks that later features add to rows of the case list (such as "Repeatedly missing"): each callback answers,
#: for the cases listed, the marks of those it has something to say about, in one query.
_LIST_MARKS: list[Callable[[list[Case]], dict[Any, list[str]]]] = []


def register_case_list_marks(callback: Callable[[list[Case]], dict[Any, list[str]]]) -> None:
    if callback not in _LIST_MARKS:
        _LIST_MARKS.append(callback)


def case_list_marks(cases: list[Case]) -> dict[Any, list[str]]:
    marks: dict[Any, list[str]] = {}
    for callback in _LIST_MARKS:
        for case_id, found in callback(cases).items():
            marks.setdefault(case_id, []).extend(found)
    return marks
