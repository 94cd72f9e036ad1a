"""The outermost middleware: a request id for every request (``X-Request-ID`` honoured
and returned), one access log line, request metrics, and the last line of defence: an
unexpected error becomes a 500 problem document with the request id, logged with its
traceback, and the connection stays open (nothing is re-raised to the server)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .context import REQUEST_ID_HEADER, new_request_id, request_id_var
from .metrics import Metrics
from .problems import problem

__all__ = ["RequestContext"]

log = logging.getLogger("freechoice.http")
_HEADER = REQUEST_ID_HEADER.lower().encode()


class RequestContext:
    def __init__(self, app: ASGIApp, metrics: Metrics, access_log: bool = True) -> None:
        self.app, self.metrics, self.access_log = app, metrics, access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = None
        for name, value in scope.get("headers") or []:
            if name == _HEADER:
                offered = value.decode("latin-1")
                break
        request_id = new_request_id(offered)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != _HEADER]
                headers.append((_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            route = getattr(scope.get("route"), "path", None) or ""
            shown = route if "{token}" in route else scope.get("path")  # never a client's feedback code
            log.exception("unexpected error while answering %s %s", scope["method"], shown)
            if response_started:
                raise  # half a response is out: only closing the connection tells the client
            status = 500
            await problem(
                500,
                "something went wrong on our side; it was logged with this request id, "
                "quote it when you report the problem",
            )(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            if self.access_log:
                log.info(
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={
                        "method": method,
                        # a client's feedback code in a link path is a secret: log the route only
                        "path": route if "{token}" in route else scope.get("path"),
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)
