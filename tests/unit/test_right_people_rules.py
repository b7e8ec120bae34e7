"""Issue 9's small rules: which agencies the opening answers propose, and the child's languages for the
interpreter's seat."""

from __future__ import annotations

import pytest

from conference.cases.involvement import OpeningAnswers, proposed_kinds
from conference.convening.seats import child_languages
from rules.vocabulary import AgencyKind


def test_police_and_health_always_and_each_answer_its_agency() -> None:
    none = OpeningAnswers(foreign_national=False, in_education=False, guardian_allocated=False, nrm_referral_made=False)
    assert proposed_kinds(none) == [AgencyKind.POLICE, AgencyKind.HEALTH]
    every = OpeningAnswers(foreign_national=True, in_education=True, guardian_allocated=True, nrm_referral_made=True)
    assert proposed_kinds(every) == [
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.HOME_OFFICE,
        AgencyKind.EDUCATION,
        AgencyKind.GUARDIAN_SERVICE,
        AgencyKind.SINGLE_COMPETENT_AUTHORITY,
    ]
    foreign = OpeningAnswers(
        foreign_national=True, in_education=False, guardian_allocated=False, nrm_referral_made=False
    )
    assert AgencyKind.HOME_OFFICE in proposed_kinds(foreign)
    assert AgencyKind.EDUCATION not in proposed_kinds(foreign)


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("Vietnamese", ["Vietnamese"]),
        ("Albanian, some English", ["Albanian"]),
        ("Tigrinya and Amharic", ["Tigrinya", "Amharic"]),
        ("Arabic; Kurdish (Sorani)/Farsi", ["Arabic", "Kurdish (Sorani)", "Farsi"]),
        ("English", []),
        ("", []),
        ("Vietnamese, vietnamese", ["Vietnamese"]),
    ],
)
def test_child_languages_needing_an_interpreter(text: str, languages: list[str]) -> None:
    assert child_languages(text) == languages
