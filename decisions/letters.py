"""Checks on an uploaded NRM decision letter, before anything is stored.

A letter is accepted only as a plain PDF: the content must start with the ``%PDF-`` signature (the name and the
browser's content type are not trusted), be at most 10 MB and not empty, and must not carry active content: no
``/JavaScript`` or ``/JS`` actions, no ``/Launch`` actions and no ``/EmbeddedFile`` attachments. PDF names may
spell a character as ``#xx`` (``/J#61vaScript``), so names are decoded before they are checked. A letter is
stored in the database and only ever served as a download (``Content-Disposition: attachment``) under a
file name made of the case reference, never a name.
"""

from __future__ import annotations

import re
import zlib

MAX_LETTER_BYTES = 10 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles)(?![A-Za-z0-9])")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_INFLATED_LIMIT = 50 * 1024 * 1024  # the most a letter's compressed streams may expand to, in all


def _has_active_content(data: bytes) -> bool:
    decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    return _ACTIVE.search(decoded) is not None


def _inflated_streams(data: bytes) -> list[bytes]:
    """The compressed (Flate) streams, inflated: object streams can hide a dictionary from a plain scan."""
    out: list[bytes] = []
    budget = _INFLATED_LIMIT
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (an image, say), or damaged: nothing to read
        budget -= len(chunk)
        if inflater.unconsumed_tail or budget <= 0:
            raise LetterRefused(
                "The selected file could not be checked. Save the letter as a plain PDF and upload it again"
            )
        out.append(chunk)
    return out


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
    if _has_active_content(data) or any(_has_active_content(chunk) for chunk in _inflated_streams(data)):
        raise LetterRefused(
            "The selected file contains scripts, actions or attached files. Save the letter as a plain PDF "
            "(for example, print it to PDF) and upload it again"
        )
