"""``python -m scheduler``: JSON in and out, exit code 2 with a message and nothing on stdout for bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scheduler.cli import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = Path(__file__).parent / "fixtures" / "spec_example_request.json"


def run(command: list[str], text: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(command, io.StringIO(text), out, err)
    return code, out.getvalue(), err.getvalue()


def good() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def test_solve_command_as_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "solve"],
        input=EXAMPLE.read_text(),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["proposals"][0]["start"] == "2026-11-27T16:45:00Z"


def test_bad_input_as_a_real_process_exits_2_with_nothing_on_stdout() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "solve"],
        input="{not json",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "not valid JSON" in done.stderr


def test_plan_command_books_the_batch() -> None:
    request = good()
    batch = {
        "timezone": "Europe/London",
        "grain_minutes": 15,
        "time_limit_seconds": 2,
        "people": request["people"],
        "conferences": [
            {
                "id": "NB-2026-0042/strategy",
                "priority": 5,
                "earliest_start": request["earliest_start"],
                "deadline": request["deadline"],
                "duration_minutes": 60,
                "roles": request["roles"],
                "fixed": None,
            }
        ],
    }
    code, out, err = run(["plan"], json.dumps(batch))
    assert code == 0, err
    plan = json.loads(out)
    assert plan["bookings"][0]["status"] == "booked" and plan["bookings"][0]["start"] == "2026-11-27T16:45:00Z"
    assert plan["summary"]["unscheduled_priority"] == 0 and plan["summary"]["weighted_wait_minutes"] == 5 * 5


def _with(change: dict[str, Any]) -> str:
    data = good()
    data.update(change)
    return json.dumps(data)


def _unknown_candidate_batch() -> str:
    request = good()
    conference = {
        "id": "c1",
        "priority": 1,
        "earliest_start": request["earliest_start"],
        "deadline": request["deadline"],
        "duration_minutes": 60,
        "roles": request["roles"],
        "fixed": {"start": "2026-11-27T17:00:00Z", "assignments": {"chair": {"person": "p9"}}},
    }
    return json.dumps({"people": request["people"], "conferences": [conference]})


@pytest.mark.parametrize(
    ("command", "text", "message"),
    [
        (["solve"], '{"timezone": ', "not valid JSON"),
        (["solve"], "", "no input"),
        (["solve"], "[1, 2]", "must be a JSON object"),
        (["solve"], _with({"earliest_start": "2026-11-27T16:40:00"}), "has no UTC offset"),
        (["solve"], _with({"deadline": "2026-11-26T16:40:00Z"}), "is before earliest_start"),
        (["solve"], _with({"deadline": "2026-11-27T16:40:00Z"}), "the window is empty"),
        (["solve"], _with({"duration_minutes": 2000}), "does not fit"),
        (["solve"], _with({"grain_minutes": 0}), "grain_minutes must be at least 1"),
        (["solve"], _with({"grain_minutes": 25}), "does not divide a day"),
        (["solve"], _with({"people": {"p1": {"working_hours": {"mon": [["9", "17:00"]]}}}}), "is not a time of day"),
        (
            ["solve"],
            _with({"people": {"p1": {"working_hours": {"mon": [["09:00", "25:00"]]}}}}),
            "is not a time of day",
        ),
        (["solve"], _with({"people": {"p1": {"working_hours": {"mon": [["12:00", "09:00"]]}}}}), "before it starts"),
        (
            ["solve"],
            _with(
                {"people": {"p1": {"working_hours": {}, "busy": [["2026-11-27T18:00:00Z", "2026-11-27T17:00:00Z"]]}}}
            ),
            "end",
        ),
        (
            ["solve"],
            _with({"roles": [{"role": "chair", "required": True, "candidates": ["p1", "p1"]}]}),
            "listed twice",
        ),
        (["plan"], _unknown_candidate_batch(), "unknown candidate 'p9'"),
        (["plan"], json.dumps({"conferences": [{"id": "c1"}]}), "missing required field 'earliest_start'"),
        (["dance"], "{}", "expected one command"),
    ],
)
def test_rejected_input_exits_2_with_a_message_and_no_output(command: list[str], text: str, message: str) -> None:
    code, out, err = run(command, text)
    assert code == 2
    assert out == ""
    assert err.startswith("scheduler: ") and message in err
