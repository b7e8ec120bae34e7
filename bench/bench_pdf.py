"""Benchmark the minutes PDF (a 10-page document) and the NRM pack, and write their section of docs/benchmarks.md.

    python bench/bench_pdf.py            # 7 runs each
    python bench/bench_pdf.py --runs 3

Each run is the real path a download takes: Jinja rendering, then WeasyPrint in its own limited worker process.
Two cases: a cold worker (process start-up, WeasyPrint import and font loading included), and the warm spare
worker that `decisions.pdf` keeps ready (started after the previous render; the bench pauses ``--pause`` seconds
between downloads so that it is ready, as it is when people click Download). The minutes are grown until they
are exactly 10 A4 pages. Target: under 2 s. The machine may be shared: the load average is reported.
Writes between ``<!-- pdf:start -->`` and ``<!-- pdf:end -->``, creating the file if absent.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402

import decisions.pdf as pdf_module  # noqa: E402
from bench.report import replace_section  # noqa: E402
from decisions.nrm.pack import (  # noqa: E402
    ChildView,
    FirstResponderView,
    NrmCaseView,
    NrmDeterminationView,
    NrmPack,
    build_nrm_pack,
)
from decisions.pdf import (  # noqa: E402
    ActionLine,
    AgencyInformation,
    AttendeeLine,
    DissentLine,
    IndicatorLine,
    MinutesView,
    render_minutes_pdf,
    render_nrm_pack_pdf,
)
from rules.elements import ElementsRecord, summarise_elements  # noqa: E402
from rules.indicators import IndicatorTick, default_catalogue  # noqa: E402
from rules.quorum import Nation, Seat  # noqa: E402

START, END = "<!-- pdf:start -->", "<!-- pdf:end -->"
TARGET_PAGES = 10
PARAGRAPH = (
    "The police described the address, the people seen there and the pattern of the child's absences. "
    "Social care shared the history of referrals and the school's concerns about attendance. "
) * 3


def minutes(size: int) -> MinutesView:
    catalogue = default_catalogue()
    ticks = tuple(IndicatorTick(i.key, Seat.POLICE, "Seen twice this month") for i in catalogue.indicators[:12])
    record = ElementsRecord(
        acts=frozenset({"recruitment", "transport"}),
        movement_within_uk=True,
        exploitation_types=frozenset({"types-of-exploitation-forced-to-commit-crime"}),
        where="uk",
        indicators=ticks,
    )
    roles = list(Seat)
    return MinutesView(
        reference="MTG-BNCH",
        version=1,
        meeting_type="Strategy discussion",
        nation="England",
        held="Monday 23 November 2026 at 2pm",
        chair="Chair Person",
        attendance=tuple(AttendeeLine(r.label, "Present in the room", f"Person {i}") for i, r in enumerate(roles)),
        quorum_message="Quorum is met: social care, police and health are present.",
        quorum_override_note="",
        information=tuple(AgencyInformation(roles[i % len(roles)].label, PARAGRAPH) for i in range(size)),
        child_views="Wants to stay near their sister. " * 10,
        elements=summarise_elements(record, is_child=True),
        indicators=tuple(IndicatorLine("Exploitation", catalogue.get(t.key).label, "Police", t.note) for t in ticks),
        outcome="Trafficking concern",
        outcome_details=(("First responder", "Sam Worker, Area council"),),
        rationale=PARAGRAPH,
        dissent=(DissentLine("Health", "Wants more information first."),),
        non_punishment="The child is suspected of offences. The non-punishment principle may apply.",
        actions=tuple(
            ActionLine(
                f"Action {i}: {PARAGRAPH[:120]}",
                "Owner Person",
                "Area police",
                "2:30pm on Monday 30 November 2026",
                "Not started",
            )
            for i in range(size)
        ),
        signed_off="Signed off by Chair Person on Monday 23 November 2026 at 4pm.",
    )


def pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def ten_page_minutes() -> MinutesView:
    """The smallest document of exactly 10 pages (binary search on the number of paragraphs and actions)."""
    low, high = 1, 80
    while low < high:
        middle = (low + high) // 2
        if pages(render_minutes_pdf(minutes(middle))) < TARGET_PAGES:
            low = middle + 1
        else:
            high = middle
    view = minutes(low)
    count = pages(render_minutes_pdf(view))
    if count != TARGET_PAGES:
        raise SystemExit(f"could not build a {TARGET_PAGES}-page document (got {count})")
    return view


def _drop_spare() -> None:
    """Stop the warm spare worker, so that the next render starts a cold one."""
    spare, pdf_module._spare = pdf_module._spare, None
    if spare is not None and spare.poll() is None:
        spare.kill()
        spare.communicate()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_runs(render: Callable[[], object], runs: int, *, warm: bool, pause: float) -> tuple[list[float], list[float]]:
    """Wall-clock and worker CPU seconds of each run."""
    times, cpu = [], []
    for _ in range(runs):
        if warm:
            pdf_module.prewarm()
            time.sleep(pause)
        else:
            _drop_spare()
        before = _children_cpu()
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
        if not warm:
            _drop_spare()  # the spare started after this render would compete with the next cold run
        cpu.append(_children_cpu() - before)
    return times, cpu


def nrm_pack() -> NrmPack:
    case = NrmCaseView(
        "NB-2026-0042",
        Nation.ENGLAND,
        "yes",
        child=ChildView(first_name="A", last_name="B", date_of_birth_on=date(2011, 3, 27)),
    )
    return build_nrm_pack(case, NrmDeterminationView(rationale=PARAGRAPH), FirstResponderView(organisation="Area"))


def write_section(rows: list[tuple[str, int, list[float], list[float]]], load: tuple[float, ...]) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        START,
        "## PDFs (minutes and NRM pack)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} cores ({cpu}); Python "
        f"{platform.python_version()}. `python bench/bench_pdf.py`. Each time is a whole download's rendering: "
        "Jinja, then WeasyPrint (tagged PDF/UA-1) in its own limited worker process. *Cold*: a new worker "
        "(process start-up, WeasyPrint import, fonts). *Warm*: the spare worker `decisions.pdf` keeps started "
        "and warmed up (it imports WeasyPrint and lays out a small page with the bundled stylesheet before its "
        "request arrives; it still renders one document and exits). Worker CPU is the user + system time of the "
        "worker that served the run, for its whole life (for a warm worker that includes its warm-up, done before "
        "the request arrived); a busy machine inflates wall time far more than CPU time. "
        f"Load average (1, 5, 15 min) at the start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} on "
        f"{os.cpu_count()} cores (a shared machine). Target for a 10-page minutes document: under 2 s.",
        "",
        "| Document | Worker | Pages | Runs | Median | Slowest | Median worker CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, page_count, times, cpu_times in rows:
        document, _, worker = name.partition(" / ")
        lines.append(
            f"| {document} | {worker} | {page_count} | {len(times)} | {statistics.median(times):.2f} s "
            f"| {max(times):.2f} s | {statistics.median(cpu_times):.2f} s |"
        )
    lines.append(END)
    section = "\n".join(lines)
    replace_section(section, START, END)
    return section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds between warm runs (the spare warms up)")
    args = parser.parse_args()
    load = os.getloadavg()
    view = ten_page_minutes()
    pack = nrm_pack()
    minutes_pages, pack_pages = pages(render_minutes_pdf(view)), pages(render_nrm_pack_pdf(pack))
    rows = []
    for name, page_count, render, warm in (
        ("Minutes / cold", minutes_pages, lambda: render_minutes_pdf(view), False),
        ("Minutes / warm", minutes_pages, lambda: render_minutes_pdf(view), True),
        ("NRM referral pack / cold", pack_pages, lambda: render_nrm_pack_pdf(pack), False),
        ("NRM referral pack / warm", pack_pages, lambda: render_nrm_pack_pdf(pack), True),
    ):
        times, cpu = time_runs(render, args.runs, warm=warm, pause=args.pause)
        rows.append((name, page_count, times, cpu))
    _drop_spare()
    print(write_section(rows, load))
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
