"""The minutes and the NRM referral pack as PDFs.

Server templates in ``templates/pdf/`` are rendered here with Jinja autoescaping on, so every value is
text, never markup. WeasyPrint then runs in a separate process (`decisions.pdf_worker`) with a timeout,
memory and CPU limits, and a URL fetcher that serves only bundled assets. File names and PDF metadata carry
the case reference, never a name.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from decisions.nrm.pack import NrmPack, missing_required
from rules.elements import ElementSummary

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = REPO_ROOT / "templates" / "pdf"
TIMEOUT_SECONDS = 30.0
MAX_HTML_BYTES = 8 * 1024 * 1024
PDF_KINDS = ("minutes", "nrm-pack")
_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


class PdfError(RuntimeError):
    """The PDF could not be produced. The web layer shows a 503 with a retry."""


class PdfTimeout(PdfError):
    """Rendering took longer than the limit and was stopped."""


class PdfTooLarge(PdfError):
    """The document is too large to render."""


@dataclass(frozen=True)
class AttendeeLine:
    agency: str
    status: str
    person: str = ""
    deputy: str = ""


@dataclass(frozen=True)
class SubmissionLine:
    """A written submission received: the agency, who sent it, when, and what came (in words)."""

    agency: str
    person: str
    received: str
    contents: str


@dataclass(frozen=True)
class AgencyInformation:
    agency: str
    text: str


@dataclass(frozen=True)
class IndicatorLine:
    group: str
    label: str
    agency: str
    note: str = ""


@dataclass(frozen=True)
class DissentLine:
    agency: str
    reason: str


@dataclass(frozen=True)
class ActionLine:
    description: str
    owner: str
    agency: str
    due: str  # already formatted in Europe/London, e.g. "2:30pm on Monday 23 November 2026"
    status: str


@dataclass(frozen=True)
class MinutesView:
    """Everything the minutes show, already in words. Dates and times are formatted by the caller."""

    reference: str
    version: int
    meeting_type: str
    nation: str
    held: str
    chair: str
    attendance: tuple[AttendeeLine, ...]
    quorum_message: str
    quorum_override_note: str
    information: tuple[AgencyInformation, ...]
    child_views: str
    elements: ElementSummary
    indicators: tuple[IndicatorLine, ...]
    outcome: str
    outcome_details: tuple[tuple[str, str], ...]
    rationale: str
    dissent: tuple[DissentLine, ...]
    non_punishment: str
    actions: tuple[ActionLine, ...]
    signed_off: str = ""
    amendment_reason: str = ""
    written_submissions: tuple[SubmissionLine, ...] = ()


MINUTES_HEADINGS: tuple[str, ...] = (
    "Attendance",
    "Quorum",
    "Information shared",
    "The child's views and wishes",
    "Trafficking elements",
    "Indicators",
    "Outcome",
    "Dissent",
    "Non-punishment",
    "Action plan",
    "Sign-off",
)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def pdf_filename(kind: str, reference: str, version: int) -> str:
    """A file name that carries the reference only, e.g. ``NB-2026-0042-minutes-v2.pdf``."""
    if kind not in PDF_KINDS:
        raise ValueError(f"Unknown PDF kind {kind!r}: use one of {', '.join(PDF_KINDS)}")
    if not _REFERENCE.match(reference):
        raise ValueError("A reference must be capital letters, digits and hyphens, up to 40 characters")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("The version must be a whole number of 1 or more")
    return f"{reference}-{kind}-v{version}.pdf"


def render_minutes_html(vm: MinutesView) -> str:
    return (
        _environment()
        .get_template("minutes.html")
        .render(vm=vm, title=_title("Minutes", vm.reference, vm.version), headings=MINUTES_HEADINGS)
    )


def render_nrm_pack_html(vm: NrmPack, version: int = 1) -> str:
    title = _title("NRM referral pack", vm.reference, version)
    return _environment().get_template("nrm_pack.html").render(pack=vm, missing=missing_required(vm), title=title)


def render_minutes_pdf(vm: MinutesView, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    return render_pdf(render_minutes_html(vm), _title("Minutes", vm.reference, vm.version), timeout=timeout)


def render_nrm_pack_pdf(vm: NrmPack, *, version: int = 1, timeout: float = TIMEOUT_SECONDS) -> bytes:
    title = _title("NRM referral pack", vm.reference, version)
    return render_pdf(render_nrm_pack_html(vm, version), title, timeout=timeout)


def _title(kind: str, reference: str, version: int) -> str:
    if not _REFERENCE.match(reference):
        raise ValueError("A reference must be capital letters, digits and hyphens, up to 40 characters")
    return f"{reference} {kind} v{version}"


def render_pdf(html: str, title: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Render server-template HTML in the worker process. Raises `PdfTimeout`, `PdfTooLarge` or `PdfError`."""
    payload = json.dumps({"html": html, "title": title}).encode("utf-8")
    if len(payload) > MAX_HTML_BYTES:
        raise PdfTooLarge(f"The document is too large to print ({len(payload) // 1024:,} KB)")
    worker = _take_worker()
    try:
        stdout, _stderr = worker.communicate(input=payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise PdfTimeout(f"The PDF took longer than {timeout:g} seconds to produce and was stopped") from None
    finally:
        _prepare_spare()
    if worker.returncode != 0 or not stdout.startswith(b"%PDF-"):
        raise PdfError(f"The PDF could not be produced (worker exit code {worker.returncode})")
    return stdout


# One worker is kept started and warmed up (WeasyPrint imported, fonts and the stylesheet loaded), waiting for its
# request on stdin; it renders one document and exits, like a cold one. It is started after a render finishes,
# so that it does not compete with that render for the CPU.
_spare: subprocess.Popen[bytes] | None = None
_spare_lock = threading.Lock()


def _start_worker(*, warm: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "decisions.pdf_worker", *(["--warm"] if warm else [])]
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(REPO_ROOT),
        env=_worker_env(),
    )


def _take_worker() -> subprocess.Popen[bytes]:
    """The warm spare if there is a live one, else a new (cold) worker."""
    global _spare
    with _spare_lock:
        worker, _spare = _spare, None
    if worker is not None and worker.poll() is None:
        return worker
    return _start_worker(warm=False)


def _prepare_spare() -> None:
    global _spare
    with _spare_lock:
        if _spare is not None and _spare.poll() is None:
            return
        try:
            _spare = _start_worker(warm=True)
        except OSError:
            _spare = None


def prewarm() -> None:
    """Start the spare worker now (for example when the app starts), so that the first download is warm too."""
    _prepare_spare()


def _worker_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "XDG_CACHE_HOME", "FONTCONFIG_PATH", "FONTCONFIG_FILE")
    env: dict[str, Any] = {k: os.environ[k] for k in keep if k in os.environ}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
