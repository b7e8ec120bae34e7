"""Password hashing (argon2id) and the password policy (NCSC / ASVS 6.2: length, no composition rules)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Above OWASP ASVS Appendix C: argon2id, t=3, m=64 MiB, p=1.
HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)
MIN_LENGTH = 12
MAX_LENGTH = 256
CONTEXT_WORDS = ("convene", "northbridge", "password", "safeguarding")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return a Design System error message, or None if the password is acceptable."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in _common_passwords():
        return "Password is too common. Choose a password that is harder to guess, such as three random words"
    context = [w for w in CONTEXT_WORDS if w in lowered]
    for part in (email.split("@")[0].lower(), *name.lower().split()):
        if len(part) >= 4 and part in lowered:
            context.append(part)
    if context:
        return "Password must not contain your name, email address or the name of this service"
    return None
