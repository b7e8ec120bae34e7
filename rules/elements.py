"""The trafficking elements as data, and a plain summary of what is recorded against them.

The definition (Palermo Protocol Art. 3; Council of Europe Convention on Action against Trafficking in Human
Beings 2005, Art. 4): an **act** (recruitment, transport, transfer, harbouring or receipt, including movement
within the UK), by a **means** (threat, force or coercion, abduction, fraud, deception, abuse of power or of a position
of vulnerability, payments to someone in control), for the **purpose** of exploitation. For a child the
means need not be shown: act and purpose are enough. The means are still recorded.

Slavery, servitude and forced or compulsory labour (s1 Modern Slavery Act 2015; s4 Human Trafficking and
Exploitation (Scotland) Act 2015; s1 Human Trafficking and Exploitation (Criminal Justice and Support for
Victims) Act (NI) 2015; construed under Article 4 ECHR) is a separate route: **no act** (no recruitment or
movement) is needed, only the exploitation itself; for an adult the exploitation must be exacted by coercion
(the "menace of any penalty", recorded here as a means), and for a child no means is needed (Modern Slavery
statutory guidance, Annex B; NRM guidance for Northern Ireland and Scotland, "slavery, servitude and forced
or compulsory labour"). Which of the form's exploitation types count as slavery, servitude or forced labour
is Convene's own mapping (`SLAVERY_EXPLOITATION_TYPES`): forced or unpaid work, wages taken, forced fraud,
forced crime, forced prostitution and domestic servitude; not child sexual exploitation as such, assault or
organ removal, which are trafficking purposes.

`summarise_elements` describes *what is recorded*. It never decides whether a child is a victim:
that is the meeting's decision, recorded as the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rules.indicators import Element, IndicatorCatalogue, IndicatorTick, catalogue_for, validate_ticks
from rules.outcomes import TEXT_MAX_LENGTH, FieldError, Option
from rules.quorum import ROLE_LABELS, Seat

__all__ = [
    "ACTS",
    "ELEMENT_LABELS",
    "EXPLOITATION_GROUPS",
    "EXPLOITATION_TYPE_KEYS",
    "MEANS",
    "SLAVERY_EXPLOITATION_TYPES",
    "WHERE_OPTIONS",
    "Element",
    "ElementFinding",
    "ElementStatus",
    "ElementSummary",
    "ElementsRecord",
    "ExploitationGroup",
    "summarise_elements",
    "validate_elements",
]

ELEMENT_LABELS: dict[Element, str] = {Element.ACT: "Act", Element.MEANS: "Means", Element.PURPOSE: "Purpose"}

ACTS: tuple[Option, ...] = (
    Option("recruitment", "Recruitment"),
    Option("transport", "Transport", "Including movement within the UK"),
    Option("transfer", "Transfer"),
    Option("harbouring", "Harbouring"),
    Option("receipt", "Receipt"),
)

MEANS: tuple[Option, ...] = (
    Option("threat_force_coercion", "Threat, use of force or other coercion"),
    Option("abduction", "Abduction"),
    Option("fraud", "Fraud"),
    Option("deception", "Deception"),
    Option("abuse_of_power_or_vulnerability", "Abuse of power or of a position of vulnerability"),
    Option("payments", "Giving or receiving payments or benefits to get the consent of someone in control"),
)


@dataclass(frozen=True)
class ExploitationGroup:
    """A heading of the Home Office form's 'How were they exploited?' page, with its checkboxes."""

    key: str
    heading: str
    types: tuple[Option, ...]


#: The purpose, grouped exactly as the Home Office NRM form; option keys are the form's field keys.
EXPLOITATION_GROUPS: tuple[ExploitationGroup, ...] = (
    ExploitationGroup(
        "labour_and_financial",
        "Labour and financial exploitation",
        (
            Option("types-of-exploitation-forced-to-work", "Forced to work for nothing or almost nothing"),
            Option(
                "types-of-exploitation-wages-taken",
                "Wages taken by force or coercion, such as through control of a bank account",
            ),
            Option(
                "types-of-exploitation-forced-to-commit-fraud",
                "Forced to commit fraud, such as using their identity to claim benefits",
            ),
        ),
    ),
    ExploitationGroup(
        "sexual",
        "Sexual exploitation",
        (
            Option("types-of-exploitation-prostitution", "Forced into prostitution"),
            Option("types-of-exploitation-child-exploitation", "Child sexual exploitation"),
            Option(
                "types-of-exploitation-taken-somewhere",
                "Taken somewhere, held against their will and sexually assaulted",
            ),
        ),
    ),
    ExploitationGroup(
        "criminal",
        "Criminal exploitation",
        (
            Option(
                "types-of-exploitation-forced-to-commit-crime",
                "Forced to commit a crime, such as growing cannabis, drug dealing or begging",
            ),
            Option("types-of-exploitation-organs-removed", "Organs, such as kidneys, removed against their will"),
        ),
    ),
    ExploitationGroup(
        "domestic_servitude",
        "Domestic servitude",
        (
            Option(
                "types-of-exploitation-unpaid-household-work",
                "Forced to do unpaid or low paid household work by relatives or strangers",
            ),
        ),
    ),
    ExploitationGroup("other", "Other", (Option("types-of-exploitation-other", "Other"),)),
)

