"""``python -m scheduler solve|plan``: JSON on stdin, JSON on stdout; bad input: stderr and exit 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from scheduler.api import plan, solve
from scheduler.errors import RequestError

USAGE = (
    "usage: python -m scheduler solve < request.json > response.json\n"
    "       python -m scheduler plan < batch.json > plan.json"
)
COMMANDS: dict[str, Callable[[Any], dict[str, Any]]] = {"solve": solve, "plan": plan}


def _fail(message: str, stderr: TextIO) -> int:
    stderr.write(f"scheduler: {message}\n")
    return 2


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    if len(args) != 1 or args[0] not in COMMANDS:
        return _fail(f"expected one command, solve or plan\n{USAGE}", stderr)
    text = stdin.read()
    if not text.strip():
        return _fail("no input: pipe a JSON request on standard input", stderr)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return _fail(f"the input is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}", stderr)
    try:
        answer = COMMANDS[args[0]](data)
    except RequestError as error:
        return _fail(error.message, stderr)
    stdout.write(json.dumps(answer, indent=2) + "\n")
    return 0
