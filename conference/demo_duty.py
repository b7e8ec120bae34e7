"""Out of hours in the Northbridge demo: the children's social care Emergency Duty Team and the police duty
inspectors, so that an urgent meeting at night finds real people.

How Convene models them (the same meaning everywhere):

* A **duty team** works at night and at weekends: those are its members' *working hours* in the directory
  (``Person.working_hours``), so the scheduler finds them free then, with no relaxation, and the explanations,
  the availability picture and the deputy offers all say "free".
* **On call** (``Person.on_call``) means one thing: a person who may be called outside their own working hours.
  Such a time counts as *out of hours* (the scheduler's ``out_of_hours`` metric, the picture's "Out of hours",
  the board's "(on call, out of hours)"), and the options use it only when the coordinator chooses "Include
  on-call staff"; a replacement after the invitations are out may be an on-call person, offered after everyone
  free in hours.
* Their role tags (``emergency_duty``, ``police_duty_officer``) rank them after the daytime staff for a role
  (``conference.convening.availability.ROLE_TAG_PREFERENCE``).

Every name here is invented. Loading twice changes nothing that is already there (the diaries are dated again).
"""

from __future__ import annotations

from datetime import date

from conference.directory.models import LocalAuthority
from rules.vocabulary import AgencyKind

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEKEND = ("sat", "sun")
#: The Emergency Duty Team: 5pm to 9am on weekdays, all weekend (the hours a local authority's EDT usually covers).
EDT_HOURS = {
    **{d: [["00:00", "09:00"], ["17:00", "24:00"]] for d in WEEKDAYS},
    **{d: [["00:00", "24:00"]] for d in WEEKEND},
}
#: Police duty inspectors on two shifts, every day.
INSPECTOR_DAYS = {d: [["07:00", "19:00"]] for d in (*WEEKDAYS, *WEEKEND)}
INSPECTOR_NIGHTS = {d: [["00:00", "07:00"], ["19:00", "24:00"]] for d in (*WEEKDAYS, *WEEKEND)}


def duty_agencies() -> tuple:  # type: ignore[type-arg]
    """The duty teams as the demo's own agency records (``conference.demo.DemoAgency``)."""
    from conference.demo import DemoAgency, DemoPerson

    return (
        DemoAgency(
            "Northbridge Emergency Duty Team",
            AgencyKind.CHILDREN_SOCIAL_CARE,
            "edt@northbridge.example",
            (
                DemoPerson(
                    "Rowan Nightingale",
                    "Emergency duty social worker",
                    "rowan.nightingale@northbridge.example",
                    ("emergency_duty",),
                    EDT_HOURS,
                ),
                DemoPerson(
                    "Jude Lanternfield",
                    "Emergency duty senior practitioner",
                    "jude.lanternfield@northbridge.example",
                    ("emergency_duty",),
                    EDT_HOURS,
                ),
            ),
        ),
        DemoAgency(
            "Northbridge Police Duty Inspectors",
            AgencyKind.POLICE,
            "duty.inspector@northbridge-police.example",
            (
                DemoPerson(
                    "Inspector Sasha Brightwater",
                    "Duty inspector (days)",
                    "sasha.brightwater@northbridge-police.example",
                    ("police_duty_officer",),
                    INSPECTOR_DAYS,
                ),
                DemoPerson(
                    "Inspector Noel Duskworth",
                    "Duty inspector (nights)",
                    "noel.duskworth@northbridge-police.example",
                    ("police_duty_officer",),
                    INSPECTOR_NIGHTS,
                ),
            ),
        ),
    )


def load_duty_teams(area: LocalAuthority, today: date, summary: object) -> None:
    """Add (or refresh) the duty teams in ``area``."""
    from conference import demo

    assert isinstance(summary, demo.DemoSummary)
    for spec in duty_agencies():
        demo._upsert_agency(spec, area, today, summary)
    summary.notes.append(
        "Out of hours: the Emergency Duty Team (5pm to 9am, weekends) and the police duty inspectors (day and "
        "night shifts) are in the directory, so an urgent strategy discussion at night finds people who work then."
    )
