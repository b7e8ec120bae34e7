"""The versioned indicator catalogue and its validation."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rules.indicators import (
    GROUP_KEYS,
    CatalogueError,
    Element,
    IndicatorTick,
    load_catalogue,
    parse_catalogue,
    validate_ticks,
)
from rules.quorum import Seat


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        (Path(__file__).parents[3] / "rules" / "data" / "indicators-v1.json").read_text()
    )
    return raw


def test_catalogue_v1_loads_with_three_groups_and_every_element_supported() -> None:
    catalogue = load_catalogue(1)
    assert catalogue.version == 1
    assert tuple(g.key for g in catalogue.groups) == GROUP_KEYS
    for group in GROUP_KEYS:
        assert catalogue.in_group(group), group
    for element in Element:
        assert catalogue.supporting(element), element
    assert len({i.key for i in catalogue.indicators}) == len(catalogue.indicators)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version="1"), "whole-number 'version'"),
        (lambda d: d["groups"].pop(), "groups must be exactly"),
        (lambda d: d["indicators"].append(dict(d["indicators"][0])), "appears more than once"),
        (lambda d: d["indicators"][0].update(group="elsewhere"), "unknown group"),
        (lambda d: d["indicators"][0].update(supports=[]), "must support at least one element"),
        (lambda d: d["indicators"][0].update(supports=["motive"]), "unknown element"),
        (lambda d: d["indicators"][0].update(key="Bad Key"), "lower case letters"),
        (lambda d: d["indicators"][0].update(label=" "), "non-empty 'label'"),
    ],
)
def test_invalid_catalogue_is_refused_with_a_clear_message(mutate: Callable[[Any], None], message: str) -> None:
    raw = _raw()
    mutate(raw)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_missing_version_file_is_reported() -> None:
    with pytest.raises(CatalogueError, match="no indicator catalogue version 99"):
        load_catalogue(99)


def test_ticks_are_checked_against_the_catalogue() -> None:
    ticks = [
        IndicatorTick("goes_missing", Seat.POLICE, "Twice this month"),
        IndicatorTick("goes_missing", Seat.POLICE),
        IndicatorTick("goes_missing", Seat.HEALTH, "x" * 2001),
        IndicatorTick("made_up", Seat.HEALTH),
    ]
    assert [(e.field, e.message) for e in validate_ticks(ticks)] == [
        ("indicators-1", "'Goes missing, or is found out of their home area' is already recorded for police"),
        ("indicators-2-note", "Note must be 2,000 characters or fewer"),
        ("indicators-3", "Select an indicator from the list"),
    ]
