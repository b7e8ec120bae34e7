"""Operational logs: one JSON object per line, ids only (no names, dates of birth, emails or tokens)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import g, has_request_context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            payload["request_id"] = getattr(g, "request_id", "")
            user = getattr(g, "user", None)
            if user is not None:
                payload["user_id"] = str(user.id)
        for key in ("case_id", "conference_id", "message_id", "outbox_id", "event"):
            if hasattr(record, key):
                payload[key] = str(getattr(record, key))
        if record.exc_info and record.exc_info[0] is not None:
            payload["exception"] = record.exc_info[0].__name__
        # json.dumps escapes control characters, so a "\n" in any value cannot start a new log line.
        return json.dumps(payload, ensure_ascii=True)


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Werkzeug's access log would print URLs and addresses in its own format; ours carries ids only.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
