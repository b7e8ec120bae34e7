"""The README's screenshots: the demo in Chromium, saved under docs/images/ (``make screenshots``).

    .venv/bin/python tests/browser/screenshots.py [--out docs/images]

Starts Convene on a temporary SQLite database with the Northbridge demo loaded (as ``make run`` does), signs in
with the demo accounts (their password and authenticator key are in conference/demo.py) and saves, 1280 pixels
wide: the options page's availability picture, a meeting board with answers, and the manager's dashboard's
agency engagement report (the part of each page that says what it is for; see ``PARTS``). Re-run it when those
pages change, and look at the pictures before committing.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CHROMIUM = Path(os.environ.get("CONVENE_CHROMIUM", "/usr/bin/chromium"))
WIDTH = 1280
COORDINATOR = "casey.quill@northbridge.example"
MANAGER = "quinn.hollowell@northbridge.example"


def prepare(url: str) -> tuple[object, dict[str, str]]:
    """Migrate, load the demo, and arrange one more meeting up to its options; the paths to photograph."""
    from sqlalchemy import create_engine, func, select

    from conference import create_app, migrate
    from conference.cases.models import Case
    from conference.config import Settings
    from conference.convening import options as convening_options
    from conference.convening import request as convening_request
    from conference.convening.models import Attendee, Conference, ConferenceStatus, ResponseStatus
    from conference.db import utcnow
    from conference.demo import DEMO_ACCOUNTS, load_demo
    from conference.extensions import db
    from rules.vocabulary import MeetingType

    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(Settings(environment="development", secret_key="screenshots-" + "x" * 40, database_url=url))
    with app.app_context():
        load_demo()
        with db.unit_of_work():
            from conference.auth.models import User

            coordinator = db.session.scalars(select(User).where(User.email == DEMO_ACCOUNTS[0][0])).one()
            case = db.session.scalars(select(Case).where(Case.reference.like("NB-%-0002"))).one()
            meeting = convening_request.start_conference(coordinator, case, MeetingType.STRATEGY_DISCUSSION)
            now = utcnow()
            convening_request.set_window(coordinator, meeting, now, now + timedelta(days=3), 60)
            convening_options.find_options(meeting)
            options_path = f"/conferences/{meeting.id}/options"
        # The board with the most answers among the meetings still to come.
        answered = func.count(Attendee.responded_at)
        board_id = db.session.execute(
            select(Conference.id, answered)
            .join(Attendee, Attendee.conference_id == Conference.id)
            .where(Conference.status == ConferenceStatus.INVITED, Attendee.response != ResponseStatus.REPLACED)
            .group_by(Conference.id)
            .order_by(answered.desc(), Conference.reference)
        ).first()[0]
        db.session.remove()
    return app, {"options": options_path, "board": f"/conferences/{board_id}", "dashboard": "/dashboard"}


def sign_in(page: object, email: str) -> None:
    import pyotp

    from conference.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    page.goto("/login")  # type: ignore[attr-defined]
    page.fill("#email", email)  # type: ignore[attr-defined]
    page.fill("#password", DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]
    page.fill("#code", pyotp.TOTP(DEMO_TOTP_SECRET).now())  # type: ignore[attr-defined]
    page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


# The part of each page the README shows: from the top of one element to the bottom of another (None: the page's
# top). The pages are long; these are the parts that say what the page is for.
PARTS: dict[str, tuple[str | None, str]] = {
    "options": ("#availability-heading", "#another-heading"),
    "board": (None, "#board"),
    "dashboard": ("#engagement", "#engagement-table"),
}
PAD = 24


def shoot(page: object, top: str | None, bottom: str) -> bytes:
    start = 0.0
    if top is not None:
        box = page.locator(top).bounding_box()  # type: ignore[attr-defined]
        start = max(0.0, box["y"] - PAD // 2)
    end_box = page.locator(bottom).bounding_box()  # type: ignore[attr-defined]
    end = end_box["y"] + (0 if bottom == "#another-heading" else end_box["height"]) + PAD
    clip = {"x": 0, "y": start, "width": WIDTH, "height": end - start}
    return page.screenshot(full_page=True, clip=clip)  # type: ignore[attr-defined,no-any-return]


def save(png: bytes, path: Path) -> None:
    """A palette PNG (256 colours): a fraction of the size, and GOV.UK's flat colours survive it."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {image.width}x{image.height}, {path.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    with tempfile.TemporaryDirectory() as tmp:
        app, paths = prepare(f"sqlite:///{Path(tmp) / 'convene.sqlite3'}")
        server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
        base_url = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                for email, shots in ((COORDINATOR, ("options", "board")), (MANAGER, ("dashboard",))):
                    context = chromium.new_context(
                        base_url=base_url,
                        viewport={"width": WIDTH, "height": 900},
                        locale="en-GB",
                        timezone_id="Europe/London",
                    )
                    page = context.new_page()
                    sign_in(page, email)
                    for name in shots:
                        page.goto(paths[name])
                        page.wait_for_load_state("networkidle")
                        save(shoot(page, *PARTS[name]), args.out / f"{name}.png")
                    context.close()
                chromium.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
