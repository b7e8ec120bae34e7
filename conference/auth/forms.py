"""The sign-in, password and account pages' forms: one class per page, the Design System's wording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms.validators import StopValidation

from conference.auth import account, admin
from conference.auth.models import Role, User
from conference.auth.passwords import password_problem, verify_password
from conference.forms import GovForm, GovTextField, MaxLength, OneOf, Required

ENTER_EMAIL = "Enter your email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
ENTER_CODE = "Enter the 6-digit code from your authenticator app"
SAME_PASSWORD = "Enter the same password twice"
ROLES = frozenset(r.value for r in Role)


def _password(label: str = "") -> GovTextField:
    """A password exactly as typed: not trimmed, not cut (password_problem checks the length)."""
    return GovTextField(label, strip=False, max_length=None)


class SignInForm(GovForm):
    email = GovTextField(validators=[Required(ENTER_EMAIL)], max_length=254)
    password = GovTextField(validators=[Required("Enter your password")], strip=False, max_length=None)


class AuthenticatorCodeForm(GovForm):
    """The security code page (``/login/code``)."""

    code = GovTextField(validators=[Required(ENTER_CODE)], max_length=32)


class NewAuthenticatorCodeForm(AuthenticatorCodeForm):
    """The new authenticator's first code (second step of setting one up): the same question."""


class EnrolmentCodeForm(GovForm):
    enrolment_code = GovTextField(validators=[Required("Enter the enrolment code your administrator gave you")])


class ForgottenPasswordForm(GovForm):
    email = GovTextField(validators=[Required(ENTER_EMAIL)], max_length=254)

    def validate_email(self, field: GovTextField) -> None:
        if "@" not in field.data or len(field.data) > 254:
            raise StopValidation(EMAIL_FORMAT)


class ResetPasswordForm(GovForm):
    """A new password through a reset link. ``user`` is the account the link is for (its email and name may not be
    part of the password)."""

    password = _password()
    confirm_password = _password()

    def __init__(self, *args: Any, user: User | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field: GovTextField) -> None:
        user = self.user
        problem = password_problem(field.data, email=user.email if user else "", name=user.display_name if user else "")
        if problem:
            raise StopValidation(problem)

    def validate_confirm_password(self, field: GovTextField) -> None:
        if not self.password.errors and field.data != self.password.data:
            raise StopValidation(SAME_PASSWORD)


class ChangePasswordForm(GovForm):
    """Your own password. A wrong current password is counted (`account.record_wrong_current_password`) like a
    failed sign-in."""

    current_password = _password()
    new_password = _password()
    confirm_password = _password()
    end_other_sessions = GovTextField(max_length=3)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    @property
    def end_others(self) -> bool:
        """Ticked on the first view of the page; after a POST, as sent."""
        return self.end_other_sessions.data == "yes" if self.is_submitted() else True

    def validate_current_password(self, field: GovTextField) -> None:
        if not field.data:
            raise StopValidation("Enter your current password")
        if not verify_password(self.user.password_hash, field.data):
            account.record_wrong_current_password(self.user)
            raise StopValidation("Enter your current password correctly")

    def validate_new_password(self, field: GovTextField) -> None:
        problem = password_problem(field.data, email=self.user.email, name=self.user.display_name)
        if problem:
            raise StopValidation(problem.replace("Enter a password", "Enter a new password"))
        if field.data == self.confirm_password.data and field.data == self.current_password.data:
            raise StopValidation("Choose a password that is different from your current one")

    def validate_confirm_password(self, field: GovTextField) -> None:
        if not self.new_password.errors and field.data != self.new_password.data:
            raise StopValidation(SAME_PASSWORD)


def _valid_email(email: str) -> bool:
    return not ("@" not in email or len(email) > 254 or " " in email or email.startswith("@") or email.endswith("@"))


class NewUserForm(GovForm):
    """Create an account. The fields are declared in the order their errors are listed (role before agency, as
    before the move to WTForms), which is not quite the page's order."""

    display_name = GovTextField(
        validators=[Required("Enter their full name"), MaxLength(160, "Name must be 160 characters or fewer")],
        max_length=160,
    )
    email = GovTextField(max_length=254)
    role = GovTextField(validators=[OneOf(ROLES, "Select a role")], max_length=40)
    agency_id = GovTextField(max_length=40)

    def __init__(self, *args: Any, agencies: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies

    @property
    def agency(self) -> Any:
        """The chosen agency (a directory Agency, which the platform does not import), or None."""
        return next((a for a in self.agencies if str(a.id) == self.agency_id.data), None)

    def validate_email(self, field: GovTextField) -> None:
        if not _valid_email(field.data):
            raise StopValidation(EMAIL_FORMAT)
        if admin.email_taken(field.data):
            raise StopValidation("This email address already has an account")

    def validate_agency_id(self, field: GovTextField) -> None:
        if self.agency is None:
            raise StopValidation("Select an agency")

    def new_account(self) -> admin.NewAccount:
        agency = self.agency
        assert agency is not None, "only after validation"
        return admin.NewAccount(
            display_name=self.display_name.data, email=self.email.data, role=Role(self.role.data), agency=agency
        )


class EditUserForm(GovForm):
    """Change an account's role and whether it can be used. Administrators cannot remove their own access."""

    role = GovTextField(validators=[OneOf(ROLES, "Select a role")], max_length=40)
    active = GovTextField(validators=[OneOf({"yes", "no"}, "Select whether the account can be used")], max_length=3)

    def __init__(self, *args: Any, editing_self: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing_self = editing_self

    def validate_role(self, field: GovTextField) -> None:
        if self.editing_self and (self.active.data == "no" or field.data != Role.ADMINISTRATOR):
            raise StopValidation("You cannot remove your own administrator access. Ask another administrator")
