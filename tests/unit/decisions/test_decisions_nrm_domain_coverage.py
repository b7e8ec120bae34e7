"""The NRM pack covers every field docs/domain.md (section 2, "The digital referral form") lists for a child."""

from pathlib import Path

import pytest

from decisions.nrm.pack import FirstResponderView, NrmCaseView, NrmDeterminationView, build_nrm_pack, known_field_keys
from rules.quorum import Nation

DOMAIN = Path(__file__).resolve().parents[3] / "docs" / "domain.md"

#: Each phrase as docs/domain.md words it, and the form keys that carry it in the pack.
DOMAIN_FIELDS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "organisation": ("user-organisation",),
    "`fr-location`": ("fr-location",),
    "`pv-under-age`": ("pv-under-age",),
    "LA name": ("local-authority-contacted-about-child-local-authority-name",),
    "LA phone": ("local-authority-contacted-about-child-local-authority-phone",),
    "LA email": ("local-authority-contacted-about-child-local-authority-email",),
    "contact first and last name": (
        "local-authority-contacted-about-child-local-authority-first-name",
        "local-authority-contacted-about-child-local-authority-last-name",
    ),
    "background (birthplace, family, education, work)": ("birthplace", "family", "education", "employment-history"),
    "one or several situations": ("potential-victim-exploitative-situation-multiple",),
    "when": ("when-did-the-exploitation-take-place", "when-did-the-exploitation-take-place-multiple"),
    "how it started": ("how-did-the-exploitation-start",),
    "taken somewhere (journey)": (
        "were-they-taken-somewhere-by-their-exploiter",
        "were-they-taken-somewhere-by-their-exploiter-journey-details",
    ),
    "what they had to do": ("what-were-they-required-to-do",),
    "living conditions": ("living-conditions",),
    "treatment": ("how-they-were-treated",),
    "still in it (what keeps them / how they left)": (
        "still-in-exploitative-situation",
        "what-is-keeping-them-in-situation",
        "how-why-did-they-leave-the-situation",
    ),
    "last contact": ("when-last-contact",),
    "first chance to report": ("is-this-the-first-chance-to-report",),
    "indicators (yes/no and details)": ("modern-slavery-indicators", "modern-slavery-indicators-details"),
    "interviews": ("where-how-interview-carried-out",),
    "professional insight": ("professional-insight",),
    "credibility concerns": ("evidence-of-dishonesty",),
    "others involved": ("are-others-involved",),
    "Place: UK / overseas / both": ("where-exploitation-happened",),
    "up to 10 UK towns and 10 countries plus free text": (
        "where-exploitation-happened-uk-city-1",
        "where-exploitation-happened-overseas-country-10",
        "where-exploitation-happened-other-uk-other-location",
    ),
    "current location (UK town and region)": ("current-pv-location-uk-city", "current-pv-location-uk-region"),
    "who exploited them": ("who-exploited-pv",),
    "whether exploiters are in the UK": ("are-exploiters-in-the-uk",),
    "Exploitation types": ("types-of-exploitation",),
    "*Other* with details": ("other-exploitation-details",),
    "other victims": ("any-other-pvs",),
    "future-exploitation concerns": ("future-exploitation-concerns",),
    "crime reference number": ("reported-to-police-crime-reference",),
    "willingness to help police": ("authorities-cooperation",),
    "name, DOB, gender, children, nationality": (
        "pv-name-first-name",
        "pv-name-last-name",
        "pv-dob",
        "pv-gender",
        "does-pv-have-children",
        "pv-nationality",
    ),
    "interpreter/communication needs": ("pv-interpreter-requirements", "pv-other-help-with-communication"),
    "Home Office reference": ("pv-ho-reference",),
    "first responder and alternative contact": (
        "fr-details-first-name",
        "fr-details-role",
        "fr-details-phone",
        "fr-alternative-contact",
    ),
}


def _domain_text() -> str:
    """The section on the form, with line breaks and indentation folded to single spaces."""
    text = DOMAIN.read_text(encoding="utf-8")
    section = text[text.index("### The digital referral form") : text.index("### Decisions and standards")]
    return " ".join(section.split())


@pytest.mark.parametrize("phrase", sorted(DOMAIN_FIELDS))
def test_each_domain_field_is_in_domain_md_and_in_the_pack(phrase: str) -> None:
    section = _domain_text()
    assert phrase in section, f"docs/domain.md no longer says {phrase!r}: update this mapping"
    pack = build_nrm_pack(
        NrmCaseView("NB-2026-0001", Nation.ENGLAND, "yes"), NrmDeterminationView(), FirstResponderView()
    )
    keys = pack.field_keys()
    missing = [key for key in DOMAIN_FIELDS[phrase] if key not in keys]
    assert not missing, f"{phrase!r}: the pack lacks {missing}"


def test_every_exploitation_type_checkbox_is_in_the_pack() -> None:
    pack = build_nrm_pack(
        NrmCaseView("NB-2026-0001", Nation.ENGLAND, "yes"), NrmDeterminationView(), FirstResponderView()
    )
    ticks = {o.key for o in pack.field("types-of-exploitation").options}
    assert len(ticks) == 10
    assert ticks <= pack.field_keys()
    assert known_field_keys() <= pack.field_keys()
