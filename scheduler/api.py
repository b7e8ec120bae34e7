"""JSON in, JSON out: the functions the web app and the command line call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduler.answer import solve_request
from scheduler.model import parse_batch, parse_request
from scheduler.planner import plan_batch


def solve(request: Mapping[str, Any]) -> dict[str, Any]:
    """One conference: a decoded request in, the contract's response out. Raises ``RequestError``."""
    return solve_request(parse_request(request)).as_json()


def plan(batch: Mapping[str, Any]) -> dict[str, Any]:
    """A regional plan: a decoded batch in, the contract's plan out. Raises ``RequestError``."""
    return plan_batch(parse_batch(batch)).as_json()
