"""Plan the week's forms: the period to plan, the meetings to check, and accepting them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wtforms.validators import StopValidation

from conference.db import utcnow
from conference.forms import GovDateField, GovForm, GovListField, GovTextField, MaxLength
from rules.display import to_london

MAX_PERIOD_DAYS = 14


def london_today() -> date:
    return to_london(utcnow()).date()


@dataclass(frozen=True)
class PlanPeriod:
    from_on: date
    to_on: date
    move_invited: bool


class PlanPeriodForm(GovForm):
    """The start page: the first and last day to plan (inputs ``from-…`` and ``to-…``), and whether the plan may
    move meetings whose invitations were sent."""

    first_day = GovDateField("the first day to plan", future=True, today=london_today, name="from")
    last_day = GovDateField("the last day to plan", future=True, today=london_today, name="to")
    move_invited = GovTextField(name="move-invited", max_length=3)

    def validate_last_day(self, field: GovDateField) -> None:
        first = self.first_day.data
        if first is None or field.data is None:
            return
        if field.data < first:
            raise StopValidation("The last day to plan must be on or after the first day")
        if (field.data - first).days >= MAX_PERIOD_DAYS:
            raise StopValidation("The period to plan must be 14 days or shorter")

    def period(self) -> PlanPeriod:
        """The period to plan, once valid."""
        assert self.first_day.data is not None and self.last_day.data is not None, "only after validation"
        return PlanPeriod(self.first_day.data, self.last_day.data, self.move_invited.data == "yes")

    def values(self) -> dict[str, str]:
        """What the date inputs show again."""
        return {**self.first_day.values(), **self.last_day.values()}


class ChooseMeetingsForm(GovForm):
    """The plan's page: the proposed meetings ticked to arrange (their ids)."""

    meeting = GovListField(max_item_length=40)


class AcceptPlanForm(ChooseMeetingsForm):
    """Check answers: the chosen meetings, and a venue for those that have none."""

    venue = GovTextField(validators=[MaxLength(300, "The venue must be 300 characters or fewer")], max_length=300)
