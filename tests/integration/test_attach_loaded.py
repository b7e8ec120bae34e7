"""``attach_loaded`` (conference/database.py): objects made from a Core read as if the ORM had loaded them."""

from __future__ import annotations

from sqlalchemy import inspect

from conference.auth.models import Role, User
from conference.database import attach_loaded
from conference.extensions import db


def _values(user: User, **changes: object) -> dict[str, object]:
    return {a.key: getattr(user, a.key) for a in inspect(User).column_attrs} | changes


def test_an_instance_already_loaded_is_refreshed_but_keeps_a_change_not_yet_written(factories) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    user.display_name = "Changed in this request"
    read = _values(user, display_name="As read", email="as.read@example.test")
    same = attach_loaded(db.session(), User, read)
    assert same is user
    assert user.display_name == "Changed in this request"  # the pending change is kept, and still written
    assert user.email == "as.read@example.test"  # the rest takes the values read
    assert inspect(user).attrs.display_name.history.has_changes()


def test_a_new_instance_is_persistent_and_clean(factories) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(factories.agency(factories.area()), Role.COORDINATOR)
    values = _values(user)
    db.session.expunge(user)
    made = attach_loaded(db.session(), User, values)
    state = inspect(made)
    assert made is not user and state.persistent and not db.session.dirty and not db.session.new
    assert made.agency.id == user.agency_id  # a relationship not given loads when first used
