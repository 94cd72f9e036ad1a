"""Transports for the client tests: real HTTP, recorded, or with answers lost on the way."""

from __future__ import annotations

import httpx

__all__ = ["LosesAnswers", "Recording"]


class Recording(httpx.HTTPTransport):
    """A real HTTP transport that keeps what went over it: (method, path, request
    headers, status)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, httpx.Headers, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((request.method, request.url.path, request.headers, response.status_code))
        return response


class LosesAnswers(Recording):
    """A real HTTP transport whose first ``losses`` answers to POSTs never arrive: the
    request reaches the server and is carried out, then the connection fails (as when a
    network drops the answer)."""

    def __init__(self, losses: int = 1) -> None:
        super().__init__()
        self.losses = losses

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and self.losses > 0:
            self.losses -= 1
            response.read()
            raise httpx.ReadError("the answer was lost", request=request)
        return response
