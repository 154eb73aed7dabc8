"""Structured (JSON) logging: one line per record, access lines carry the request fields.

Every line passes through `JSONFormatter`, the server's own included, and the values in a URL's
query (the WebSocket handshake `/ws?token=...` that uvicorn logs) are redacted before it is
written: credentials never reach the log.
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

HANDLER_NAME = "json-stdout"
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "request_id", "client")
#: The query string of a URL in a log line (uvicorn logs each WebSocket handshake's path with
#: it). Every value in it is hidden, whatever its name: a name may be percent-encoded
#: (`tok%65n` is `token` to the server), so no list of names to hide is ever complete.
_QUERY_VALUE = re.compile(r"(?<=[\w/.~-])(\?|&)([^=&\s\"'#]*)=[^&\s\"'#]*")


def redact(text: str) -> str:
    """`text` with the value of every query parameter of a URL in it hidden (`/ws?token=...`)."""
    if "=" not in text:
        return text
    return _QUERY_VALUE.sub(r"\1\2=[redacted]", text)


class JSONFormatter(logging.Formatter):
    """One JSON object per record; it runs once per request (the access line), so it is lean:
    one encoder for every line, the redaction regex only where a token could be."""

    _encoder = json.JSONEncoder(default=str)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        attributes = record.__dict__
        entry.update((field, attributes[field]) for field in ACCESS_FIELDS if field in attributes)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return self._encoder.encode(entry)


def configure_logging(level: str) -> None:
    """Send JSON lines to stdout; calling it again replaces only its own handler.

    The lines carry no source file or line, thread or process, so the logging module is told
    not to look them up for every record, as the logging HOWTO's "Optimization" section shows:
    finding the caller walks the stack, and the thread and process names are calls of their own.
    """
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JSONFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
