"""The password policy's list of common and breached passwords (ASVS 2.1.7): big enough to matter, fast to check."""

from __future__ import annotations

import pytest

from conference.auth import passwords


def test_the_bundled_list_has_at_least_100000_passwords():
    assert len(passwords.common_passwords()) >= 100_000


@pytest.mark.parametrize(
    "password", ["123456789012", "iloveyou1234", "PASSWORD1234", "1234567890123", "1q2w3e4r5t6y", "trustno1trustno1"]
)
def test_known_common_passwords_are_refused_with_a_clear_message(password):
    assert password.lower() in passwords.common_passwords()
    assert passwords.password_problem(password) == (
        "Password is too common. Choose a password that is harder to guess, such as three random words"
    )


def test_a_good_passphrase_is_accepted():
    assert passwords.password_problem("tidal-orchard-copper-19") is None
