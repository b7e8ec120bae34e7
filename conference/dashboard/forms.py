"""The dashboard's period form (a GET form: the engagement report's dates from and to)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms.validators import StopValidation

from conference.dashboard.engagement import Period
from conference.forms import FormErrors, GovDateField, GovForm

DEFAULT_PERIOD_DAYS = 90  # Convene's own choice: the last 90 days when no period is given
MAX_PERIOD_DAYS = 366  # Convene's own choice: at most a (leap) year in one report
PARTS = ("day", "month", "year")


class PeriodForm(GovForm):
    """The report period. Made with `PeriodForm.read`, which fills in the last 90 days when no date is given."""

    from_on = GovDateField("the start of the period", name="from")
    to_on = GovDateField("the end of the period", name="to")

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = Period(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)
        self.from_on.today = self.to_on.today = today
        self.page: dict[str, str] = {}  # the six date parts, as sent (or the default period's), for the page

    @classmethod
    def read(cls, args: Mapping[str, str], today: date) -> PeriodForm | DefaultPeriod:
        """The form from the query string, validated (``gov_errors``); the default period if no date is given.

        Most loads of the dashboard give no date: they get the default period without a form to validate."""
        if not args:
            return DefaultPeriod.for_today(today)
        page = {f"{name}-{part}": str(args.get(f"{name}-{part}", "")) for name in ("from", "to") for part in PARTS}
        if not any(page.values()):
            return DefaultPeriod.for_today(today)
        form = cls(formdata=MultiDict(page), today=today)
        form.page = page
        form.validate()
        return form

    def validate_to_on(self, field: GovDateField) -> None:
        start, end = self.from_on.data, field.data
        if start and end:
            if end < start:
                raise StopValidation("The end of the period must be after the start of the period")
            if (end - start).days >= MAX_PERIOD_DAYS:
                raise StopValidation("The period must be 366 days or shorter")

    @property
    def period(self) -> Period:
        """The period asked for, or the default one when the dates have errors."""
        if self.gov_errors or self.from_on.data is None or self.to_on.data is None:
            return self.default
        return Period(self.from_on.data, self.to_on.data)


@dataclass(frozen=True)
class DefaultPeriod:
    """No date given: the last ``DEFAULT_PERIOD_DAYS`` days, as ``PeriodForm`` would answer it, with no errors."""

    period: Period
    page: dict[str, str]
    gov_errors: FormErrors = field(default_factory=FormErrors)

    @classmethod
    def for_today(cls, today: date) -> DefaultPeriod:
        start = today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        page = {
            f"{name}-{part}": str(getattr(on, part)) for name, on in (("from", start), ("to", today)) for part in PARTS
        }
        return cls(Period(start, today), page)
