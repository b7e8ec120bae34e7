"""The one check for active content in uploaded PDFs (decision letters and written submissions share it)."""

from __future__ import annotations

import zlib

import pytest

from conference.pdf_check import UncheckablePdf, has_active_content

PLAIN = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n"


def _with_stream(content: bytes) -> bytes:
    return b"%PDF-1.7\n4 0 obj << /Filter /FlateDecode >>\nstream\n" + zlib.compress(content) + b"\nendstream\n%%EOF\n"


def test_a_plain_pdf_has_none() -> None:
    assert has_active_content(PLAIN) is False


@pytest.mark.parametrize("name", [b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/J#61vaScript"])
def test_an_action_in_the_open_or_spelt_with_escapes_is_found(name: bytes) -> None:
    assert has_active_content(PLAIN.replace(b"/Pages 2 0 R", b"/OpenAction << /S " + name + b" >>")) is True


def test_an_action_hidden_in_a_compressed_stream_is_found() -> None:
    assert has_active_content(_with_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")) is True
    assert has_active_content(_with_stream(b"<< /Type /XObject >>")) is False


def test_a_name_that_only_starts_like_an_action_is_not_one() -> None:
    assert has_active_content(PLAIN.replace(b"/Pages 2 0 R", b"/JSON 1")) is False


def test_streams_that_expand_past_the_limit_cannot_be_checked() -> None:
    with pytest.raises(UncheckablePdf):
        has_active_content(_with_stream(b"0" * 4096), limit=1024)
