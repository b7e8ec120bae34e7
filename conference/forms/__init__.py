"""Forms: WTForms classes on one base (`GovForm`) with the Design System's date and time fields, and the hand readers
still used by pages not yet converted. Both render their errors through `FormErrors`, so templates call
``errors.message(field)`` and ``errors.summary()`` whichever produced them."""

from conference.forms.base import GovForm
from conference.forms.fields import (
    GovDateField,
    GovFileField,
    GovListField,
    GovTextField,
    GovTimeField,
    MaxLength,
    OneOf,
    Required,
)
from conference.forms.readers import (
    MONTHS,
    REAL_TIME,
    DateParts,
    FormErrors,
    check_date,
    date_parts,
    local_datetime,
    parse_date,
    parse_time_of_day,
    restored_form_data,
    text_field,
)

__all__ = [
    "MONTHS",
    "REAL_TIME",
    "DateParts",
    "FormErrors",
    "GovDateField",
    "GovFileField",
    "GovForm",
    "GovListField",
    "GovTextField",
    "GovTimeField",
    "MaxLength",
    "OneOf",
    "Required",
    "check_date",
    "date_parts",
    "local_datetime",
    "parse_date",
    "parse_time_of_day",
    "restored_form_data",
    "text_field",
]
