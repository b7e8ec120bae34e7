"""The versioned indicator catalogue, kept as data in ``rules/data/indicators-v<N>.json``.

Each indicator has a stable key (never reused or renamed: recorded decisions refer to it), a label, a
group (movement, exploitation, other risk factors) and the trafficking element(s) it supports. A new
wording or set of indicators is a new catalogue version; decisions record which version they used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from rules.outcomes import FieldError
from rules.quorum import ROLE_LABELS, Seat

CATALOGUE_DIR = Path(__file__).parent / "data"
CURRENT_VERSION = 2
#: The matrix's two levels for an indicator: known ("yes") or suspected. A tick saved without one is "yes".
LEVELS: dict[str, str] = {"yes": "Yes", "suspected": "Suspected"}
GROUP_KEYS: tuple[str, ...] = ("movement", "exploitation", "other_risk_factors")
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
NOTE_MAX_LENGTH = 2000


class Element(StrEnum):
    """The three elements of the trafficking definition (Palermo Protocol / ECAT Art. 4)."""

    ACT = "act"
    MEANS = "means"
    PURPOSE = "purpose"


class CatalogueError(ValueError):
    """The catalogue file is not valid. The message says what to fix."""


@dataclass(frozen=True)
class IndicatorGroup:
    key: str
    label: str


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    group: str
    supports: frozenset[Element]


@dataclass(frozen=True)
class IndicatorCatalogue:
    version: int
    groups: tuple[IndicatorGroup, ...]
    indicators: tuple[Indicator, ...]

    def get(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(f"No indicator {key!r} in catalogue version {self.version}")

    def in_group(self, group: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.group == group)

    def supporting(self, element: Element) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if element in i.supports)


@dataclass(frozen=True)
class IndicatorTick:
    """An indicator ticked at the meeting, with the agency that raised it and a note."""

    key: str
    agency: Seat
    note: str = ""
    level: str = "yes"  # "yes" or "suspected"

    @property
    def level_suffix(self) -> str:
        return " (suspected)" if self.level == "suspected" else ""


def load_catalogue(version: int = CURRENT_VERSION, directory: Path | None = None) -> IndicatorCatalogue:
    """Load and validate ``indicators-v<version>.json``. Raises `CatalogueError`."""
    path = (directory or CATALOGUE_DIR) / f"indicators-v{version}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"There is no indicator catalogue version {version} ({path.name})") from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{path.name} is not valid JSON: {exc}") from None
    catalogue = parse_catalogue(raw)
    if catalogue.version != version:
        raise CatalogueError(f"{path.name} says it is version {catalogue.version}, expected {version}")
    return catalogue


@cache
def default_catalogue() -> IndicatorCatalogue:
    """The current catalogue, loaded once per process."""
    return load_catalogue(CURRENT_VERSION)


@cache
def catalogue_for(version: int) -> IndicatorCatalogue:
    """The catalogue a decision was recorded with (old decisions keep theirs), loaded once per process."""
    return load_catalogue(version)


def parse_catalogue(raw: Any) -> IndicatorCatalogue:
    """Validate a decoded catalogue document and build the typed catalogue."""
    if not isinstance(raw, Mapping):
        raise CatalogueError("The catalogue must be a JSON object")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CatalogueError("The catalogue must have a whole-number 'version' of 1 or more")
    groups = _parse_groups(raw.get("groups"))
    indicators = _parse_indicators(raw.get("indicators"), {g.key for g in groups})
    return IndicatorCatalogue(version=version, groups=groups, indicators=indicators)


def _parse_groups(raw: Any) -> tuple[IndicatorGroup, ...]:
    if not isinstance(raw, list):
        raise CatalogueError("The catalogue must have a list of 'groups'")
    groups = tuple(IndicatorGroup(key=_text(g, "key", "group"), label=_text(g, "label", "group")) for g in raw)
    keys = tuple(g.key for g in groups)
    if keys != GROUP_KEYS:
        raise CatalogueError(f"The groups must be exactly {', '.join(GROUP_KEYS)} in that order, not {keys}")
    return groups


def _parse_indicators(raw: Any, group_keys: set[str]) -> tuple[Indicator, ...]:
    if not isinstance(raw, list) or not raw:
        raise CatalogueError("The catalogue must have a non-empty list of 'indicators'")
    seen: set[str] = set()
    indicators: list[Indicator] = []
    for item in raw:
        key = _text(item, "key", "indicator")
        if not _KEY_PATTERN.match(key):
            raise CatalogueError(f"Indicator key {key!r} must be lower case letters, digits and underscores")
        if key in seen:
            raise CatalogueError(f"Indicator key {key!r} appears more than once")
        seen.add(key)
        group = _text(item, "group", f"indicator {key!r}")
        if group not in group_keys:
            raise CatalogueError(f"Indicator {key!r} has unknown group {group!r}")
        indicators.append(
            Indicator(
                key=key, label=_text(item, "label", f"indicator {key!r}"), group=group, supports=_supports(item, key)
            )
        )
    return tuple(indicators)


def _supports(item: Mapping[str, Any], key: str) -> frozenset[Element]:
    raw = item.get("supports")
    if not isinstance(raw, list) or not raw:
        raise CatalogueError(f"Indicator {key!r} must support at least one element (act, means or purpose)")
    try:
        return frozenset(Element(value) for value in raw)
    except ValueError:
        raise CatalogueError(f"Indicator {key!r} supports an unknown element in {raw!r}") from None


def _text(item: Any, name: str, what: str) -> str:
    value = item.get(name) if isinstance(item, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"Each {what} needs a non-empty '{name}'")
    return value.strip()


def validate_ticks(ticks: Sequence[IndicatorTick], catalogue: IndicatorCatalogue | None = None) -> list[FieldError]:
    """Check ticked indicators against the catalogue: known key, known agency, note length, no duplicates."""
    cat = catalogue or default_catalogue()
    known = {i.key for i in cat.indicators}
    errors: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for index, tick in enumerate(ticks):
        field = f"indicators-{index}"
        if tick.key not in known:
            errors.append(FieldError(field, "Select an indicator from the list"))
            continue
        label = cat.get(tick.key).label
        if tick.agency not in set(Seat):
            errors.append(FieldError(f"{field}-agency", f"Select the agency that raised '{label}'"))
        if tick.level not in LEVELS:
            errors.append(FieldError(f"{field}-level", f"Select whether '{label}' is known or suspected"))
        if len(tick.note) > NOTE_MAX_LENGTH:
            errors.append(FieldError(f"{field}-note", f"Note must be {NOTE_MAX_LENGTH:,} characters or fewer"))
        if (tick.key, str(tick.agency)) in seen:
            errors.append(FieldError(field, f"'{label}' is already recorded for {_agency(tick.agency)}"))
        seen.add((tick.key, str(tick.agency)))
    return errors


def _agency(value: str) -> str:
    try:
        return ROLE_LABELS[Seat(value)]
    except ValueError:
        return "that agency"


def labels_for(ticks: Iterable[IndicatorTick], catalogue: IndicatorCatalogue | None = None) -> tuple[str, ...]:
    """Labels of ticked indicators, in catalogue order, each once."""
    cat = catalogue or default_catalogue()
    keys = {t.key for t in ticks}
    return tuple(i.label for i in cat.indicators if i.key in keys)
