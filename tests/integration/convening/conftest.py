"""Fixtures for convening: a Northbridge-like area, a real aiosmtpd SMTP sink, and a whole journey helper."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup

from tests.support.factories import Area, Factories, csrf_token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sink:
    """A real SMTP server (aiosmtpd) that keeps what it receives. ``gate`` blocks DATA while cleared."""

    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        self.arrived.set()
        import asyncio

        while not self.gate.is_set():
            await asyncio.sleep(0.02)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [BytesParser(policy=policy.default).parsebytes(raw) for _, _, raw in self.received]  # type: ignore[misc]


@pytest.fixture()
def smtp_sink() -> Iterator[Sink]:
    sink = Sink(free_port())
    sink.gate.set()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    sink.gate.set()
    controller.stop()


def build_area(factories: Factories, **options: Any) -> Area:
    """An English area with social care, police and health, each with a primary and a deputy
    (``Factories.convening_area``)."""
    return factories.convening_area(**options)


def post(client: Any, path: str, data: dict[str, str], token_path: str | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, token_path or path), **data})


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def convene_until_options(client: Any, area: Any) -> str:
    """Open a strategy discussion on the area's case, set a two-day window, keep the proposed people and press
    Continue (which finds the times). Returns the new conference's id."""
    from rules.display import to_london

    response = post(client, f"/cases/{area.case.id}/conferences/new", {"meeting_type": "strategy_discussion"})
    assert response.status_code == 302
    conference_id = str(response.headers["Location"].split("/")[2])
    local = to_london(datetime.now(UTC) + timedelta(days=2))
    response = post(
        client,
        f"/conferences/{conference_id}/timescale",
        {
            "deadline-day": str(local.day),
            "deadline-month": str(local.month),
            "deadline-year": str(local.year),
            "deadline-time": f"{local.hour:02d}:{local.minute:02d}",
            "duration": "60",
        },
    )
    assert response.status_code == 302
    page = soup(client.get(f"/conferences/{conference_id}/people"))
    data = {i["name"]: i["value"] for i in page.select("input[type=radio][checked]")}
    data["action"] = "continue"
    assert post(client, f"/conferences/{conference_id}/people", data).status_code == 302
    return conference_id


def run_journey(client: Any, area: Area, *, venue: str = "Room 4, Civic Centre") -> str:
    """Ask -> timescale -> people -> options -> place -> check -> send. Returns the conference id."""
    case = area.case
    response = post(client, f"/cases/{case.id}/conferences/new", {"meeting_type": "strategy_discussion"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    conference_id = response.headers["Location"].split("/")[2]
    deadline = datetime.now(UTC) + timedelta(days=2)
    from rules.display import to_london

    local = to_london(deadline)
    response = post(
        client,
        f"/conferences/{conference_id}/timescale",
        {
            "deadline-day": str(local.day),
            "deadline-month": str(local.month),
            "deadline-year": str(local.year),
            "deadline-time": f"{local.hour:02d}:{local.minute:02d}",
            "duration": "60",
        },
    )
    assert response.status_code == 302, soup(response).select_one(".govuk-error-summary")
    page = soup(client.get(f"/conferences/{conference_id}/people"))
    data = {i["name"]: i["value"] for i in page.select("input[type=radio][checked]")}
    data["action"] = "continue"
    response = post(client, f"/conferences/{conference_id}/people", data)
    assert response.status_code == 302, soup(response).select_one(".govuk-error-summary")
    options = client.get(f"/conferences/{conference_id}/options")
    assert options.status_code == 200
    response = post(client, f"/conferences/{conference_id}/options", {"proposal": "0"})
    assert response.status_code == 302, soup(options).get_text()[:3000]
    response = post(client, f"/conferences/{conference_id}/place", {"how": "venue", "venue": venue})
    assert response.status_code == 302, soup(response).select_one(".govuk-error-summary")
    check = client.get(f"/conferences/{conference_id}/check")
    assert check.status_code == 200
    response = post(client, f"/conferences/{conference_id}/send", {}, f"/conferences/{conference_id}/check")
    assert response.status_code == 302
    if not response.headers["Location"].endswith(f"/conferences/{conference_id}"):
        problem = soup(client.get(response.headers["Location"])).select_one(".govuk-warning-text")
        raise AssertionError(f"not sent: {problem}")
    return conference_id


def deliver(app: Any, sink: Sink) -> Any:
    from conference.outbox.worker import SmtpTarget, work

    return work(SmtpTarget("127.0.0.1", sink.port, 5), stop_when_empty=True)
