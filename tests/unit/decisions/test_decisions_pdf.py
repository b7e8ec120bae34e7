"""PDFs: every section present, nothing fetched or embedded, hostile text inert, no names in metadata."""

import io
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import DictionaryObject

from decisions.nrm.pack import ChildView, FirstResponderView, NrmCaseView, NrmDeterminationView, build_nrm_pack
from decisions.pdf import (
    MINUTES_HEADINGS,
    ActionLine,
    AgencyInformation,
    AttendeeLine,
    DissentLine,
    IndicatorLine,
    MinutesView,
    PdfTimeout,
    PdfTooLarge,
    pdf_filename,
    render_minutes_html,
    render_minutes_pdf,
    render_nrm_pack_pdf,
    render_pdf,
)
from rules.elements import ElementsRecord, summarise_elements
from rules.indicators import IndicatorTick
from rules.quorum import Nation, Seat

CHILD_NAME = "Amira Testchild"
CANARY_TEXT = "CANARY-7f3a-FILE-CONTENT"


class _Listener:
    def __init__(self) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits.append(self.path)
                body = b"body::before { content: 'FETCHED-OVER-HTTP' }" if self.path.endswith(".css") else _PNG
                self.send_response(200)
                self.send_header("Content-Type", "text/css" if self.path.endswith(".css") else "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


@pytest.fixture
def listener() -> Iterator[_Listener]:
    server = _Listener()
    yield server
    server.close()


@pytest.fixture
def canary(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "canary.txt"
    text.write_text(CANARY_TEXT)
    css = tmp_path / "canary.css"
    css.write_text(f"body::after {{ content: '{CANARY_TEXT}' }}")
    svg = tmp_path / "canary.svg"
    svg.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text y="20">{CANARY_TEXT}</text></svg>'
    )
    return {"text": text, "css": css, "svg": svg}


def _hostile(port: int, files: dict[str, Path]) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/img.png"><img src="file://{files["svg"]}">'
        f'<style>@import url("http://127.0.0.1:{port}/import.css"); @import url("file://{files["css"]}");</style>'
        f'<svg width="50" height="50"><image href="http://127.0.0.1:{port}/svg.png" width="50" height="50"/></svg>'
        f'<link rel="attachment" href="file://{files["text"]}"><a rel="attachment" href="file://{files["text"]}">a</a>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/link.css"><script>alert(1)</script>'
        f'<iframe src="file://{files["text"]}"></iframe>&lt;b&gt;{{{{ 7*7 }}}}'
    )


def _minutes(text: str, information_count: int = 2) -> MinutesView:
    record = ElementsRecord(
        acts=frozenset({"recruitment"}),
        act_details=text,
        exploitation_types=frozenset({"types-of-exploitation-forced-to-commit-crime"}),
        purpose_details=text,
        where="uk",
        indicators=(IndicatorTick("goes_missing", Seat.POLICE, text),),
    )
    return MinutesView(
        reference="NB-2026-0042",
        version=2,
        meeting_type="Strategy discussion",
        nation="England",
        held="2:30pm on Monday 23 November 2026",
        chair=text,
        attendance=(AttendeeLine("Police", "Present in the room", text, text),),
        quorum_message="Quorum is met: social care, police and health are present.",
        quorum_override_note=text,
        information=tuple(
            AgencyInformation(f"Agency {i}", f"{CHILD_NAME} said: {text}") for i in range(information_count)
        ),
        child_views=text,
        elements=summarise_elements(record, is_child=True),
        indicators=(IndicatorLine("Movement", "Goes missing", "Police", text),),
        outcome="Trafficking concern",
        outcome_details=(("First responder", text),),
        rationale=text,
        dissent=(DissentLine("Health", text),),
        non_punishment=text,
        actions=(ActionLine(text, text, "Police", "5pm on Friday 27 November 2026", "Open"),),
        signed_off=text,
        amendment_reason=text,
    )


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _assert_nothing_fetched_or_embedded(pdf: bytes, listener: _Listener) -> None:
    assert listener.hits == []
    text = _text(pdf)
    assert CANARY_TEXT not in text and "FETCHED-OVER-HTTP" not in text
    assert CANARY_TEXT.encode() not in pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert reader.attachments == {}
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            assert annot.get_object().get("/Subtype") != "/FileAttachment"


def test_control_an_unlocked_renderer_would_fetch_so_the_probes_are_real(
    listener: _Listener, canary: dict[str, Path]
) -> None:
    from weasyprint import HTML

    html = f"<html><body><p>x</p>{_hostile(listener.port, canary)}</body></html>"
    pdf = HTML(string=html, base_url="file:///").write_pdf()
    assert len(listener.hits) >= 3
    assert CANARY_TEXT in _text(pdf)


