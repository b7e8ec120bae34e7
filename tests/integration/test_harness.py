"""The test harness itself: a test's commits stay inside its rolled-back transaction, unless it is marked
``committed``; the audit chain stays whole either way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from conference.audit import AuditEvent, verify_audit_log
from conference.auth.models import Role
from conference.directory.models import LocalAuthority
from conference.extensions import db


@pytest.fixture()
def outsider(database_url: str) -> Iterator[Engine]:
    """Another connection to the same database, as another process would have."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _seen_from_outside(engine: Engine, code: str) -> tuple[int, int]:
    with engine.connect() as connection:
        areas = connection.scalar(select(func.count()).select_from(LocalAuthority).where(LocalAuthority.code == code))
        head = connection.scalar(text("SELECT last_id FROM audit_chain_head WHERE id = 1"))
    return int(areas or 0), int(head or 0)


def test_a_tests_commits_are_savepoints_that_nothing_outside_sees(app, factories, outsider) -> None:
    _, head_before = _seen_from_outside(outsider, "HX")
    area = factories.area("HX")
    user = factories.user(factories.agency(area), Role.COORDINATOR)
    factories.case(user)  # opens the case through the service, which writes its audit row
    db.session.commit()  # the app's own commit: releases a savepoint
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 1
    assert verify_audit_log(db.session).ok
    assert _seen_from_outside(outsider, "HX") == (0, head_before)


@pytest.mark.committed
def test_a_committed_test_commits_for_real(app, factories, outsider) -> None:
    area = factories.area("HY")
    factories.case(factories.user(factories.agency(area), Role.COORDINATOR))
    areas, head = _seen_from_outside(outsider, "HY")
    assert areas == 1 and head >= 1
    assert verify_audit_log(db.session).ok
