"""The notice partner agencies get when a child in a case they are involved in goes missing.

It goes through the transactional outbox in the same transaction as the episode. Like an invitation it names no
child and no case (docs/invitations.md, "Privacy: no exceptions"): only that a missing episode was recorded, the
police risk grading, and a link to the episode's page, which needs a sign-in and applies the case scope.
"""

from __future__ import annotations

import uuid

from flask import current_app
from sqlalchemy import select

from conference.cases.models import Case, CaseAgency
from conference.directory.models import Agency
from conference.extensions import db
from conference.invitations.privacy import check_outbound_text
from conference.outbox.mail import enqueue_email
from conference.safety.models import MissingEpisode

SUBJECT = "Convene: a missing episode has been recorded"


def episode_link(episode: MissingEpisode) -> str:
    return f"{current_app.config['SETTINGS'].external_url}/missing-episodes/{episode.id}"


def withheld_values(case: Case) -> list[str]:
    """What identifies the child or the case, and so may never be in a notice."""
    values = [case.child_first_name, case.child_last_name, case.child_name, case.reference, case.nationality]
    if case.child_born_on:
        born = case.child_born_on
        values += [born.isoformat(), born.strftime("%d/%m/%Y"), f"{born.day} {born.strftime('%B %Y')}"]
    return [v for v in values if v and v.strip()]


def notice_body(episode: MissingEpisode) -> str:
    return (
        "A missing episode has been recorded in a case your agency is involved in.\n\n"
        f"Police risk grading: {episode.risk.label}.\n\n"
        "Sign in to Convene to see the details and what is planned:\n"
        f"{episode_link(episode)}\n\n"
        "This message is sent to your agency's secure address. Do not forward it outside your agency.\n"
    )


def tell_partners_of_missing_episode(case: Case, episode: MissingEpisode, *, acting_agency_id: uuid.UUID) -> int:
    """Queue one notice for each agency involved in the case other than the one recording it; how many."""
    agencies = db.session.scalars(
        select(Agency)
        .join(CaseAgency, CaseAgency.agency_id == Agency.id)
        .where(CaseAgency.case_id == case.id, Agency.id != acting_agency_id)
        .order_by(Agency.name)
    ).all()
    body = notice_body(episode)
    withheld = withheld_values(case)
    check_outbound_text("subject", SUBJECT, withheld)
    check_outbound_text("body", body, withheld)
    for agency in agencies:
        enqueue_email(agency.secure_email, SUBJECT, body, kind="NOTICE")
    return len(agencies)
