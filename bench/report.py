"""docs/benchmarks.md is shared by every benchmark: each owns the section between its own two markers."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(section: str, start: str, end: str, doc: Path = DOC) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) in place of the old one, or append it,
    leaving every other benchmark's section as it was."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)
