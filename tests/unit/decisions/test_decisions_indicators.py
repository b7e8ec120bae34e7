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
    raw: dict[str, Any] = json.loads((Path(__file__).parents[3] / "rules" / "data" / "indicators-v1.json").read_text())
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


# --- issue 11: version 2, child criminal exploitation (county lines), two levels --------------------------------


def test_version_2_keeps_every_version_1_indicator_and_adds_county_lines_indicators() -> None:
    from rules.indicators import CURRENT_VERSION, catalogue_for

    v1, v2 = catalogue_for(1), catalogue_for(2)
    assert CURRENT_VERSION == 2 and v1.version == 1 and v2.version == 2
    assert {i.key: i.label for i in v1.indicators}.items() <= {i.key: i.label for i in v2.indicators}.items()
    added = {i.key for i in v2.indicators} - {i.key for i in v1.indicators}
    assert {
        "found_far_from_home",
        "unexplained_travel_tickets",
        "multiple_phones",
        "carrying_or_plugging_drugs",
        "cuckooing",
        "debt_bondage",
        "associates_with_older_people",
        "unexplained_injuries",
        "missing_found_in_another_area",
        "sudden_change_in_behaviour",
        "drug_paraphernalia",
        "carries_weapons",
        "arrested_out_of_area_with_others",
    } == added
    for group in v2.groups:  # the groups stay together in the catalogue's order
        keys = [i.group for i in v2.indicators]
        first, last = keys.index(group.key), len(keys) - 1 - keys[::-1].index(group.key)
        assert set(keys[first : last + 1]) == {group.key}


def test_each_tick_is_yes_or_suspected() -> None:
    from rules.indicators import IndicatorTick, catalogue_for, validate_ticks

    cat = catalogue_for(2)
    assert validate_ticks([IndicatorTick("cuckooing", Seat.POLICE, "", "suspected")], cat) == []
    assert validate_ticks([IndicatorTick("cuckooing", Seat.POLICE)], cat) == []  # saved before levels: "yes"
    problems = validate_ticks([IndicatorTick("cuckooing", Seat.POLICE, "", "maybe")], cat)
    assert [p.field for p in problems] == ["indicators-0-level"]
    assert "known or suspected" in problems[0].message
    assert IndicatorTick("cuckooing", Seat.POLICE, "", "suspected").level_suffix == " (suspected)"
    # A version 1 decision cannot use a version 2 indicator.
    assert validate_ticks([IndicatorTick("cuckooing", Seat.POLICE)], catalogue_for(1))[0].message == (
        "Select an indicator from the list"
    )


def test_an_old_decision_keeps_its_catalogue_in_the_minutes_and_a_new_one_records_v2() -> None:
    from decisions.common import elements_record
    from decisions.documents import minutes_view

    old = elements_record(
        {"indicators": {"catalogue_version": 1, "ticks": [{"key": "goes_missing", "agency": "police"}]}}
    )
    assert old.catalogue_version == 1 and old.indicators[0].level == "yes"
    new = elements_record(
        {
            "indicators": {
                "catalogue_version": 2,
                "ticks": [{"key": "cuckooing", "agency": "police", "level": "suspected"}],
            }
        }
    )
    assert new.catalogue_version == 2 and new.indicators[0].level == "suspected"
    snapshot = {
        "number": 1,
        "conference": {"reference": "C-1", "meeting_type": "strategy_discussion", "nation": "england"},
        "indicators": {
            "catalogue_version": 2,
            "ticks": [{"key": "cuckooing", "agency": "police", "level": "suspected"}],
        },
    }
    view = minutes_view(snapshot)
    assert view.indicators[0].label.endswith("('cuckooing') (suspected)")
