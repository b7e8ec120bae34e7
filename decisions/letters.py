"""Checks on an uploaded NRM decision letter, before anything is stored.

A letter is accepted only as a plain PDF: the content must start with the ``%PDF-`` signature (the name and the
browser's content type are not trusted), be at most 10 MB and not empty, and must not carry active content: no
``/JavaScript`` or ``/JS`` actions, no ``/Launch`` actions and no ``/EmbeddedFile`` attachments. PDF names may
spell a character as ``#xx`` (``/J#61vaScript``), so names are decoded before they are checked. A letter is
stored in the database and only ever served as a download (``Content-Disposition: attachment``) under a
file name made of the case reference, never a name.
"""

from __future__ import annotations

from conference.pdf_check import UncheckablePdf, has_active_content

MAX_LETTER_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"


class LetterRefused(ValueError):
    """The file cannot be accepted; the message says what to do."""


def check_letter(data: bytes) -> None:
    """Raise `LetterRefused` with a GOV.UK style message unless ``data`` is an acceptable decision letter."""
    if not data:
        raise LetterRefused("The selected file is empty. Choose the decision letter (a PDF)")
    if len(data) > MAX_LETTER_BYTES:
        raise LetterRefused("The selected file must be smaller than 10 MB")
    if not data.startswith(PDF_SIGNATURE):
        raise LetterRefused("The selected file must be a PDF")
    try:
        active = has_active_content(data)
    except UncheckablePdf:
        raise LetterRefused(
            "The selected file could not be checked. Save the letter as a plain PDF and upload it again"
        ) from None
    if active:
        raise LetterRefused(
            "The selected file contains scripts, actions or attached files. Save the letter as a plain PDF "
            "(for example, print it to PDF) and upload it again"
        )