def test_raw_hostile_html_through_the_worker_fetches_and_embeds_nothing(
    listener: _Listener, canary: dict[str, Path]
) -> None:
    html = f"<html><head><title>NB-1</title></head><body><p>Body</p>{_hostile(listener.port, canary)}</body></html>"
    pdf = render_pdf(html, "NB-1 test")
    _assert_nothing_fetched_or_embedded(pdf, listener)
    assert "Body" in _text(pdf)


def test_minutes_have_every_section_and_hostile_field_values_render_as_text(
    listener: _Listener, canary: dict[str, Path]
) -> None:
    hostile = _hostile(listener.port, canary)
    html = render_minutes_html(_minutes(hostile))
    assert "<img" not in html and "<script" not in html and "&lt;img" in html
    pdf = render_minutes_pdf(_minutes(hostile))
    _assert_nothing_fetched_or_embedded(pdf, listener)
    text = _text(pdf)
    for heading in MINUTES_HEADINGS:
        assert heading in text, heading
    assert "<script>alert(1)</script>" in text.replace("\n", "")
    assert "{{ 7*7 }}" in text


def test_nrm_pack_has_every_section_and_hostile_answers_are_inert(listener: _Listener, canary: dict[str, Path]) -> None:
    hostile = _hostile(listener.port, canary)
    pack = build_nrm_pack(
        NrmCaseView(
            "NB-2026-0042",
            Nation.ENGLAND,
            "yes",
            child=ChildView(
                first_name=CHILD_NAME.split()[0], last_name=CHILD_NAME.split()[1], date_of_birth_on=date(2011, 1, 2)
            ),
        ),
        NrmDeterminationView(
            elements=ElementsRecord(
                exploitation_types=frozenset({"types-of-exploitation-other"}), other_exploitation_details=hostile
            ),
            rationale=hostile,
            answers={
                "family": hostile,
                "who-exploited-pv": hostile,
                "where-exploitation-happened": "uk",
                "where-exploitation-happened-uk-city-1": hostile,
                "where-exploitation-happened-uk-city-2": "Cardiff",
            },
        ),
        FirstResponderView(organisation=hostile, first_name=hostile, role=hostile),
    )
    pdf = render_nrm_pack_pdf(pack, version=1)
    _assert_nothing_fetched_or_embedded(pdf, listener)
    text = _text(pdf).replace("\n", " ")
    for section in pack.sections:
        assert section.heading in text, section.heading
    assert "Missing required information" in text
    assert "[x] Other" in text and "[ ] Forced into prostitution" in text


def test_metadata_and_file_name_carry_the_reference_not_names() -> None:
    pdf = render_minutes_pdf(_minutes("Plain text"))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    metadata = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert metadata["/Title"] == "NB-2026-0042 Minutes v2"
    assert not {"/Author", "/Subject", "/Keywords"} & set(metadata)
    assert CHILD_NAME in _text(pdf).replace("\n", " ")  # the name is in the body ...
    assert all(CHILD_NAME.split()[1] not in value for value in metadata.values())  # ... and not in the metadata
    xmp = reader.xmp_metadata
    if xmp is not None:
        assert CHILD_NAME.split()[1].encode() not in xmp.stream.get_data()
    assert pdf_filename("minutes", "NB-2026-0042", 2) == "NB-2026-0042-minutes-v2.pdf"
    assert pdf_filename("nrm-pack", "NB-2026-0042", 1) == "NB-2026-0042-nrm-pack-v1.pdf"
    for bad in ("Amira Testchild", "../etc/passwd", "nb-2026-1", ""):
        with pytest.raises(ValueError, match="capital letters, digits and hyphens"):
            pdf_filename("minutes", bad, 1)
    with pytest.raises(ValueError, match="Unknown PDF kind"):
        pdf_filename("letter", "NB-1", 1)


def test_pdf_is_tagged_for_accessibility() -> None:
    pdf = render_pdf("<html><body><h1>Heading</h1><p>Text</p></body></html>", "NB-1 test")
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    assert "/StructTreeRoot" in root
    mark_info = root["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject)
    assert mark_info["/Marked"]


def test_timeout_and_size_limits_raise_cleanly() -> None:
    with pytest.raises(PdfTimeout, match="longer than 0.01 seconds"):
        render_pdf("<p>x</p>", "NB-1 test", timeout=0.01)
    with pytest.raises(PdfTooLarge):
        render_pdf("x" * (9 * 1024 * 1024), "NB-1 test")


def test_ten_page_minutes_render_and_report_the_time() -> None:
    paragraph = "The agency shared its chronology of contacts, concerns and actions taken so far. " * 12
    vm = replace(
        _minutes("Plain text", information_count=28),
        information=tuple(AgencyInformation(f"Agency {i}", paragraph) for i in range(28)),
    )
    started = time.perf_counter()
    pdf = render_minutes_pdf(vm)
    elapsed = time.perf_counter() - started
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print(f"\n10-page minutes: {pages} pages rendered in {elapsed:.2f}s (worker process included)")
    assert pages >= 10
