"""Linked cases: children exploited together (siblings, co-victims, the same operation), each link with a reason.

A coordinator links their case to another by the other case's reference, which may belong to another area:
children exploited together often cross areas (county lines). Convene's own choice: the reference is enough to
link (it is pseudonymous and is what coordinators give each other by phone); no identity crosses the boundary.
Each case page lists the linked cases in the user's scope in full; a linked case outside it shows only its
reference and area, never the child's identity (ACC-2, case_scope).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select

from conference.audit import record_event
from conference.auth.models import User
from conference.cases.fact_models import CaseLink, LinkKind
from conference.cases.models import Case
from conference.cases.scope import case_scope
from conference.cases.services import add_case_event
from conference.directory.models import LocalAuthority
from conference.extensions import db


class LinkError(Exception):
    """The link cannot be made; the message says why, for the reference field."""


def link_cases(user: User, case: Case, other_reference: str, kind: LinkKind, reason: str) -> CaseLink:
    """Link ``case`` (in the user's scope) to the case with ``other_reference``, with the audit row and a
    timeline entry on both cases."""
    reference = other_reference.strip().upper()
    other = db.session.scalars(select(Case).where(Case.reference == reference)).first()
    if other is None:
        raise LinkError(f"There is no case with the reference {reference}. Check the reference and try again")
    if other.id == case.id:
        raise LinkError("Enter the reference of another case, not this one")
    first, second = sorted((case.id, other.id))
    existing = db.session.scalars(
        select(CaseLink.id).where(CaseLink.first_case_id == first, CaseLink.second_case_id == second)
    ).first()
    if existing is not None:
        raise LinkError(f"This case is already linked to {reference}")
    link = CaseLink(first_case_id=first, second_case_id=second, kind=kind, reason=reason, created_by_id=user.id)
    db.session.add(link)
    db.session.flush()
    record_event(
        db.session,
        "case.link",
        object_type="case",
        object_id=case.id,
        detail={"linked_case_id": str(other.id), "link_id": str(link.id), "kind": kind.value},
        actor=user,
    )
    add_case_event(case, "link", f"Linked to case {other.reference} ({kind.label.lower()})", user)
    add_case_event(other, "link", f"Linked to case {case.reference} ({kind.label.lower()})", user)
    return link


@dataclass(frozen=True)
class LinkedCase:
    """A linked case as this user may see it: ``case`` only when it is in their scope."""

    link: CaseLink
    reference: str
    area_name: str
    case: Case | None


def find_linked_cases(user: User, case_id: uuid.UUID) -> list[LinkedCase]:
    """The cases linked to this one: in full when in the user's scope, else reference and area only."""
    links = list(
        db.session.scalars(
            select(CaseLink)
            .where(or_(CaseLink.first_case_id == case_id, CaseLink.second_case_id == case_id))
            .order_by(CaseLink.created_at)
        )
    )
    other_ids = [link.second_case_id if link.first_case_id == case_id else link.first_case_id for link in links]
    if not other_ids:
        return []
    visible = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(other_ids), case_scope(user)))}
    labels = {
        row.id: (row.reference, row.name)
        for row in db.session.execute(
            select(Case.id, Case.reference, LocalAuthority.name)
            .join(LocalAuthority, LocalAuthority.id == Case.local_authority_id)
            .where(Case.id.in_(other_ids))
        )
    }
    return [
        LinkedCase(link, labels[other][0], labels[other][1], visible.get(other))
        for link, other in zip(links, other_ids, strict=True)
    ]
