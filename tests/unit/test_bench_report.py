"""Each benchmark rewrites only its own section of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

from bench.report import replace_section


def test_a_section_is_appended_then_replaced_and_others_are_kept(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "benchmarks.md"
    replace_section("<!-- a:start -->\nA1\n<!-- a:end -->", "<!-- a:start -->", "<!-- a:end -->", doc)
    replace_section("<!-- b:start -->\nB1\n<!-- b:end -->", "<!-- b:start -->", "<!-- b:end -->", doc)
    replace_section("<!-- a:start -->\nA2\n<!-- a:end -->", "<!-- a:start -->", "<!-- a:end -->", doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "A1" not in text and text.count("A2") == 1 and text.count("B1") == 1
    assert text.index("A2") < text.index("B1")