EXPLOITATION_TYPE_KEYS: tuple[str, ...] = tuple(t.key for g in EXPLOITATION_GROUPS for t in g.types)

#: The form's exploitation types that are slavery, servitude or forced or compulsory labour in themselves
#: (Convene's own mapping; see the module docstring).
SLAVERY_EXPLOITATION_TYPES: frozenset[str] = frozenset(
    {
        "types-of-exploitation-forced-to-work",
        "types-of-exploitation-wages-taken",
        "types-of-exploitation-forced-to-commit-fraud",
        "types-of-exploitation-forced-to-commit-crime",
        "types-of-exploitation-prostitution",
        "types-of-exploitation-unpaid-household-work",
    }
)
OTHER_EXPLOITATION = "types-of-exploitation-other"

#: Where the exploitation happened: the form's ``where-exploitation-happened`` options.
WHERE_OPTIONS: tuple[Option, ...] = (
    Option("uk", "UK"),
    Option("overseas", "Overseas"),
    Option("uk-and-overseas", "UK and Overseas"),
)


class ElementStatus(StrEnum):
    EVIDENCED = "evidenced"
    NOT_EVIDENCED = "not_evidenced"
    NOT_REQUIRED_FOR_CHILD = "not_required_for_child"


ELEMENT_STATUS_LABELS: dict[ElementStatus, str] = {
    ElementStatus.EVIDENCED: "Evidenced",
    ElementStatus.NOT_EVIDENCED: "Not evidenced",
    ElementStatus.NOT_REQUIRED_FOR_CHILD: "Not required for a child",
}


@dataclass(frozen=True)
class ElementsRecord:
    """What the chair has recorded against the elements. Keys are those of `ACTS`, `MEANS`, the
    exploitation types (form keys) and `WHERE_OPTIONS`."""

    acts: frozenset[str] = frozenset()
    movement_within_uk: bool = False
    act_details: str = ""
    means: frozenset[str] = frozenset()
    means_details: str = ""
    exploitation_types: frozenset[str] = frozenset()
    other_exploitation_details: str = ""
    purpose_details: str = ""
    where: str = ""
    indicators: tuple[IndicatorTick, ...] = ()
    catalogue_version: int = 1


@dataclass(frozen=True)
class ElementFinding:
    element: Element
    label: str
    status: ElementStatus
    required: bool
    recorded: tuple[str, ...]
    indicators: tuple[str, ...]
    details: str = ""

    @property
    def status_label(self) -> str:
        if self.status == ElementStatus.EVIDENCED and not self.required:
            return "Evidenced (not required for a child)"
        return ELEMENT_STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ElementSummary:
    """A plain summary for the chair. ``recorded_meets_definition`` is about the record, not the child."""

    is_child: bool
    findings: tuple[ElementFinding, ...]
    where: str
    recorded_meets_definition: bool
    sentence: str
    indicator_count: int = 0
    notes: tuple[str, ...] = field(default=())
    recorded_meets_slavery_definition: bool = False
    slavery_sentence: str = ""

    def finding(self, element: Element) -> ElementFinding:
        return next(f for f in self.findings if f.element == element)


def summarise_elements(
    record: ElementsRecord, is_child: bool, catalogue: IndicatorCatalogue | None = None
) -> ElementSummary:
    """Summarise what is recorded against each element. A person of unknown age is treated as a child:
    the caller passes ``is_child=True`` for "under 18" and "not sure"."""
    cat = catalogue or catalogue_for(record.catalogue_version)
    findings = (
        _finding(Element.ACT, _act_labels(record), record.act_details, record, cat, required=True),
        _finding(Element.MEANS, _labels(MEANS, record.means), record.means_details, record, cat, required=not is_child),
        _finding(Element.PURPOSE, _purpose_labels(record), record.purpose_details, record, cat, required=True),
    )
    meets = all(f.status == ElementStatus.EVIDENCED for f in findings if f.required)
    where = next((o.label for o in WHERE_OPTIONS if o.key == record.where), "Not recorded")
    slavery_types = record.exploitation_types & SLAVERY_EXPLOITATION_TYPES
    meets_slavery = bool(slavery_types) and (is_child or bool(record.means))
    return ElementSummary(
        is_child=is_child,
        findings=findings,
        where=where,
        recorded_meets_definition=meets,
        sentence=_sentence(findings, is_child, meets),
        indicator_count=len(record.indicators),
        notes=tuple(_indicator_only_notes(findings)),
        recorded_meets_slavery_definition=meets_slavery,
        slavery_sentence=_slavery_sentence(bool(slavery_types), bool(record.means), is_child, meets_slavery),
    )


