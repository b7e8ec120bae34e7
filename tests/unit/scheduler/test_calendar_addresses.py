"""Server-side request forgery through a calendar address (issue 12, finding 7).

Real listeners on loopback addresses count the requests they get: a server that is not allowed must
see none, whether it is named directly or reached through a redirect from an allowed one.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scheduler.caldav import (
    MAX_REDIRECTS,
    AddressRefused,
    CalendarSource,
    CalendarUnavailable,
    Unknown,
    availability_for_person,
    check_calendar_url,
    fetch_free_busy,
    fetch_ics_feed,
)

WINDOW = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 14, tzinfo=UTC))
FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\n"
    "DTSTART:20261110T090000Z\r\nDTEND:20261110T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


class Listener:
    """An HTTP server on a loopback address that counts requests; answers the feed, or redirects."""

    def __init__(self, address: str) -> None:
        self.hits: list[str] = []
        self.redirect_to: str | None = None
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                listener.hits.append(f"{self.command} {self.path}")
                if listener.redirect_to is not None:
                    self.send_response(302)
                    self.send_header("Location", listener.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = FEED.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_REPORT = _answer

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.url = f"http://{address}:{self.httpd.server_address[1]}/calendar.ics"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def loopback() -> Iterator[Listener]:
    with Listener("127.0.0.1") as listener:
        yield listener


@pytest.fixture()
def other_loopback() -> Iterator[Listener]:
    with Listener("127.0.0.2") as listener:
        yield listener


def test_a_listener_on_loopback_that_is_not_allowed_gets_no_request(loopback: Listener) -> None:
    with pytest.raises(AddressRefused, match=r"local or private network \(127\.0\.0\.1\)"):
        fetch_ics_feed(loopback.url, *WINDOW)
    with pytest.raises(AddressRefused):
        fetch_free_busy(loopback.url, *WINDOW)
    answer = availability_for_person([CalendarSource("ics", loopback.url)], *WINDOW)

    assert isinstance(answer, Unknown) and "local or private network" in answer.reason
    assert loopback.hits == []


def test_the_same_listener_is_read_when_its_address_is_allowed(loopback: Listener) -> None:
    result = fetch_ics_feed(loopback.url, *WINDOW, allowed_hosts=["127.0.0.1"])

    assert len(result.busy) == 1
    assert loopback.hits == ["GET /calendar.ics"]


def test_a_redirect_from_an_allowed_server_to_one_not_allowed_is_refused(
    loopback: Listener, other_loopback: Listener
) -> None:
    loopback.redirect_to = other_loopback.url

    with pytest.raises(AddressRefused, match=r"127\.0\.0\.2"):
        fetch_ics_feed(loopback.url, *WINDOW, allowed_hosts=["127.0.0.1"])

    assert loopback.hits == ["GET /calendar.ics"]
    assert other_loopback.hits == []


def test_a_redirect_to_the_cloud_metadata_service_is_refused(loopback: Listener) -> None:
    loopback.redirect_to = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"

    with pytest.raises(AddressRefused, match=r"169\.254\.169\.254"):
        fetch_ics_feed(loopback.url, *WINDOW, allowed_hosts=["127.0.0.1"])


def test_redirects_are_followed_at_most_a_few_times(loopback: Listener) -> None:
    loopback.redirect_to = loopback.url

    with pytest.raises(CalendarUnavailable, match=f"redirected more than {MAX_REDIRECTS} times"):
        fetch_ics_feed(loopback.url, *WINDOW, allowed_hosts=["127.0.0.1"])

    assert len(loopback.hits) == MAX_REDIRECTS + 1


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::ffff:127.0.0.1]:8080/",
        "http://[64:ff9b::7f00:1]/",
        "http://127.0.0.1:5232/alice/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://localhost:8080/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "https://10.1.2.3/feed.ics",
        "https://172.16.0.1/feed.ics",
        "https://192.168.1.10/feed.ics",
        "https://100.64.0.1/feed.ics",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://100.100.100.200/latest/meta-data/",
    ],
)
def test_addresses_inside_the_network_and_metadata_services_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_calendar_url(url)
    with pytest.raises(AddressRefused):
        fetch_ics_feed(url, *WINDOW, timeout=1)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:5232/alice/", ["127.0.0.1"]),
        ("http://localhost:5232/alice/", ["localhost"]),
        ("https://10.1.2.3/feed.ics", ["10.0.0.0/8"]),
        ("https://[fd12::5]/feed.ics", [" FD12::5 "]),
        ("https://93.184.216.34/feed.ics", []),  # a public address needs no allowing
    ],
)
def test_allowed_hosts_and_public_addresses_pass_the_check(url: str, allowed: list[str]) -> None:
    check_calendar_url(url, allowed)


def test_only_http_and_https_addresses_are_fetched() -> None:
    for url in ("file:///etc/passwd", "gopher://127.0.0.1/", "ftp://example.org/cal.ics"):
        with pytest.raises(CalendarUnavailable, match="must start with https://"):
            check_calendar_url(url, ["127.0.0.1"])


def test_a_missing_calendar_address_is_named_in_words_a_coordinator_can_act_on() -> None:
    for url in ("", "   "):
        with pytest.raises(CalendarUnavailable) as refused:
            check_calendar_url(url, [])
        assert str(refused.value) == "No calendar address is saved for this person: add it in the directory."
    with pytest.raises(CalendarUnavailable) as refused:
        check_calendar_url("gopher://127.0.0.1/", ["127.0.0.1"])
    assert "got" not in str(refused.value) and "'" not in str(refused.value)


def _certificate_for_localhost(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_https_connects_to_the_checked_address_and_still_checks_the_certificate_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_path, key_path = _certificate_for_localhost(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # trust our test certificate, as a company CA would be
    with Listener("127.0.0.1") as listener:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        listener.httpd.socket = context.wrap_socket(listener.httpd.socket, server_side=True)
        port = listener.httpd.server_address[1]

        result = fetch_ics_feed(f"https://localhost:{port}/calendar.ics", *WINDOW, allowed_hosts=["localhost"])
        with pytest.raises(CalendarUnavailable, match="secure connection .* failed"):
            fetch_ics_feed(f"https://127.0.0.1:{port}/calendar.ics", *WINDOW, allowed_hosts=["127.0.0.1"])

    assert len(result.busy) == 1
    assert listener.hits[0] == "GET /calendar.ics"
