"""The written-submission file checks: the kind from the content, the size, zip bombs and active PDFs."""

from __future__ import annotations

import pytest

from conference.convening.files import MAX_FILE_BYTES, FileRefused, check_file, file_label, sniff
from tests.support import submission_files as samples


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (samples.PDF, "pdf"),
        (samples.PNG, "png"),
        (samples.JPEG, "jpeg"),
        (b"GIF89a" + b"\x00" * 10, "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (samples.docx(), "docx"),
        (samples.odt(), "odt"),
        (samples.EXE, None),
        (samples.plain_zip(), None),
        (b"hello, world", None),
    ],
)
def test_the_kind_comes_from_the_content(data, kind):
    assert sniff(data) == kind


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The selected file is empty"),
        (samples.EXE, "The selected file must be a PDF, Word (DOCX)"),
        (samples.plain_zip(), "must be a PDF"),
        (b"%PDF-" + b"x" * MAX_FILE_BYTES, "must be smaller than 10MB"),
        (samples.PDF_JS, "contains scripts"),
        (samples.PDF_ESCAPED_JS, "contains scripts"),
        (samples.pdf_with_hidden_js(), "contains scripts"),
        (samples.zip_bomb("docx"), "expands to far more than its size"),
        (samples.zip_bomb("odt"), "expands to far more than its size"),
        (b"PK\x03\x04 not really a zip", "is damaged"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(FileRefused) as refused:
        check_file(data)
    assert message in str(refused.value)


def test_a_zip_declaring_more_than_100_mb_in_all_is_refused_without_extracting(monkeypatch):
    import conference.convening.files as files

    assert check_file(samples.docx()).key == "docx"  # its entries declare 51 bytes in all
    monkeypatch.setattr(files, "MAX_UNZIPPED_BYTES", 50)
    with pytest.raises(FileRefused, match="expands to more than 100 MB"):
        check_file(samples.docx())


def test_errors_name_a_file_by_its_place_never_by_its_own_name():
    assert file_label(1, 1) == "The selected file"
    with pytest.raises(FileRefused, match="^File 2 of 3 must be"):
        check_file(samples.EXE, file_label(2, 3))
