"""Password hashing (argon2id) and the password policy (NCSC / ASVS 6.2: length, no composition rules)."""

from __future__ import annotations

import gzip
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


COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """171,363 common and breached passwords, lower-cased (credits in data/README.md). Loaded once, on first use:
    about 0.25 s and 18 MB (measured), so commands that never set a password (the outbox worker) do not pay for it."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return a Design System error message, or None if the password is acceptable."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if lowered in common_passwords():
        return "Password is too common. Choose a password that is harder to guess, such as three random words"
    context = [w for w in CONTEXT_WORDS if w in lowered]
    for part in (email.split("@")[0].lower(), *name.lower().split()):
        if len(part) >= 4 and part in lowered:
            context.append(part)
    if context:
        return "Password must not contain your name, email address or the name of this service"
    return None
