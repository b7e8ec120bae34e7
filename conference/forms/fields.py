"""WTForms fields for the Design System's inputs, with the same parsing and messages as the hand readers.

- `GovTextField`: one text input or textarea, trimmed, Windows line endings made plain, cut at twice its maximum
  length (so a "must be N characters or fewer" check still sees that it was too long).
- `GovDateField`: the three-part date input (``name-day``, ``name-month``, ``name-year``), month names accepted,
  the standard messages ("Enter …", "… must include a …", "… must be a real date", "… must be today or in the
  past/future"). The error points at the part to fix, through `error_id`.
- `GovTimeField`: a time of day typed leniently ("2:30pm", "14:30", "2pm", "midday").
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, time
from typing import Any

from wtforms import Field
from wtforms.validators import StopValidation

from conference.forms.readers import REAL_TIME, DateParts, check_date, parse_time_of_day

Today = Callable[[], date]


class GovTextField(Field):  # type: ignore[misc]
    """Text as the hand readers read it: absent is "", trimmed (unless ``strip=False``, for passwords)."""

    data: str

    def __init__(
        self, label: str = "", validators: Any = None, *, max_length: int | None = 500, strip: bool = True, **kw: Any
    ):
        super().__init__(label, validators, **kw)
        self.max_length = max_length
        self.strip = strip

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]) if valuelist else ""
        if self.strip:
            raw = raw.strip().replace("\r\n", "\n")
        self.data = raw if self.max_length is None else raw[: self.max_length * 2]

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None else str(value)

    def _value(self) -> str:
        return str(self.data or "")


class GovDateField(Field):  # type: ignore[misc]
    """The Design System's date input. ``label`` is the wording inside messages ("the date of the decision").

    ``today`` is a callable giving today's date for the past/future checks (default: the system date, as the hand
    reader does); a view can also set ``field.today`` to a date before validating."""

    data: date | None
    process_errors: list[str]

    def __init__(
        self,
        label: str = "",
        validators: Any = None,
        *,
        required: bool = True,
        past: bool = False,
        future: bool = False,
        today: Today | date | None = None,
        **kw: Any,
    ):
        super().__init__(label, validators, **kw)
        self.required = required
        self.past = past
        self.future = future
        self.today = today
        self.parts = DateParts("", "", "")
        self.error_id = f"{self.name}-day"

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.data = data if isinstance(data, date) else None
        if formdata is not None:
            self.parts = DateParts(
                *(str(formdata.get(f"{self.name}-{part}", "")).strip()[:20] for part in ("day", "month", "year"))
            )
            self.raw_data = [self.parts.day, self.parts.month, self.parts.year]
            self.data = None

    def values(self) -> dict[str, str]:
        """The three parts as sent (trimmed), keyed by input name, to show the date input again."""
        parts = (self.parts.day, self.parts.month, self.parts.year)
        return {f"{self.name}-{part}": value for part, value in zip(("day", "month", "year"), parts, strict=True)}

    def pre_validate(self, form: Any) -> None:
        self.error_id = f"{self.name}-day"
        today = self.today() if callable(self.today) else self.today
        value, part, message = check_date(
            self.parts, self.label.text, required=self.required, past=self.past, future=self.future, today=today
        )
        self.data = value
        if message:
            self.error_id = f"{self.name}-{part}"
            raise StopValidation(message)


class GovTimeField(Field):  # type: ignore[misc]
    """A time of day, read as `parse_time_of_day` reads it. ``label`` is the wording inside "Enter …"."""

    data: time | None

    def __init__(self, label: str = "", validators: Any = None, *, required: bool = True, **kw: Any):
        super().__init__(label, validators, **kw)
        self.required = required
        self.text = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.text = (str(valuelist[0]) if valuelist else "").strip()[:20]
        self.data = None

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, time) else None

    def pre_validate(self, form: Any) -> None:
        if not self.text:
            self.data = None
            if self.required:
                raise StopValidation(f"Enter {self.label.text}")
            return
        parsed = parse_time_of_day(self.text)
        if parsed is None:
            self.data = None
            raise StopValidation(REAL_TIME)
        self.data = time(*parsed)


class GovListField(Field):  # type: ignore[misc]
    """Every value sent under one name (checkboxes, a list of hidden ids), in order; values longer than
    ``max_item_length`` are dropped (no id or option key is that long)."""

    data: list[str]

    def __init__(self, label: str = "", validators: Any = None, *, max_item_length: int = 100, **kw: Any):
        super().__init__(label, validators, **kw)
        self.max_item_length = max_item_length

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v) for v in valuelist if len(str(v)) <= self.max_item_length]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


class GovFileField(Field):  # type: ignore[misc]
    """An uploaded file's bytes, read up to one byte past ``max_bytes`` (so "too large" can be told apart without
    reading more), or None when no file was chosen."""

    data: bytes | None

    def __init__(self, label: str = "", validators: Any = None, *, max_bytes: int, **kw: Any):
        super().__init__(label, validators, **kw)
        self.max_bytes = max_bytes

    def process_formdata(self, valuelist: list[Any]) -> None:
        upload: Any = valuelist[0] if valuelist else None
        self.data = upload.read(self.max_bytes + 1) if getattr(upload, "filename", None) else None

    def process_data(self, value: Any) -> None:
        self.data = None


class Required:
    """The field must have a value (after trimming, for trimmed fields); ``message`` is the Design System's "Enter …"
    or "Select …"."""

    def __init__(self, message: str):
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        if not field.data:
            raise StopValidation(self.message)


class OneOf:
    """The value must be one of ``values`` (radios, selects); anything else gets ``message``."""

    def __init__(self, values: Collection[str], message: str):
        self.values = values
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data not in self.values:
            raise StopValidation(self.message)


class MaxLength:
    """At most ``length`` characters; ``message`` says so ("Name must be 160 characters or fewer")."""

    def __init__(self, length: int, message: str):
        self.length = length
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if len(field.data or "") > self.length:
            raise StopValidation(self.message)
