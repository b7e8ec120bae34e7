"""Checks on an uploaded NRM decision letter (issue 11): type by content, size, and no active content."""

import zlib

import pytest

from decisions.letters import MAX_LETTER_BYTES, LetterRefused, check_letter

PLAIN = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_a_plain_pdf_is_accepted() -> None:
    check_letter(PLAIN)
    check_letter(PLAIN + b"<< /Subtype /JSON-like-name /JSONData 1 >>")  # a longer name is not /JS


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        (b"GIF89a not a pdf", "The selected file must be a PDF"),
        (b"<html>%PDF-1.7</html>", "The selected file must be a PDF"),
        (b"%PDF-" + b"0" * MAX_LETTER_BYTES, "smaller than 10 MB"),
        (PLAIN + b"<< /S /JavaScript /JS (app.alert(1)) >>", "contains scripts"),
        (PLAIN + b"<< /OpenAction << /S /JS >> >>", "contains scripts"),
        (PLAIN + b"<< /S /Launch /F (cmd.exe) >>", "contains scripts"),
        (PLAIN + b"<< /Type /EmbeddedFile >>", "contains scripts"),
        (PLAIN + b"<< /S /J#61vaScript >>", "contains scripts"),  # a name spelt with #xx escapes
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(LetterRefused, match=message):
        check_letter(data)


def test_javascript_hidden_in_a_compressed_object_stream_is_found() -> None:
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    data = PLAIN + b"2 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + hidden + b"\nendstream\nendobj\n"
    with pytest.raises(LetterRefused, match="contains scripts"):
        check_letter(data)
    harmless = zlib.compress(b"BT /F1 12 Tf (Decision letter) Tj ET")
    check_letter(PLAIN + b"3 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + harmless + b"\nendstream\nendobj\n")
