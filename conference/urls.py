"""URL converters. A number in a URL is matched only in the range the database can store.

Werkzeug's ``int`` converter accepts any number of digits, so ``/versions/99999999999999999999999`` reached
the view and the database refused the query (a 500). :class:`DatabaseInt` replaces ``int`` for every route:
out of range, the URL matches nothing and the answer is the ordinary 404 page.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest value of a PostgreSQL ``INTEGER`` column (the type of every whole-number column in Convene).
DB_INT_MAX = 2**31 - 1


class DatabaseInt(IntegerConverter):
    """``<int:...>`` limited to 0 .. ``DB_INT_MAX`` (a route may still pass a smaller ``max``)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)
        if self.max is None or self.max > DB_INT_MAX:
            self.max = DB_INT_MAX


def in_database_range(number: int) -> bool:
    """A whole number a form or JSON body may carry as an id or version: 0 .. ``DB_INT_MAX``."""
    return 0 <= number <= DB_INT_MAX
