"""TOTP multi-factor authentication. Secrets are encrypted at rest; each code is usable once."""

from __future__ import annotations

import base64
import hashlib
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken

ISSUER = "Convene"
STEP_SECONDS = 30
VALID_WINDOW = 1  # one step either side, server clock only


def _fernet(secret_key: str) -> Fernet:
    derived = hashlib.sha256(b"convene-totp-at-rest|" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def new_totp_secret() -> str:
    return pyotp.random_base32(length=32)


def encrypt_secret(secret: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(token: str, secret_key: str) -> str:
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("the MFA secret cannot be decrypted with this SECRET_KEY") from error


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def verify_code(secret: str, code: str, last_step: int | None, at: float | None = None) -> int | None:
    """Return the accepted time step, or None. A step at or before ``last_step`` is refused (no replay)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = current_step(at)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_at(secret: str, at: float | None = None) -> str:
    return pyotp.TOTP(secret).at(int(time.time() if at is None else at))


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff"))
