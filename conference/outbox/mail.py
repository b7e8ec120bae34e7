"""Plain emails (password reset, reminders, notices) queued in the transactional outbox.

The message is written in the same transaction as the change that caused it and delivered by the outbox
worker (``flask --app wsgi outbox work``). Callers must pass text without personal data about a child.
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

from conference.db import utcnow
from conference.extensions import db
from conference.invitations.calendar import require_address
from conference.invitations.privacy import check_outbound_text


def enqueue_email(
    to_email: str, subject: str, body: str, *, conference_id: uuid.UUID | None = None, kind: str = "NOTICE"
) -> None:
    from conference.outbox.models import OutboxMessage

    settings = current_app.config["SETTINGS"]
    address = require_address(to_email, "To address")
    check_outbound_text("subject", subject)
    message = EmailMessage()
    message["From"] = settings.organiser_email
    message["To"] = address
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=settings.organiser_domain)
    message.set_content(body)
    db.session.add(
        OutboxMessage(
            conference_id=conference_id,
            method=kind,
            to_email=address,
            from_email=settings.organiser_email,
            body=message.as_bytes(),
        )
    )
