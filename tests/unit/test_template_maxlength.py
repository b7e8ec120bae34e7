"""Every text input and textarea in the templates carries a maxlength.

A static check over the template source; tests/integration/test_maxlength.py checks rendered pages too.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ELSEWHERE: tuple[str, ...] = ()
CALL = re.compile(r"(govukInput|govukPasswordInput|govukTextarea|govukCharacterCount)\(\{")
RAW_INPUT = re.compile(r"<input\b[^>]*>", re.S)
RAW_TEXTAREA = re.compile(r"<textarea\b[^>]*>", re.S)
NOT_TEXT = re.compile(r'type="(hidden|checkbox|radio|file|submit|button)"')


def _calls(source: str) -> list[str]:
    """The source of each macro call, from ``govukInput({`` to its matching closing brace."""
    calls = []
    for match in CALL.finditer(source):
        depth, i = 0, match.end() - 1
        while i < len(source):
            depth += {"{": 1, "}": -1}.get(source[i], 0)
            if depth == 0:
                break
            i += 1
        calls.append(source[match.start() : i + 1])
    return calls


def _templates() -> list[Path]:
    return [p for p in sorted(TEMPLATES.rglob("*.html")) if p.relative_to(TEMPLATES).parts[0] not in ELSEWHERE]


def test_every_text_field_in_the_templates_has_a_maxlength() -> None:
    missing = []
    for path in _templates():
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES).as_posix()
        missing += [f"{name}: {call[:80]}" for call in _calls(source) if '"maxlength"' not in call]
        for tag in RAW_INPUT.findall(source) + RAW_TEXTAREA.findall(source):
            if not NOT_TEXT.search(tag) and "maxlength" not in tag:
                missing.append(f"{name}: {tag[:80]}")
    assert missing == []


def test_every_date_input_part_has_a_maxlength() -> None:
    shared = (TEMPLATES / "components" / "date.html").read_text(encoding="utf-8")
    for part in ("day", "month", "year"):
        item = next(line for line in shared.splitlines() if f'"name": "{part}"' in line)
        assert '"maxlength"' in item, part
    assert "maxlength" in (TEMPLATES / "dashboard" / "_date_input.html").read_text(encoding="utf-8")


def test_the_check_reads_a_whole_call() -> None:
    source = (
        '{{ govukInput({"id": "x", "label": {"text": "X"}}) }} {{ govukTextarea({"attributes": {"maxlength": 9}}) }}'
    )
    calls = _calls(source)
    assert calls == ['govukInput({"id": "x", "label": {"text": "X"}}', 'govukTextarea({"attributes": {"maxlength": 9}}']
    assert ['"maxlength"' in c for c in calls] == [False, True]
