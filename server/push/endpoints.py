"""The SSRF guard: a push subscription's endpoint is a URL a user handed the server, and the server will
POST to it. Only https on port 443 to a known push service is accepted — no addresses, no credentials in
the URL, no look-alike hosts — checked when subscribing and again before each send, where the host's
DNS answers must be public addresses too. Redirects are never followed (see sender.py).

`allow_local` (the test-only `MERCI_PUSH_ALLOW_LOCAL=1`) also accepts a receiver on loopback over http.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from .keys import unb64url

MAX_ENDPOINT_LENGTH = 2000
"""Real endpoints are 150-600 characters (FCM, Mozilla, Apple, WNS tokens)."""
P256DH_BYTES = 65
AUTH_BYTES = 16
DNS_CACHE_SECONDS = 60.0
CHECKED_KEPT = 100_000

_PRINTABLE = re.compile(r"[!-~]+")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NUMERIC = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
"""A label resolvers read as a number: `2130706433`, `0x7f.1`, `127.1` are loopback to inet_aton."""


class EndpointRefused(ValueError):
    """An endpoint or key the server will not use, with a sentence saying why."""

    def __init__(self, reason: str, field: str = "endpoint"):
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass
class EndpointPolicy:
    """Which endpoints the server may POST to."""

    hosts: tuple[str, ...]
    """Allowed hosts; `*.example.com` allows any subdomain of example.com (not example.com itself)."""
    allow_local: bool = False
    _resolved: dict[str, tuple[float, list[str]]] = field(default_factory=dict, repr=False)
    _checked: dict[str, str] = field(default_factory=dict, repr=False)
    """Endpoints that passed `check` (the policy never changes while the server runs)."""

    def check(self, endpoint: str) -> str:
        """The endpoint's host if it may be used; EndpointRefused saying why not."""
        if not isinstance(endpoint, str) or not endpoint:
            raise EndpointRefused("the endpoint is empty")
        if len(endpoint) > MAX_ENDPOINT_LENGTH:
            raise EndpointRefused(f"the endpoint is {len(endpoint)} characters long; at most {MAX_ENDPOINT_LENGTH} are accepted")
        if not _PRINTABLE.fullmatch(endpoint) or "\\" in endpoint:
            raise EndpointRefused("the endpoint holds spaces, backslashes, control or non-ASCII characters")
        try:
            parts = urlsplit(endpoint)
            parts.hostname  # noqa: B018 - raises ValueError for a bracketed host that is no IPv6 address
        except ValueError as exc:  # "https://[::1/x", "https://[fcm.googleapis.com]/x"
            raise EndpointRefused(f"the endpoint is not a valid URL ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in ("https", "http"):
            raise EndpointRefused(f"the endpoint must be an https:// URL (got {scheme or 'no'} scheme)")
        if "@" in parts.netloc:
            raise EndpointRefused("the endpoint must not hold a user name or password (user@host)")
        if parts.fragment or "#" in endpoint:
            raise EndpointRefused("the endpoint must not have a #fragment")
        host = (parts.hostname or "").lower()
        if not host:
            raise EndpointRefused("the endpoint has no host")
        try:
            port = parts.port
        except ValueError:
            raise EndpointRefused("the endpoint's port is not a number between 0 and 65535") from None
        if self.allow_local and _is_loopback(host):
            return host
        if scheme != "https":
            raise EndpointRefused("only https:// endpoints are accepted (push services never use plain http)")
        address = _address(host)
        if address is not None:
            shown = host if host == str(address) else f"{host} ({address})"
            raise EndpointRefused(f"the endpoint's host {shown} is {_kind(address)}, not a push service's name")
        if port not in (None, 443):
            raise EndpointRefused(f"the endpoint's port is {port}; push services listen on 443 only")
        labels = host.split(".")
        if host.endswith(".") or not all(_LABEL.match(label) for label in labels) or _NUMERIC.match(labels[-1]):
            raise EndpointRefused(f"the endpoint's host {host!r} is not a valid host name")
        if not self.allows(host):
            raise EndpointRefused(
                f"{host} is not a known push service (this server accepts {', '.join(self.hosts) or 'none'})"
            )
        return host

    def allows(self, host: str) -> bool:
        for allowed in self.hosts:
            if allowed.startswith("*."):
                if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                    return True
            elif host == allowed:
                return True
        return False

    async def check_before_sending(self, endpoint: str) -> None:
        """`check`, and the host's DNS answers: every address must be public (a name on the list that
        resolves to 10.0.0.1 is refused). Answers are kept a minute."""
        host = self._checked.get(endpoint)
        if host is None:
            host = self.check(endpoint)
            if len(self._checked) >= CHECKED_KEPT:
                self._checked.clear()
            self._checked[endpoint] = host
        if _address(host) is not None or (self.allow_local and _is_loopback(host)):
            return
        now = time.monotonic()
        cached = self._resolved.get(host)
        if cached is None or cached[0] < now:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise EndpointRefused(f"{host} cannot be resolved ({exc.strerror})") from None
            cached = (now + DNS_CACHE_SECONDS, sorted({info[4][0] for info in infos}))
            self._resolved[host] = cached
        for text in cached[1]:
            address = ipaddress.ip_address(text.split("%")[0])
            if not address.is_global or address.is_multicast:
                raise EndpointRefused(f"{host} resolves to {text}, {_kind(address)}")


def check_keys(p256dh: str, auth: str) -> None:
    """The subscription's keys: `p256dh` a P-256 public point (65 bytes), `auth` 16 bytes, both base64url."""
    try:
        point = unb64url(p256dh)
    except ValueError:
        raise EndpointRefused("`keys.p256dh` is not base64url", "keys.p256dh") from None
    if len(point) != P256DH_BYTES or point[0] != 4:
        raise EndpointRefused(
            f"`keys.p256dh` must be an uncompressed P-256 public key ({P256DH_BYTES} bytes starting with 0x04); "
            f"got {len(point)} bytes", "keys.p256dh",
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise EndpointRefused("`keys.p256dh` is not a point on the P-256 curve", "keys.p256dh") from None
    try:
        secret = unb64url(auth)
    except ValueError:
        raise EndpointRefused("`keys.auth` is not base64url", "keys.auth") from None
    if len(secret) != AUTH_BYTES:
        raise EndpointRefused(f"`keys.auth` must be {AUTH_BYTES} bytes; got {len(secret)}", "keys.auth")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    labels = host.split(".")
    if all(_NUMERIC.match(label) for label in labels if label):
        try:  # what a resolver would make of 2130706433, 0x7f.1 or 127.1
            return ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    address = _address(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address is not None and address.is_loopback


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast:
        return "a multicast address"
    if not address.is_global:
        return "a reserved address"
    return "an IP address"
