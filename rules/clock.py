"""The clock of the house: the one Europe/London zone and the one working-day arithmetic.

Pure (no Flask, no SQLAlchemy). Working days are Monday to Friday, except the bank holidays of the nation
(the ``holidays`` package, subdivisions ENG, WLS, SCT and NIR, including substitute days).

``add_working_days(start_on, n, nation)`` has one meaning everywhere (timescales and the NRM tracker):
``start_on`` itself is never counted, and the result is always a working day. So ``n >= 1`` is the ``n``-th
working day after ``start_on``, and ``n == 0`` is ``start_on`` if it is a working day, else the next working
day (it "rolls forward"). The NRM tracker used to return ``start_on`` unchanged for ``n == 0``; it never asks
for 0 days (the reasonable-grounds timescale is 5), and on a working day both readings agree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from rules.vocabulary import Nation

LONDON = ZoneInfo("Europe/London")

_SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[nation], years=year)
    return frozenset(calendar.keys())


def bank_holiday_name(day: date, nation: Nation | str) -> str | None:
    """The name of the bank holiday on ``day`` in ``nation``, or ``None``."""
    calendar = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[Nation(nation)], years=day.year)
    name = calendar.get(day)
    return str(name) if name is not None else None


def is_working_day(day: date, nation: Nation | str) -> bool:
    """Monday to Friday and not a bank holiday (or substitute day) in ``nation``."""
    if isinstance(day, datetime):
        raise TypeError("is_working_day takes a date, not a datetime; convert to a Europe/London date first")
    return day.weekday() < 5 and day not in _bank_holidays(Nation(nation), day.year)


def add_working_days(start_on: date, n: int, nation: Nation | str) -> date:
    """The ``n``-th working day after ``start_on`` (``start_on`` itself is never counted; ``n`` >= 0).

    ``add_working_days(d, 0, nation)`` is ``d`` if it is a working day, else the next working day.
    """
    if n < 0:
        raise ValueError("n must be zero or more working days")
    day = start_on
    if n == 0:
        while not is_working_day(day, nation):
            day += timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            remaining -= 1
    return day