def _slavery_sentence(exploitation: bool, means: bool, is_child: bool, meets: bool) -> str:
    """The slavery, servitude and forced or compulsory labour route, which needs no act of movement."""
    if not exploitation:
        return (
            "No exploitation that is slavery, servitude or forced or compulsory labour is recorded, so what is "
            "recorded does not yet meet that definition; the decision remains the meeting's."
        )
    if is_child:
        rule = "For a child neither an act of movement nor a means is needed"
    elif means:
        rule = "For an adult no act of movement is needed, and coercion is recorded"
    else:
        rule = "For an adult no act of movement is needed, but coercion (a means) must be shown"
    verdict = "meets" if meets else "does not yet meet"
    return (
        f"Exploitation that is slavery, servitude or forced or compulsory labour is recorded. {rule}, so what is "
        f"recorded {verdict} the definition of slavery, servitude or forced or compulsory labour; the decision "
        "remains the meeting's."
    )


def _act_labels(record: ElementsRecord) -> tuple[str, ...]:
    labels = _labels(ACTS, record.acts)
    return (*labels, "Movement within the UK") if record.movement_within_uk else labels


def _purpose_labels(record: ElementsRecord) -> tuple[str, ...]:
    return tuple(
        f"{group.heading}: {t.label}"
        for group in EXPLOITATION_GROUPS
        for t in group.types
        if t.key in record.exploitation_types
    )


def _labels(options: tuple[Option, ...], keys: frozenset[str]) -> tuple[str, ...]:
    return tuple(o.label for o in options if o.key in keys)


def _finding(
    element: Element,
    recorded: tuple[str, ...],
    details: str,
    record: ElementsRecord,
    catalogue: IndicatorCatalogue,
    *,
    required: bool,
) -> ElementFinding:
    supporting = {i.key for i in catalogue.supporting(element)}
    indicators = tuple(
        f"{catalogue.get(t.key).label}{t.level_suffix} ({ROLE_LABELS.get(Seat(t.agency), t.agency)})"
        for t in record.indicators
        if t.key in supporting
    )
    if recorded:
        status = ElementStatus.EVIDENCED
    elif not required:
        status = ElementStatus.NOT_REQUIRED_FOR_CHILD
    else:
        status = ElementStatus.NOT_EVIDENCED
    return ElementFinding(element, ELEMENT_LABELS[element], status, required, recorded, indicators, details.strip())


def _indicator_only_notes(findings: tuple[ElementFinding, ...]) -> list[str]:
    return [
        f"Indicators are recorded for the {f.label.lower()}, but the {f.label.lower()} itself is not recorded."
        for f in findings
        if f.status != ElementStatus.EVIDENCED and f.indicators
    ]


def _sentence(findings: tuple[ElementFinding, ...], is_child: bool, meets: bool) -> str:
    recorded = [f.label.lower() for f in findings if f.status == ElementStatus.EVIDENCED]
    missing = [f.label.lower() for f in findings if f.status != ElementStatus.EVIDENCED and f.required]
    first = _recorded_clause(recorded, missing)
    if is_child:
        rule = "For a child the means need not be shown"
        rule += ", so what is recorded" if meets else ", but act and purpose are both needed, so what is recorded"
    else:
        rule = "For an adult act, means and purpose must all be shown, so what is recorded"
    verdict = "meets the definition of trafficking" if meets else "does not yet meet the definition of trafficking"
    return f"{first} {rule} {verdict}; the decision remains the meeting's."


def _recorded_clause(recorded: list[str], missing: list[str]) -> str:
    def join(words: list[str]) -> str:
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"

    if not recorded:
        return "Nothing is recorded against the elements yet."
    text = f"{join(recorded).capitalize()} {_verb(recorded)} recorded"
    if missing:
        text += f"; {join(missing)} {_verb(missing)} not"
    return text + "."


def _verb(words: list[str]) -> str:
    return "is" if len(words) == 1 and words[0] != "means" else "are"


def validate_elements(record: ElementsRecord, catalogue: IndicatorCatalogue | None = None) -> list[FieldError]:
    """Unknown keys and missing details, with GOV.UK wording. Does not require any element."""
    errors: list[FieldError] = []
    errors += _unknown(record.acts, ACTS, "acts", "Select an act from the list")
    errors += _unknown(record.means, MEANS, "means", "Select a means from the list")
    if not record.exploitation_types <= set(EXPLOITATION_TYPE_KEYS):
        errors.append(FieldError("exploitation_types", "Select types of exploitation from the list"))
    if OTHER_EXPLOITATION in record.exploitation_types and not record.other_exploitation_details.strip():
        errors.append(FieldError("other_exploitation_details", "Enter the other type of exploitation"))
    if record.where and record.where not in {o.key for o in WHERE_OPTIONS}:
        errors.append(FieldError("where", "Select where the exploitation happened"))
    for name in ("act_details", "means_details", "purpose_details", "other_exploitation_details"):
        if len(getattr(record, name)) > TEXT_MAX_LENGTH:
            errors.append(FieldError(name, f"Details must be {TEXT_MAX_LENGTH:,} characters or fewer"))
    errors += validate_ticks(record.indicators, catalogue or catalogue_for(record.catalogue_version))
    return errors


def _unknown(keys: frozenset[str], options: tuple[Option, ...], name: str, message: str) -> list[FieldError]:
    return [] if keys <= {o.key for o in options} else [FieldError(name, message)]
