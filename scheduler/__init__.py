"""Convene's scheduling engine: the soonest workable meeting, and a region's week.

Contract: ``docs/scheduling.md`` (request, response and batch formats are honoured to the
letter). Python API::

    solve(request: Mapping[str, Any]) -> dict[str, Any]          # one conference, JSON in and out
    plan(batch: Mapping[str, Any]) -> dict[str, Any]             # a regional plan, JSON in and out
    solve_request(request: ConferenceRequest) -> SolveResult     # typed variants
    plan_batch(batch: Batch) -> PlanResult
    parse_request(data) -> ConferenceRequest, parse_batch(data) -> Batch

Bad input raises :class:`RequestError` (``python -m scheduler`` prints it and exits 2).

Decisions and extensions beyond the contract (additions only; no field of the spec changes):

* **Unknown availability.** A person with ``"availability": "unknown"``, or a candidate with no
  entry in ``people`` at all (the spec's own example lists only ``p1``), has *unknown*
  availability. Unknown is never free: such a person fills no role unless the request sets
  ``"allow_unknown": true`` (default false); explanations then say so, and a no-slot answer
  suggests confirming their availability. So an "unknown candidate" is not an error; what is
  refused as an *unknown candidate* is a fixed booking (``plan``) naming a person who is not a
  candidate of that role. A person may also carry an optional ``"name"`` used in explanations.
* **No slot.** Beside the spec's ``reasons`` (strings), a ``suggestions`` list of objects
  ``{"kind", "role", "detail"}`` with kind ``extend_deadline``, ``allow_written_submission``,
  ``add_deputy``, ``use_on_call`` or ``confirm_availability``.
* **Working hours.** A meeting is in hours when it lies inside one window of the local day it
  starts on. ``"24:00"`` may end a window. Start grains are local times on the grain; in the
  autumn fold both 01:00s are starts, in the spring gap none. ``grain_minutes`` must divide a day.
* **Plan bound and gap.** A plan's ``summary`` also carries ``"lower_bound":
  {"unscheduled_priority": u, "weighted_wait_minutes": w}`` and ``"gap"``. The bound is
  lexicographic, in the contract's order: no valid plan of the batch leaves less than ``u``
  priority unscheduled, and none that leaves exactly ``u`` has a weighted wait below ``w``
  (fixed bookings included). So ``(u, w)`` is never above the plan's own pair. ``gap`` is the
  plan's relative distance above the bound on the first of the two that the bound does not
  prove: ``(unscheduled - u) / unscheduled`` if ``u`` is lower, else ``(wait - w) / wait``
  (0 when the wait is 0); ``0`` means the plan is proven best on both. It is rounded to six
  decimal places. The engine stops searching once the gap is at most 1% (batches of up to 20
  movable conferences: once it is 0), or at ``time_limit_seconds``. How the bound is found: see
  :mod:`scheduler.planner`.
* **Ranking** of proposals: see :mod:`scheduler.solver`. The first proposal is the fastest
  meeting, the second (when different) the best attended, then alternatives by weighted cost.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scheduler.errors import RequestError
from scheduler.model import Batch, ConferenceRequest, parse_batch, parse_request

if TYPE_CHECKING:
    from scheduler.answer import Proposal, SolveResult, solve_request
    from scheduler.api import plan, solve
    from scheduler.planner import PlanResult, plan_batch

# The solver's names load OR-Tools (and with it pandas), about 0.7 s: import them on first use, so that
# programs which only parse calendars or requests (the web app's start-up, the outbox worker) start quickly.
_LAZY = {
    "Proposal": "scheduler.answer",
    "SolveResult": "scheduler.answer",
    "solve_request": "scheduler.answer",
    "plan": "scheduler.api",
    "solve": "scheduler.api",
    "PlanResult": "scheduler.planner",
    "plan_batch": "scheduler.planner",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "Batch",
    "ConferenceRequest",
    "PlanResult",
    "Proposal",
    "RequestError",
    "SolveResult",
    "parse_batch",
    "parse_request",
    "plan",
    "plan_batch",
    "solve",
    "solve_request",
]
