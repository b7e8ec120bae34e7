"""A small CalDAV and iCalendar-feed client that reads a person's busy time (standard library only).

Three ways to ask, all returning a :class:`~scheduler.calendars.BusyResult` over the window:

* :func:`fetch_free_busy`: RFC 4791 section 7.10 ``free-busy-query`` REPORT on one calendar
  collection. Needs only the read-free-busy privilege and returns no event details.
* :func:`fetch_events_busy`: ``calendar-query`` REPORT with a time-range filter, the events then
  expanded here (recurrences, overrides, transparency) with :func:`~scheduler.calendars.busy_from_ics`.
  The fallback for servers that do not answer free-busy queries.
* :func:`fetch_ics_feed`: an iCalendar feed URL (Outlook/Google "publish calendar" links).

Each raises :class:`CalendarUnavailable` when the answer cannot be had or read: network error,
timeout, refused login, a status other than 2xx, an answer too large, or data that is not
iCalendar. :func:`availability_for_person` wraps all of this for the engine's caller: it returns
either the person's busy time or :class:`Unknown` with the reason, never "free" by default.

Where Convene may connect (server-side request forgery) and the one capped, pinned HTTP exchange per fetch live in
``scheduler.calendar_http``; its public names (:func:`check_calendar_url`, :class:`CalendarUnavailable`,
:class:`AddressRefused`, :data:`MAX_REDIRECTS`, :data:`MAX_RESPONSE_BYTES`) are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from scheduler.calendar_http import (
    MAX_REDIRECTS,
    MAX_RESPONSE_BYTES,
    AddressRefused,
    CalendarUnavailable,
    _describe,
    _send,
    check_calendar_url,
)
from scheduler.calendars import BusyResult, CalendarError, busy_from_ics, combine

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "MAX_RESPONSE_BYTES",
    "AddressRefused",
    "Availability",
    "CalendarSource",
    "CalendarUnavailable",
    "Unknown",
    "availability_for_person",
    "check_calendar_url",
    "fetch_events_busy",
    "fetch_free_busy",
    "fetch_ics_feed",
]

DEFAULT_TIMEOUT = 10.0
_DAV = "DAV:"
_CALDAV = "urn:ietf:params:xml:ns:caldav"
_XML_HEADERS = {"Content-Type": "application/xml; charset=utf-8", "Depth": "1"}
#: Statuses with which a server says "I do not do free-busy queries here"; we then ask for the events.
_FREE_BUSY_UNSUPPORTED = frozenset({400, 403, 404, 405, 415, 422, 501})


@dataclass(frozen=True)
class Unknown:
    """A person's availability could not be read. ``reason`` is for the coordinator."""

    reason: str


@dataclass(frozen=True)
class CalendarSource:
    """Where to read one of a person's calendars.

    ``kind`` is ``"caldav"`` for a CalDAV calendar collection URL or ``"ics"`` for an iCalendar feed.
    """

    kind: Literal["caldav", "ics"]
    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


Availability = BusyResult | Unknown


def fetch_free_busy(
    url: str,
    window_start_at: dt.datetime,
    window_end_at: dt.datetime,
    *,
    username: str | None = None,
    password: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allowed_hosts: Collection[str] = (),
) -> BusyResult:
    """Ask a CalDAV calendar collection for free/busy over ``[window_start_at, window_end_at)``."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<C:free-busy-query xmlns:C="{_CALDAV}">{_time_range(window_start_at, window_end_at)}</C:free-busy-query>'
    )
    answer = _send("REPORT", url, body, _XML_HEADERS, username, password, timeout, allowed_hosts=allowed_hosts)
    return _read_ics(answer, url, window_start_at, window_end_at)


def fetch_events_busy(
    url: str,
    window_start_at: dt.datetime,
    window_end_at: dt.datetime,
    *,
    username: str | None = None,
    password: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allowed_hosts: Collection[str] = (),
) -> BusyResult:
    """Ask a CalDAV calendar collection for the events overlapping the window, and read their busy time."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<C:calendar-query xmlns:D="{_DAV}" xmlns:C="{_CALDAV}">'
        "<D:prop><C:calendar-data/></D:prop>"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f"{_time_range(window_start_at, window_end_at)}"
        "</C:comp-filter></C:comp-filter></C:filter>"
        "</C:calendar-query>"
    )
    answer = _send("REPORT", url, body, _XML_HEADERS, username, password, timeout, allowed_hosts=allowed_hosts)
    results = [
        _read_ics(calendar_data.encode(), url, window_start_at, window_end_at)
        for calendar_data in _calendar_data(answer, url)
    ]
    return combine(results) if results else BusyResult(busy=())


