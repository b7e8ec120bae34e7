"""The solver warm-up (conference/warmup.py) starts in a served process and never in a CLI command. Not timed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conference.warmup import SETTING, serving

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTED, FINISHED = "solver warm-up started", "solver warm-up finished"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != SETTING and not k.startswith("FLASK_")}
    env.update(CONVENE_ENV="development", SECRET_KEY="w" * 48, DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite3'}")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _served_output(command: list[str], env: dict[str, str], seconds: float = 90) -> str:
    """Run a server until the warm-up says it finished (or time runs out), then stop it; its output."""
    log = Path(env["DATABASE_URL"].removeprefix("sqlite:///")).with_suffix(".log")
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and FINISHED not in log.read_text() and process.poll() is None:
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return log.read_text()


def test_flask_run_warms_the_solver(tmp_path: Path) -> None:
    output = _served_output([str(BIN / "flask"), "--app", "wsgi", "run", "--port", str(_free_port())], _env(tmp_path))
    assert STARTED in output and FINISHED in output, output[-3000:]


def test_a_gunicorn_worker_warms_the_solver(tmp_path: Path) -> None:
    command = [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{_free_port()}", "wsgi:app"]
    output = _served_output(command, _env(tmp_path))
    assert STARTED in output and FINISHED in output, output[-3000:]


@pytest.mark.parametrize("command", [["routes"], ["db", "upgrade"]])
def test_cli_commands_do_not_warm_the_solver(tmp_path: Path, command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *command],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert STARTED not in result.stdout + result.stderr


def test_the_setting_decides_outright() -> None:
    assert serving({SETTING: "1"}, {}) is True
    assert serving({SETTING: "0"}, {"gunicorn": object()}) is False
    assert serving({}, {"gunicorn": object()}) is True
    assert serving({}, {}) is False  # no click context: neither gunicorn nor `flask run`
