"""The board's answers for its script to poll: each row's answer in words, and a version that changes with them.

Nothing else leaves: no names, no times, no case details. The page itself shows everything without script; the
script (``static/js/board.js``) only swaps the words in the rows it already has and says what changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app

from conference.convening import services
from conference.convening.models import Conference, ConferenceStatus

DEFAULT_POLL_SECONDS = 15


@dataclass(frozen=True)
class BoardAnswers:
    version: str
    answers: list[dict[str, str]]

    def as_json(self) -> dict[str, object]:
        return {"version": self.version, "answers": self.answers}


def board_answers(conference: Conference) -> BoardAnswers:
    """The answers the board shows, in its order, with a version (a short hash of rows and answers)."""
    if conference.status is ConferenceStatus.DRAFT:
        attendees = []
    else:
        attendees = services.all_attendees(conference)
    answers = [{"attendee": str(a.id), "answer": a.response.label} for a in attendees]
    digest = hashlib.sha256()
    digest.update(f"{conference.id}:{conference.status.value}".encode())
    for attendee in attendees:
        digest.update(f"|{attendee.id}:{attendee.response.value}:{attendee.responded_at}".encode())
    return BoardAnswers(digest.hexdigest()[:20], answers)


def poll_seconds() -> int:
    """How often the board asks for new answers: 15 seconds, unless the settings' ``extra`` says otherwise."""
    value = current_app.config["SETTINGS"].extra.get("board_poll_seconds", DEFAULT_POLL_SECONDS)
    return max(1, int(value)) if isinstance(value, int) else DEFAULT_POLL_SECONDS