def fetch_ics_feed(
    url: str,
    window_start_at: dt.datetime,
    window_end_at: dt.datetime,
    *,
    username: str | None = None,
    password: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_RESPONSE_BYTES,
    allowed_hosts: Collection[str] = (),
) -> BusyResult:
    """Download an iCalendar feed over http(s) (at most ``max_bytes``) and read its busy time."""
    answer = _send("GET", url, None, {"Accept": "text/calendar"}, username, password, timeout, max_bytes, allowed_hosts)
    return _read_ics(answer, url, window_start_at, window_end_at)


def availability_for_person(
    sources: Sequence[CalendarSource],
    window_start_at: dt.datetime,
    window_end_at: dt.datetime,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    allowed_hosts: Collection[str] = (),
) -> Availability:
    """Busy time of one person over the window from all their calendars, or :class:`Unknown`.

    CalDAV sources are asked for free/busy first and, if the server does not support that query,
    for their events. If any source cannot be read, the whole answer is :class:`Unknown`: a
    calendar we could not see may hold the one meeting that matters. No sources at all is also
    :class:`Unknown` (we have nothing to go on), not free.
    """
    if not sources:
        return Unknown("No calendar is linked for this person.")
    results: list[BusyResult] = []
    for source in sources:
        try:
            results.append(_fetch_source(source, window_start_at, window_end_at, timeout, allowed_hosts))
        except CalendarUnavailable as error:
            return Unknown(error.message)
    return combine(results)


def _fetch_source(
    source: CalendarSource,
    window_start_at: dt.datetime,
    window_end_at: dt.datetime,
    timeout: float,
    allowed_hosts: Collection[str],
) -> BusyResult:
    user, password, url = source.username, source.password, source.url
    if source.kind == "ics":
        return fetch_ics_feed(
            url,
            window_start_at,
            window_end_at,
            username=user,
            password=password,
            timeout=timeout,
            allowed_hosts=allowed_hosts,
        )
    try:
        return fetch_free_busy(
            url,
            window_start_at,
            window_end_at,
            username=user,
            password=password,
            timeout=timeout,
            allowed_hosts=allowed_hosts,
        )
    except CalendarUnavailable as error:
        if error.status not in _FREE_BUSY_UNSUPPORTED:
            raise
    return fetch_events_busy(
        url,
        window_start_at,
        window_end_at,
        username=user,
        password=password,
        timeout=timeout,
        allowed_hosts=allowed_hosts,
    )


def _time_range(window_start_at: dt.datetime, window_end_at: dt.datetime) -> str:
    if window_start_at.tzinfo is None or window_end_at.tzinfo is None:
        raise ValueError("The availability window needs aware datetimes, not naive ones.")
    start = window_start_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    end = window_end_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f'<C:time-range start="{start}" end="{end}"/>'


# --- answers -------------------------------------------------------------------------------------


def _read_ics(data: bytes, url: str, window_start_at: dt.datetime, window_end_at: dt.datetime) -> BusyResult:
    try:
        return busy_from_ics(data, window_start_at, window_end_at)
    except CalendarError as error:
        raise CalendarUnavailable(f"The calendar at {_describe(url)} could not be read: {error}") from error


def _calendar_data(answer: bytes, url: str) -> list[str]:
    """The calendar-data texts of the 200 propstats in a calendar-query multistatus answer."""
    try:
        root = ET.fromstring(answer)
    except ET.ParseError as error:
        raise CalendarUnavailable(
            f"The calendar server {_describe(url)} sent an unreadable answer ({error})."
        ) from error
    if root.tag != f"{{{_DAV}}}multistatus":
        raise CalendarUnavailable(f"The calendar server {_describe(url)} did not answer with a WebDAV multistatus.")
    texts: list[str] = []
    for propstat in root.iter(f"{{{_DAV}}}propstat"):
        status = propstat.findtext(f"{{{_DAV}}}status", default="")
        if " 200 " not in f"{status} ":
            continue
        for element in propstat.iter(f"{{{_CALDAV}}}calendar-data"):
            if element.text and element.text.strip():
                texts.append(element.text)
    return texts
