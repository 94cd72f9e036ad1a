"""Structured logs: one JSON object per line, each with the request id of the request it
belongs to (``null`` outside a request). Set up when the app starts, from
:class:`~freechoice.api.settings.Settings` (``log_format``, ``log_level``)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Any

import orjson

from .context import current_request_id

__all__ = ["JsonFormatter", "RequestIdFilter", "StderrHandler", "configure_logging", "dict_config"]

# attributes every LogRecord has; anything else was passed with ``extra=`` and is logged
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "taskName", "color_message"}
_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "gunicorn", "gunicorn.error")


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra, "exception"?}``"""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(out, default=str).decode()


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler freechoice installs (recognised, so it is never installed twice)."""

    _freechoice = True

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.addFilter(RequestIdFilter())


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter(_TEXT)


def dict_config(log_format: str, level: str = "info") -> dict[str, Any] | None:
    """The same set-up as :func:`configure_logging`, as a ``logging.config.dictConfig``
    dictionary (gunicorn's ``logconfig_dict``, for the lines of its arbiter process);
    None for ``inherit``."""
    if log_format == "inherit":
        return None
    formatter: dict[str, Any] = {"()": JsonFormatter} if log_format == "json" else {"format": _TEXT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"freechoice": formatter},
        "handlers": {"stderr": {"()": StderrHandler, "formatter": "freechoice"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {name: {"level": level.upper(), "handlers": [], "propagate": True} for name in _SERVER_LOGGERS}
        | {"gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True}},
    }


def configure_logging(log_format: str, level: str = "info") -> None:
    """Send every log line (ours, the server's, alembic's) to stderr as JSON (``json``) or
    as plain text with the request id (``text``); ``inherit`` leaves logging alone."""
    if log_format == "inherit":
        return
    handler = StderrHandler()
    handler.setFormatter(_formatter(log_format))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_freechoice", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _SERVER_LOGGERS:  # the server's own handlers would print a second, plain line
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    # the access line is ours (with the request id, route, status and duration)
    logging.getLogger("uvicorn.access").disabled = True
