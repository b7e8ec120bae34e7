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

from conference.auth.models import Role
from conference.directory.models import AvailabilitySource
from rules.vocabulary import AgencyKind
from tests.support.factories import csrf_token

ALL_WEEK = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


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


@dataclass
class Area:
    coordinator: Any
    case: Any
    people: dict[str, Any]


def build_area(
    factories: Any,
    *,
    case_fields: dict[str, Any] | None = None,
    hours: dict[str, Any] | None = None,
    emails: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> Area:
    """An English area with social care, police and health, each with a primary and a deputy."""
    area = factories.area("NB", "Northbridge")
    hours = ALL_WEEK if hours is None else hours
    csc = factories.agency(area, AgencyKind.CHILDREN_SOCIAL_CARE)
    police = factories.agency(area, AgencyKind.POLICE)
    health = factories.agency(area, AgencyKind.HEALTH)
    def known(agency: Any, name: str, tag: str) -> Any:
        """A person whose (empty) diary was uploaded, so their availability is known."""
        return factories.person(agency, name=name, role_tags=[tag], working_hours=hours,
                                availability_source=AvailabilitySource.ICS_UPLOAD, availability_ics=EMPTY_ICS)

    people = {
        "social": known(csc, "Riley Social", "social_worker"),
        "social2": known(csc, "Sam Deputy", "social_worker"),
        "police": known(police, "Rowan Police", "police_trafficking_lead"),
        "police2": known(police, "Ellis Deputy", "police_child_protection"),
        "health": known(health, "Kit Health", "designated_nurse"),
        "health2": factories.person(health, name="Lou Unknown", role_tags=["school_nurse"], working_hours=hours),
    }
    from conference.extensions import db

    for key, email in (emails or {}).items():
        people[key].email = email
    for key, name in (names or {}).items():
        people[key].name = name
    db.session.commit()
    coordinator = factories.user(csc, Role.COORDINATOR)
    fields = {"child_first_name": "Zephyrine", "child_last_name": "Quillfeather", **(case_fields or {})}
    case = factories.case(coordinator, **fields)
    return Area(coordinator, case, people)


EMPTY_ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


def post(client: Any, path: str, data: dict[str, str], token_path: str | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, token_path or path), **data})


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


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
