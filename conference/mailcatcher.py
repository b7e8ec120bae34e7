"""A local mail catcher for ``make run``: an aiosmtpd SMTP server that keeps every message as a .eml file
under ``instance/mail/``. ``flask --app wsgi mail list`` and the development page ``/dev/mail`` read them.

Development only: it accepts mail for any address from localhost and never relays it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from conference.config import INSTANCE_DIR

MAIL_DIR = INSTANCE_DIR / "mail"
PID_FILE = INSTANCE_DIR / "mailcatcher.pid"


class _Keep:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        (self.directory / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted"


def make_controller(host: str, port: int, directory: Path = MAIL_DIR) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(_Keep(directory), hostname=host, port=port)


def serve_forever(host: str, port: int) -> None:
    controller = make_controller(host, port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def _running() -> bool:
    if not PID_FILE.exists():
        return False
    try:
        os.kill(int(PID_FILE.read_text().strip()), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def start_background(host: str, port: int) -> str:
    if _running():
        return f"The mail catcher is already running on {host}:{port}."
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "conference.mailcatcher", host, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    PID_FILE.write_text(str(process.pid))
    return f"Mail catcher started on {host}:{port} (messages in {MAIL_DIR}); read them at /dev/mail."


@dataclass(frozen=True)
class CaughtMessage:
    name: str
    to: str
    subject: str
    text: str
    calendar: str


def list_messages(directory: Path = MAIL_DIR, limit: int = 200) -> list[CaughtMessage]:
    if not directory.exists():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [read_message(path) for path in files]


def read_message(path: Path) -> CaughtMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text, calendar = "", ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = str(part.get_content())
        elif part.get_content_type() == "text/calendar":
            content = part.get_content()
            calendar = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return CaughtMessage(path.name, str(message["To"] or ""), str(message["Subject"] or ""), text, calendar)


if __name__ == "__main__":
    serve_forever(sys.argv[1], int(sys.argv[2]))
