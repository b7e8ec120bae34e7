"""Whether a PDF carries active content, for every upload Convene accepts (NRM decision letters, the files of
written submissions). Pure: bytes in, an answer out; no Flask, no database.

Active content is a ``/JavaScript`` or ``/JS`` action, a ``/Launch`` action or an embedded file
(``/EmbeddedFile``, ``/EmbeddedFiles``). PDF names may spell a character as ``#xx`` (``/J#61vaScript``), so names
are decoded before they are checked, and compressed (Flate) streams are inflated, since object streams can hide a
dictionary from a plain scan. Inflating is bounded: a file whose streams expand past ``INFLATED_LIMIT`` in all
cannot be checked, and says so (:class:`UncheckablePdf`) rather than being let through.
"""

from __future__ import annotations

import re
import zlib

#: The most a file's compressed streams may expand to, in all. Convene's own choice.
INFLATED_LIMIT = 50 * 1024 * 1024
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles)(?![A-Za-z0-9])")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


class UncheckablePdf(ValueError):
    """The file's compressed streams expand past the limit: it cannot be checked."""


def _names_active(data: bytes) -> bool:
    decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    return _ACTIVE.search(decoded) is not None


def has_active_content(data: bytes, *, limit: int = INFLATED_LIMIT) -> bool:
    """True when the PDF ``data`` carries active content, in the open or inside a compressed stream.

    Raises :class:`UncheckablePdf` when the streams expand past ``limit`` bytes in all."""
    if _names_active(data):
        return True
    budget = limit
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue  # not Flate (an image, say), or damaged: nothing to read
        budget -= len(chunk)
        if inflater.unconsumed_tail or budget <= 0:
            raise UncheckablePdf("the compressed streams expand past the limit")
        if _names_active(chunk):
            return True
    return False
