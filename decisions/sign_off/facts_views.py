"""The case page lists each signed decision whose facts changed since (decisions.sign_off.facts_changed)."""

from __future__ import annotations

from typing import Any

from conference.cases.models import Case
from conference.cases.sections import register_case_section
from decisions.sign_off import facts_changed


def _case_section(case: Case) -> dict[str, Any]:
    return {"changed": facts_changed.find_changed_decisions(case)}


register_case_section(35, "decisions/_facts_changed_section.html", _case_section)
