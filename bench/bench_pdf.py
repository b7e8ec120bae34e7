"""Benchmark the minutes PDF (a 10-page document) and the NRM pack, and write their section of docs/benchmarks.md.

    python bench/bench_pdf.py            # 7 runs each
    python bench/bench_pdf.py --runs 3

Each run is the real path a download takes: Jinja rendering, then WeasyPrint in its own limited worker process
(process start-up included). The minutes are grown until they are exactly 10 A4 pages. Target: under 2 s.
Writes between ``<!-- pdf:start -->`` and ``<!-- pdf:end -->``, creating the file if absent.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402

from bench.report import replace_section  # noqa: E402
from decisions.nrm import (  # noqa: E402
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


def time_runs(render: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    return times


def nrm_pack() -> NrmPack:
    case = NrmCaseView(
        "NB-2026-0042",
        Nation.ENGLAND,
        "yes",
        child=ChildView(first_name="A", last_name="B", date_of_birth_on=date(2011, 3, 27)),
    )
    return build_nrm_pack(case, NrmDeterminationView(rationale=PARAGRAPH), FirstResponderView(organisation="Area"))


def write_section(rows: list[tuple[str, int, list[float]]]) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        START,
        "## PDFs (minutes and NRM pack)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} cores ({cpu}); Python "
        f"{platform.python_version()}. `python bench/bench_pdf.py`. Each time is a whole download's rendering: "
        "Jinja, then WeasyPrint (tagged PDF/UA-1) in its own limited worker process, start-up included. "
        "Target for a 10-page minutes document: under 2 s.",
        "",
        "| Document | Pages | Runs | Median | Slowest |",
        "|---|---|---|---|---|",
    ]
    for name, page_count, times in rows:
        lines.append(
            f"| {name} | {page_count} | {len(times)} | {statistics.median(times):.2f} s | {max(times):.2f} s |"
        )
    lines.append(END)
    section = "\n".join(lines)
    replace_section(section, START, END)
    return section


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    view = ten_page_minutes()
    pack = nrm_pack()
    rows = [
        ("Minutes", pages(render_minutes_pdf(view)), time_runs(lambda: render_minutes_pdf(view), args.runs)),
        (
            "NRM referral pack",
            pages(render_nrm_pack_pdf(pack)),
            time_runs(lambda: render_nrm_pack_pdf(pack), args.runs),
        ),
    ]
    print(write_section(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
