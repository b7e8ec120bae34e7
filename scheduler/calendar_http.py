"""Fetching a calendar address safely: where Convene may connect, and the one HTTP exchange it makes there.

Server-side request forgery: a calendar address is typed by a person, and Convene fetches it from
inside the network. :func:`check_calendar_url` resolves the host and refuses loopback, private,
link-local (cloud metadata such as 169.254.169.254), shared, multicast, reserved and unspecified
addresses, IPv4-mapped IPv6 forms included, unless the host or address is on the caller's
allow-list. Every fetch (:func:`_send`) checks again and then connects to the very address it checked (no second
DNS lookup to rebind), only over http or https. A feed (GET) may redirect at most
:data:`MAX_REDIRECTS` times, each target checked the same way; a CalDAV REPORT is never redirected.
Answers are capped at :data:`MAX_RESPONSE_BYTES`. Error messages name the server (scheme, host and path) but never
the query string or credentials, because feed URLs often carry a secret token. ``scheduler.caldav`` builds the
CalDAV and feed requests on top of this.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass

#: The same cap as :data:`scheduler.calendars.MAX_CALENDAR_BYTES`: a bigger answer could not be read anyway.
MAX_RESPONSE_BYTES = 3_000_000
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Cloud metadata services, refused by name as well as by their (non-public) address ranges.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class CalendarUnavailable(Exception):
    """The calendar could not be read; the person's availability is unknown (not free)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AddressRefused(CalendarUnavailable):
    """The calendar address points inside the network (or at a cloud metadata service) and is not allowed."""


# --- where we may connect --------------------------------------------------------------------------


def check_calendar_url(url: str, allowed_hosts: Collection[str] = ()) -> None:
    """Refuse a calendar address Convene must not fetch; for forms, before anything is saved.

    Raises :class:`AddressRefused` (a :class:`CalendarUnavailable`) for an address inside the
    network that is not allowed, and :class:`CalendarUnavailable` for a URL that is not http(s).
    A host name that does not resolve now is let through: it is checked again at every fetch.
    """
    try:
        _target(url, allowed_hosts)
    except AddressRefused:
        raise
    except CalendarUnavailable as error:
        if error.status == _UNRESOLVED:
            return
        raise


_UNRESOLVED = -1


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _target(url: str, allowed_hosts: Collection[str]) -> _Target:
    """The checked address to connect to for ``url``; raises :class:`CalendarUnavailable` if there is none."""
    where = _describe(url)
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise CalendarUnavailable(f"The calendar address {where} has an invalid port.") from None
    allowed = _allow_list(allowed_hosts)
    host_allowed = host in allowed.names
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise CalendarUnavailable(
            f"The calendar server {where} cannot be reached (its name was not found: {error}).", status=_UNRESOLVED
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise CalendarUnavailable(f"The calendar server {where} cannot be reached (no address).", status=_UNRESOLVED)
    if not host_allowed:
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if not _is_public(address) and not allowed.covers(address):
                raise AddressRefused(
                    f"The calendar address {where} is on a local or private network ({address}), which Convene "
                    "does not read calendars from. Use the calendar's public internet address, or ask the "
                    "service's administrator to allow this server (CONVENE_CALENDAR_ALLOWED_HOSTS)."
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, port, addresses[0], path)


@dataclass(frozen=True)
class _AllowList:
    names: frozenset[str]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    def covers(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address.version == network.version and address in network for network in self.networks)


def _allow_list(entries: Collection[str]) -> _AllowList:
    """Host names, addresses and networks (``10.0.0.0/8``) from the allow-list setting; junk is ignored."""
    names: set[str] = set()
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for entry in entries:
        text = entry.strip().lower().rstrip(".").strip("[]")
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            names.add(text)
        else:
            names.add(text)
    return _AllowList(frozenset(names), tuple(networks))


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local, metadata..."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not _is_public(embedded):
            return False
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the address we checked, whatever the name resolves to by now."""

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to the address we checked; the certificate is still checked for the host name."""

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def _send(
    method: str,
    url: str,
    body: str | None,
    headers: dict[str, str],
    username: str | None,
    password: str | None,
    timeout: float,
    max_bytes: int = MAX_RESPONSE_BYTES,
    allowed_hosts: Collection[str] = (),
) -> bytes:
    """Send one request, following at most :data:`MAX_REDIRECTS` redirects of a GET, each target checked."""
    deadline = time.monotonic() + timeout * (MAX_REDIRECTS + 1)
    origin = _origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        where = _describe(url)
        target = _target(url, allowed_hosts)
        sent = dict(headers)
        if username is not None and _origin(url) == origin:  # credentials never go to another server
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
            sent["Authorization"] = f"Basic {token}"
        pinned = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection: http.client.HTTPConnection = pinned(target, timeout)
        try:
            connection.request(method, target.path, body=body.encode() if body is not None else None, headers=sent)
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECTS and method == "GET" and location:
                url = urllib.parse.urljoin(url, location)
                continue
            if not 200 <= response.status < 300:
                raise CalendarUnavailable(_status_message(response.status, where), status=response.status)
            return _read_capped(response, where, max_bytes, deadline, timeout)
        except CalendarUnavailable:
            raise
        except TimeoutError as error:
            raise CalendarUnavailable(
                f"The calendar server {where} did not answer within {timeout:g} seconds."
            ) from error
        except ssl.SSLError as error:
            raise CalendarUnavailable(
                f"The secure connection to the calendar server {where} failed ({error})."
            ) from error
        except (ConnectionRefusedError, socket.gaierror) as error:
            raise CalendarUnavailable(f"The calendar server {where} cannot be reached ({error}).") from error
        except (http.client.HTTPException, OSError) as error:
            raise CalendarUnavailable(f"The connection to the calendar server {where} failed ({error}).") from error
        finally:
            connection.close()
    raise CalendarUnavailable(
        f"The calendar at {_describe(url)} redirected more than {MAX_REDIRECTS} times: update the calendar address."
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


def _read_capped(
    response: http.client.HTTPResponse, where: str, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    """The body, at most ``max_bytes``, read in pieces so that a server dripping bytes is cut off at the deadline."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(min(65_536, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise CalendarUnavailable(f"The calendar at {where} is larger than {max_bytes:,} bytes; not read.")
        if time.monotonic() > deadline:
            raise CalendarUnavailable(f"The calendar server {where} did not answer within {timeout:g} seconds.")


def _status_message(status: int, where: str) -> str:
    if status in (401, 403):
        return (
            f"The calendar server {where} refused access (HTTP {status}): check the username and password, "
            "and that this account may read the calendar's free/busy time."
        )
    if status == 404:
        return f"There is no calendar at {where} (HTTP 404): check the calendar address."
    if 300 <= status < 400:
        return f"The calendar at {where} has moved (HTTP {status}): update the calendar address."
    return f"The calendar server {where} answered HTTP {status}."


def _describe(url: str) -> str:
    """The URL without credentials or query string, for messages. Non-http(s) URLs are refused."""
    if not url.strip():
        raise CalendarUnavailable("No calendar address is saved for this person: add it in the directory.")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CalendarUnavailable("The calendar address must start with https:// or http://: check it.")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
