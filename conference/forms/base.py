"""The base of every WTForms page form: errors as `FormErrors`, in page order, the first message per field."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from conference.forms.readers import FormErrors


class GovForm(FlaskForm):  # type: ignore[misc]
    """One subclass per page. The page renders ``errors=form.gov_errors`` exactly as it rendered a `FormErrors`.

    CSRF is not checked a second time here: `conference.security` checks the token on every POST before any view
    runs (after an expired session's form is kept), so the form leaves it to that guard and adds no field for it.
    Templates keep their ``csrf_token()`` hidden input.
    """

    class Meta:
        csrf = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gov_errors = FormErrors()

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate every field, then list the errors in the order the fields are declared (page order)."""
        super().validate(extra_validators)
        for field in self:
            if field.errors:
                self.gov_errors.add(getattr(field, "error_id", field.id), field.errors[0])
        return not self.gov_errors

    def check(self) -> bool:
        """Submitted (POST) and valid: the form's own `validate_on_submit`, with `gov_errors` filled."""
        return bool(self.is_submitted()) and self.validate()

    def add_error(self, field: str, message: str) -> None:
        """An error found after validation (by a service, or across fields); the first for a field wins."""
        self.gov_errors.add(field, message)

    @property
    def status(self) -> int:
        """The page's status: 400 when it shows errors."""
        return 400 if self.gov_errors else 200
