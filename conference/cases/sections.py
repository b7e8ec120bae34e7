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
