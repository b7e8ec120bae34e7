"""The availability picture: what each candidate's time is, where the proposals are, and that it reads in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from jinja2 import Environment, FileSystemLoader, select_autoescape

from conference.availability_picture import LABEL_WIDTH, AvailabilityPicture, build_picture
from scheduler import RequestError

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def request(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "timezone": "Europe/London",
        "earliest_start": "2026-11-30T08:00:00Z",
        "deadline": "2026-12-01T18:00:00Z",
        "duration_minutes": 60,
        "roles": [
            {"role": "chair", "required": True, "written_submission": False, "candidates": ["p1", "p2"]},
            {"role": "police", "required": True, "written_submission": False, "candidates": ["p3"]},
        ],
        "people": {
            "p1": {
                "working_hours": WEEKDAYS,
                "on_call": False,
                "busy": [["2026-11-30T10:00:00Z", "2026-11-30T11:30:00Z"]],
            },
            "p2": {"availability": "unknown", "working_hours": {}, "on_call": False, "busy": []},
            "p3": {"working_hours": {"mon": [["12:00", "20:00"]]}, "on_call": True, "busy": []},
        },
    }
    base.update(changes)
    return base


PROPOSAL = {
    "start": "2026-11-30T12:00:00Z",
    "end": "2026-11-30T13:00:00Z",
    "assignments": {"chair": {"person": "p1"}, "police": {"person": "p3"}},
}


def kinds_on_monday(picture: AvailabilityPicture, person_id: str) -> list[tuple[str, str, str]]:
    row = next(r for r in picture.rows if r.person_id == person_id)
    return [(s.kind, f"{s.start_at:%H:%M}", f"{s.end_at:%H:%M}") for s in row.segments if s.start_at.day == 30]


def test_each_candidates_time_is_free_busy_unknown_or_out_of_hours() -> None:
    picture = build_picture(request(), [PROPOSAL], names={"p1": "Sam Okafor", "p2": "Ali Brook"})
    assert kinds_on_monday(picture, "p1") == [
        ("outside", "00:00", "08:00"),
        ("out_of_hours", "08:00", "09:00"),
        ("free", "09:00", "10:00"),
        ("busy", "10:00", "11:30"),
        ("free", "11:30", "17:00"),
        ("out_of_hours", "17:00", "00:00"),
    ]
    assert kinds_on_monday(picture, "p2") == [("outside", "00:00", "08:00"), ("unknown", "08:00", "00:00")]
    # p3 is on call (and the request includes on-call staff): outside their hours they may be booked, out of hours
    assert kinds_on_monday(picture, "p3") == [
        ("outside", "00:00", "08:00"),
        ("on_call", "08:00", "12:00"),
        ("free", "12:00", "20:00"),
        ("on_call", "20:00", "00:00"),
    ]
    not_included = request()
    not_included["people"]["p3"]["on_call"] = False  # on call, but on-call staff are not included
    assert ("out_of_hours", "08:00", "12:00") in kinds_on_monday(build_picture(not_included), "p3")
    assert ("on_call", "On call (out of hours)") in picture.legend
    assert "on_call" not in dict(build_picture(not_included).legend), "the legend names only what is drawn"
    # the window runs through Monday night, so the axis covers the whole day, night included
    assert (picture.first_hour, picture.last_hour) == (0, 24)
    labels = [r.person_label for r in picture.rows]
    assert labels == ["Sam Okafor", "Ali Brook (deputy 1)", "p3"]


def test_the_axis_covers_a_daytime_window_and_a_night_window_whole() -> None:
    day = build_picture(request(earliest_start="2026-11-30T09:00:00Z", deadline="2026-11-30T16:00:00Z"))
    assert (day.first_hour, day.last_hour) == (8, 20)  # 8am to 6pm at least, widened to p3's working hours
    night = build_picture(request(earliest_start="2026-11-30T01:00:00Z", deadline="2026-11-30T06:00:00Z"))
    assert night.first_hour <= 1 and night.last_hour >= 20
    row = next(r for r in night.rows if r.person_id == "p1")
    assert row.segments[0].start_at.hour <= 1, "the night part of the window is drawn"


def test_time_outside_the_window_is_marked_as_such() -> None:
    picture = build_picture(request(earliest_start="2026-11-30T13:00:00Z"))
    assert kinds_on_monday(picture, "p1")[:2] == [("outside", "00:00", "13:00"), ("free", "13:00", "17:00")]


def test_proposals_are_placed_on_their_day_and_attendees_named() -> None:
    picture = build_picture(
        request(),
        [
            PROPOSAL,
            {
                **PROPOSAL,
                "start": "2026-12-01T09:00:00Z",
                "end": "2026-12-01T10:00:00Z",
                "assignments": {"chair": {"person": "p1"}},
            },
        ],
    )
    first, second = picture.slots
    monday, tuesday = picture.days
    assert first.label == "Option 1: Monday 30 November, midday to 1pm"
    assert monday.x < first.x < first.x + first.width <= monday.x + monday.width
    assert tuesday.x <= second.x < tuesday.x + tuesday.width
    # midday is halfway through the day: the window runs through the night, so each day shows all 24 hours
    assert first.x == pytest.approx(monday.x + monday.width * 12 / 24)
    attends = {r.person_id: r.attends for r in picture.rows}
    assert attends == {"p1": (1, 2), "p2": (), "p3": (1,)}


def test_ten_roles_over_seven_days_stay_inside_the_picture() -> None:
    roles = [
        {"role": f"role_{n}", "required": True, "written_submission": False, "candidates": [f"a{n}", f"b{n}", f"c{n}"]}
        for n in range(10)
    ]
    people = {
        f"{k}{n}": {
            "working_hours": WEEKDAYS,
            "on_call": False,
            "busy": [[f"2026-12-0{d}T1{n % 6}:00:00Z", f"2026-12-0{d}T1{n % 6}:45:00Z"] for d in range(1, 6)],
        }
        for n in range(10)
        for k in "abc"
    }
    picture = build_picture(
        request(roles=roles, people=people, earliest_start="2026-11-30T00:00:00Z", deadline="2026-12-07T00:00:00Z"),
        [PROPOSAL],
    )
    assert len(picture.days) == 7 and len(picture.rows) == 30
    day_width = picture.days[0].width
    assert day_width >= 95  # about 10 pixels an hour over 8am-6pm: each hour stays visible
    for row in picture.rows:
        assert all(LABEL_WIDTH <= s.x and s.x + s.width <= picture.width + 0.01 for s in row.segments)
        assert len(row.summary) == 7
    assert picture.height < 30 * 22 + 10 * 8 + 60


def test_the_component_draws_svg_without_scripts_and_says_the_same_in_words() -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    picture = build_picture(request(), [PROPOSAL], names={"p1": "Sam <Okafor>"})
    html = env.from_string(
        '{% from "components/availability_picture.html" import availability_picture %}'
        "{{ availability_picture(picture) }}"
    ).render(picture=picture)
    soup = BeautifulSoup(html, "html5lib")
    assert not soup.find("script")
    svg = soup.find("svg")
    assert svg["role"] == "img" and soup.find(id="availability-title") and soup.find(id="availability-desc")
    assert "Sam &lt;Okafor&gt;" in html  # escaped
    words = soup.select_one(".govuk-details__text").get_text(" ", strip=True)
    assert "Option 1: Monday 30 November, midday to 1pm" in words
    assert "Sam <Okafor>: attends option 1" in words
    assert "Monday 30 November: free 9am to 10am, busy 10am to 11:30am, free 11:30am to 5pm" in words
    assert "availability unknown 8am to midnight" in words


def test_bad_requests_get_the_schedulers_message() -> None:
    with pytest.raises(RequestError, match="no UTC offset"):
        build_picture(request(earliest_start="2026-11-30T08:00:00"))
