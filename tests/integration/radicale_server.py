"""Start a real Radicale CalDAV server for tests: a subprocess on a free loopback port, storage in a temp dir.

    with RadicaleServer(tmp_path, users={"alice": "secret"}) as server:
        server.url("alice/work/")   # -> "http://127.0.0.1:54321/alice/work/"

Authentication is htpasswd with plain passwords; rights are Radicale's ``owner_only`` (each user
reads and writes only their own collections). The failed-login delay is turned off so that tests of
wrong passwords are quick.
"""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RadicaleServer:
    """A Radicale process with its own config, users and storage under ``root``."""

    def __init__(self, root: Path, users: dict[str, str], startup_timeout: float = 20.0) -> None:
        self.root = root
        self.users = users
        self.port = free_port()
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path = root / "radicale.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def _write_config(self) -> Path:
        users_file = self.root / "users"
        users_file.write_text("".join(f"{name}:{password}\n" for name, password in self.users.items()))
        storage = self.root / "collections"
        storage.mkdir(exist_ok=True)
        config = self.root / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "delay_on_error = 0\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {users_file}\n"
            "htpasswd_encryption = plain\n"
            "delay = 0\n"
            "[rights]\n"
            "type = owner_only\n"
            "[storage]\n"
            f"filesystem_folder = {storage}\n"
            "[web]\n"
            "type = none\n"
            "[logging]\n"
            "level = warning\n"
        )
        return config

    def start(self) -> None:
        config = self._write_config()
        log = self._log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
        )
        log.close()
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Radicale exited at start-up:\n{self.log()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("OPTIONS", "/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Radicale did not answer within {self.startup_timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def log(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def request(self, method: str, path: str, user: str, body: str = "", headers: dict[str, str] | None = None) -> int:
        """Send one authenticated request as ``user``; return the HTTP status."""
        token = base64.b64encode(f"{user}:{self.users[user]}".encode()).decode()
        all_headers = {"Authorization": f"Basic {token}", **(headers or {})}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, "/" + path.lstrip("/"), body=body.encode(), headers=all_headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def make_calendar(self, user: str, path: str) -> None:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            "<D:displayname>Work</D:displayname>"
            '<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
            "</D:prop></D:set></C:mkcalendar>"
        )
        status = self.request("MKCALENDAR", path, user, body, {"Content-Type": "application/xml; charset=utf-8"})
        if status != 201:
            raise RuntimeError(f"MKCALENDAR {path} answered {status}:\n{self.log()}")

    def put_event(self, user: str, path: str, ics: str) -> None:
        status = self.request("PUT", path, user, ics, {"Content-Type": "text/calendar; charset=utf-8"})
        if status not in (201, 204):
            raise RuntimeError(f"PUT {path} answered {status}:\n{self.log()}")

    def __enter__(self) -> RadicaleServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
