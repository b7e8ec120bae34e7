"""Checks on a file attached to a written submission, before anything is stored. Pure: no Flask, no database.

The type is found from the content (magic bytes), never from the name or the browser's content type:

* PDF starts ``%PDF-``; PNG ``\\x89PNG\\r\\n\\x1a\\n``; JPEG ``\\xff\\xd8\\xff``; GIF ``GIF87a``/``GIF89a``; WebP
  ``RIFF....WEBP``.
* DOCX and ODT are zip archives: DOCX holds ``[Content_Types].xml`` and a ``word/`` part (ECMA-376 Part 2, Open
  Packaging Conventions); ODT holds a ``mimetype`` entry reading ``application/vnd.oasis.opendocument.text``
  (OASIS OpenDocument 1.3, part 2, section 3.3).

A zip is judged from its central directory only (declared sizes and compression ratio), without extracting its
entries: a zip bomb is refused before anything is inflated. A PDF must not carry active content (``/JavaScript``,
``/JS``, ``/Launch``, embedded files), also when hidden in a compressed stream or spelt with ``#xx`` escapes.
The limits are Convene's own choice (issue 9): 10 MB a file, 5 files a submission.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from conference.pdf_check import UncheckablePdf, has_active_content

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_TEXT_LENGTH = 20_000
# The most a zip may declare it expands to, the highest ratio of one entry, and the most entries: Convene's own
# choice, far above a real report (a 10 MB DOCX of text and photos expands to well under 100 MB).
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 2_000
_INFLATED_LIMIT = 50 * 1024 * 1024

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ACCEPTED_TYPES = "a PDF, Word (DOCX), OpenDocument text (ODT), JPG, PNG, GIF or WebP file"


@dataclass(frozen=True)
class FileKind:
    key: str
    extension: str
    mimetype: str
    label: str


KINDS = {
    k.key: k
    for k in (
        FileKind("pdf", "pdf", "application/pdf", "PDF"),
        FileKind(
            "docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"
        ),
        FileKind("odt", "odt", "application/vnd.oasis.opendocument.text", "OpenDocument text"),
        FileKind("png", "png", "image/png", "PNG image"),
        FileKind("jpeg", "jpg", "image/jpeg", "JPG image"),
        FileKind("gif", "gif", "image/gif", "GIF image"),
        FileKind("webp", "webp", "image/webp", "WebP image"),
    )
}


class FileRefused(ValueError):
    """The file cannot be accepted; the message (GOV.UK wording) says what to do."""


def _pdf_is_active(data: bytes) -> bool:
    try:
        return has_active_content(data, limit=_INFLATED_LIMIT)
    except UncheckablePdf:
        raise FileRefused("{name} could not be checked. Save it as a plain PDF and upload it again") from None


def _zip_kind(data: bytes) -> str | None:
    """ "docx", "odt" or None (another zip), judged from the central directory; a zip bomb is refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise FileRefused("{name} is damaged and cannot be opened. Save it again and upload it") from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise FileRefused("{name} expands to more than 100 MB. Save it as a PDF and upload it again")
    for entry in entries:
        if entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise FileRefused("{name} expands to far more than its size. Save it as a PDF and upload it again")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise FileRefused("{name} contains macros. Save it as a DOCX without macros, or as a PDF")
        return "docx"
    if "mimetype" in names:
        info = archive.getinfo("mimetype")
        if info.file_size <= 100:
            try:
                with archive.open(info) as entry_file:
                    if entry_file.read(100).strip() == ODT_MIMETYPE:
                        return "odt"
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError):
                raise FileRefused("{name} is damaged and cannot be opened. Save it again and upload it") from None
    return None


def sniff(data: bytes) -> str | None:
    """The kind of file from its content, or None when it is not one Convene accepts."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def check_file(data: bytes, name: str = "The selected file") -> FileKind:
    """The file's kind, or `FileRefused` whose message begins with ``name`` (never the file's own name, which
    could identify the child)."""
    try:
        if not data:
            raise FileRefused("{name} is empty")
        if len(data) > MAX_FILE_BYTES:
            raise FileRefused("{name} must be smaller than 10MB")
        kind = sniff(data)
        if kind is None:
            raise FileRefused(f"{{name}} must be {ACCEPTED_TYPES}")
        if kind == "pdf" and _pdf_is_active(data):
            raise FileRefused(
                "{name} contains scripts, actions or attached files. Save it as a plain PDF (for example, print it "
                "to PDF) and upload it again"
            )
    except FileRefused as refused:
        raise FileRefused(str(refused).format(name=name)) from None
    return KINDS[kind]


def file_label(position: int, count: int) -> str:
    """How an error names a file: "The selected file", or "File 2 of 3" (never by its own name)."""
    return "The selected file" if count == 1 else f"File {position} of {count}"
