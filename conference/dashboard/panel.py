"""A dashboard panel's answer: its first rows, and how many rows it has in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Row

T = TypeVar("T")

#: How many rows a panel shows at most, the most pressing first; it says how many more there are (``Panel.more``).
#: Convene's own choice, the same for every panel: a dashboard points at what to do first, and each row links to
#: its case. (The overdue actions and NRM referrals showed 50 until the dashboard was measured under load: with
#: 500 open cases those two lists made a third of a 71 KB page, and the page's size alone cost a third of the
#: server's throughput; docs/benchmarks.md.)
PANEL_LIMIT = 20


@dataclass(frozen=True)
class Panel(Generic[T]):
    """The rows a panel shows (the most pressing first) and the total, so it can say "20 of 500"."""

    rows: list[T]
    total: int

    @property
    def more(self) -> int:
        """How many rows the panel does not show."""
        return self.total - len(self.rows)


def window_total(rows: Sequence[Row[*tuple[Any, ...]]]) -> int:
    """The ``count(*) OVER ()`` every row carries as its last column; no rows, none at all."""
    return int(rows[0][-1]) if rows else 0
