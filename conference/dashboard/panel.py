"""A dashboard panel's answer: its first rows, and how many rows it has in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Row

T = TypeVar("T")


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
