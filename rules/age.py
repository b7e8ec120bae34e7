"""The child's age: on a given date (such as a meeting's), and the alert before the 18th birthday.

Pure functions: no Flask, no SQLAlchemy. Each rule names its source or says it is Convene's own choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: A child is anyone under 18: Children Act 1989 s105(1); Working Together to Safeguard Children 2023, glossary
#: ("Children: anyone who has not yet reached their 18th birthday").
ADULT_AGE = 18
#: Raise the "approaching 18" alert this many days before the 18th birthday. Convene's own choice (issue 10):
#: leaving-care pathway planning starts much earlier (Care of unaccompanied migrant children and child victims of
#: modern slavery, DfE 2017, section 3 "Leaving care"), but at 18 the NRM changes: an adult must give informed
#: consent to be referred, a child need not (Modern Slavery: statutory guidance for England and Wales under s49
#: of the Modern Slavery Act 2015, "Consent"), and adult support moves to the Modern Slavery Victim Care
#: Contract. 100 days leaves time to plan the transition to adult services and to refer while still a child.
ADULTHOOD_ALERT_DAYS = 100


def birthday_in(born_on: date, year: int) -> date:
    """The birthday in ``year``; 29 February falls on 1 March in a common year (Convene's own choice)."""
    try:
        return born_on.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def age_on(born_on: date, on: date) -> int:
    """Whole years of age on ``on`` for someone born on ``born_on``."""
    years = on.year - born_on.year
    return years if on >= birthday_in(born_on, on.year) else years - 1


def estimated_age_on(estimated_age: int, estimated_on: date, on: date) -> int:
    """An estimated age carried forward: the estimate plus the whole years since it was made (Convene's own
    choice: without a date of birth, the estimate is treated as made on the child's birthday)."""
    return estimated_age + age_on(estimated_on, on)


@dataclass(frozen=True)
class AgeOn:
    """The child's age on a date, and whether it rests on an estimate."""

    years: int
    estimated: bool

    @property
    def text(self) -> str:
        return f"about {self.years} (estimated)" if self.estimated else str(self.years)


def child_age_on(
    on: date, *, born_on: date | None, estimated_age: int | None, estimated_on: date | None
) -> AgeOn | None:
    """The age on ``on`` from the date of birth, else from the estimate (made on ``estimated_on``)."""
    if born_on is not None:
        return AgeOn(age_on(born_on, on), estimated=False)
    if estimated_age is not None and estimated_on is not None:
        return AgeOn(estimated_age_on(estimated_age, estimated_on, on), estimated=True)
    return None


def eighteenth_birthday_on(
    *, born_on: date | None, estimated_age: int | None, estimated_on: date | None
) -> tuple[date, bool] | None:
    """The 18th birthday, and whether it is estimated (from an estimated age, Convene's own choice as above)."""
    if born_on is not None:
        return birthday_in(born_on, born_on.year + ADULT_AGE), False
    if estimated_age is not None and estimated_on is not None:
        return birthday_in(estimated_on, estimated_on.year + ADULT_AGE - estimated_age), True
    return None


@dataclass(frozen=True)
class AdulthoodAlert:
    turns_18_on: date
    days_left: int
    estimated: bool


def adulthood_alert(
    today: date, *, born_on: date | None, estimated_age: int | None, estimated_on: date | None
) -> AdulthoodAlert | None:
    """The "approaching 18" alert: from ``ADULTHOOD_ALERT_DAYS`` days before the 18th birthday until the day
    before it (on the birthday the child is an adult and the alert would come too late)."""
    found = eighteenth_birthday_on(born_on=born_on, estimated_age=estimated_age, estimated_on=estimated_on)
    if found is None:
        return None
    turns_18_on, estimated = found
    days_left = (turns_18_on - today).days
    if 0 < days_left <= ADULTHOOD_ALERT_DAYS:
        return AdulthoodAlert(turns_18_on, days_left, estimated)
    return None
