"""Which webhook receivers may be reached: a URL on this machine or on a private
network is refused unless the service allows private addresses (an offline network).

:func:`check_public` checks a URL as written (when subscribing: an IP address in any
form the C library takes, or a ``localhost`` name); :func:`check_resolved` checks the
addresses its host name resolves to (before each delivery). Between that resolution
and the connection the name could resolve elsewhere (DNS rebinding): this is a guard
against mistakes and casual probing, not a network boundary.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

__all__ = ["HINT", "address_of", "check_public", "check_resolved"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
HINT = "(an offline network's receivers: set FREECHOICE_WEBHOOK_PRIVATE_ADDRESSES=true)"


def address_of(host: str) -> IPAddress | None:
    """The IP address ``host`` spells, in any form a resolver would take (``127.1``,
    ``0x7f000001``, ``2130706433``, ``::ffff:127.0.0.1``), or None for a name."""
    try:
        address: IPAddress = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))  # the C library's legacy forms
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _host(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()


def check_public(url: str) -> str:
    """``url`` unless its host is a loopback, link-local, private or otherwise
    non-public address, or a ``localhost`` name (ValueError saying which). Names are not
    resolved here."""
    host = _host(url)
    if host == "localhost" or host.endswith(".localhost"):
        raise ValueError(f"'{host}' is this machine; use a public address {HINT}")
    address = address_of(host)
    if address is not None and not address.is_global:
        raise ValueError(
            f"{address} is a loopback, link-local, private or reserved address; use a public address {HINT}"
        )
    return url


def check_resolved(url: str) -> str:
    """``url`` if :func:`check_public` passes and every address its host name resolves
    to is public (ValueError otherwise; a name that does not resolve is left to the
    HTTP client, which reports it)."""
    check_public(url)
    parts = urllib.parse.urlsplit(url)
    host = _host(url)
    if address_of(host) is not None:
        return url
    try:
        found = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return url
    for *_, sockaddr in found:
        address = address_of(str(sockaddr[0]).split("%", 1)[0])
        if address is not None and not address.is_global:
            raise ValueError(f"{host} resolves to {address}, not a public address {HINT}")
    return url
