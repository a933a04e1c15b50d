"""HTTP/1.1 to push services, lean: keep-alive connections per push service (scheme, host, port), at most
`per_service` requests in flight to each, responses parsed by httptools (uvicorn's C parser).

Why not httpx: bench/push.py spent most of its time in it — about 600 µs of CPU per message through httpx
(one-connection clients taken in turn; one shared pool was 2 ms, its pool polls every connection per request),
15 µs here, for the same request on the same connection. A push message is one small POST whose answer is a
status, a few headers and a short body: this is all the HTTP it needs.

- A connection idle for `idle_seconds` is closed rather than reused (servers drop idle ones on their side,
  and the digests come in bursts at the top of each hour).
- A reused connection that the server closed before answering anything is replaced and the request sent once
  more at once: the server never saw it (and a digest carries a Topic, so even a copy would replace the first).
- Redirects are answers like others (never followed); a response body is read up to 64 KiB (the reason a
  push service gives for a refusal), the connection dropped past that.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

MAX_BODY = 64 << 10
IDLE_SECONDS = 20.0


class PushConnectionError(Exception):
    """The push service could not be reached, or the connection failed before a whole answer came."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    """Lower-case names; a repeated header keeps its last value."""
    body: bytes


class _Connection(asyncio.Protocol):
    """One keep-alive connection, one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = time.monotonic()
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[Answer] | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._received = False
        self._headers_done = False

    # --- asyncio.Protocol ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._received = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(PushConnectionError(f"the push service's answer is not valid HTTP ({exc})"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if self._headers_done:  # an answer delimited by the end of the connection
                self.on_message_complete()
            else:
                reason = f"the connection was closed ({exc})" if exc else "the connection was closed before an answer"
                waiter.set_exception(_Unanswered(reason) if not self._received else PushConnectionError(reason))

    # --- httptools callbacks ---

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size <= MAX_BODY:
            self._body.append(body)

    def on_message_complete(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        answer = Answer(self._parser.get_status_code(), self._headers, b"".join(self._body))
        if self._size > MAX_BODY or not self._parser.should_keep_alive():
            self.close()
        self._waiter = None
        waiter.set_result(answer)

    # --- use ---

    def send(self, request: bytes) -> asyncio.Future[Answer]:
        assert self.transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self._headers, self._body, self._size = {}, [], 0
        self._received = self._headers_done = False
        self.transport.write(request)
        return self._waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)


class _Unanswered(PushConnectionError):
    """Closed before a single byte of answer: the server dropped the connection without reading the request."""


@dataclass
class _Service:
    """The connections to one push service."""

    scheme: str
    host: str
    port: int
    slots: asyncio.Semaphore
    idle: list[_Connection] = field(default_factory=list)


class PushTransport:
    """POSTs to push services over kept-alive connections; one per server, shared by every task."""

    def __init__(self, *, timeout: float, per_service: int, tls: ssl.SSLContext, user_agent: str = "Merci-push",
                 idle_seconds: float = IDLE_SECONDS):
        self.timeout = timeout
        self.per_service = per_service
        self.tls = tls
        self.user_agent = user_agent
        self.idle_seconds = idle_seconds
        self._services: dict[tuple[str, str, int], _Service] = {}

    async def aclose(self) -> None:
        for service in self._services.values():
            for connection in service.idle:
                connection.close()
        self._services.clear()

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POST `body` to `url`; PushConnectionError if no whole answer came within the timeout."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}", f"User-Agent: {self.user_agent}",
                 f"Content-Length: {len(body)}", *(f"{name}: {value}" for name, value in headers.items())]
        for line in lines:
            if not line.isascii() or any(c in line for c in "\r\n\0"):
                raise ValueError("a header or the URL holds a line break, a NUL or a non-ASCII character")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body
        key = (scheme, host, port)
        service = self._services.get(key)
        if service is None:
            service = self._services[key] = _Service(scheme, host, port, asyncio.Semaphore(self.per_service))
        async with service.slots:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(service, request)
            except TimeoutError:
                raise PushConnectionError(f"no answer within {self.timeout:g} s") from None

    async def _exchange(self, service: _Service, request: bytes) -> Answer:
        connection = self._idle(service)
        while True:
            reused = connection is not None
            if connection is None:
                connection = await self._connect(service)
            try:
                answer = await connection.send(request)
            except _Unanswered:
                connection.close()
                if not reused:
                    raise
                connection = None  # the server had closed it while idle: once more on a new one
                continue
            except BaseException:  # timeout, cancellation, a broken answer: this connection is done for
                connection.close()
                raise
            if not connection.closed:
                connection.idle_since = time.monotonic()
                service.idle.append(connection)
            return answer

    def _idle(self, service: _Service) -> _Connection | None:
        now = time.monotonic()
        while service.idle:
            connection = service.idle.pop()
            if not connection.closed and now - connection.idle_since < self.idle_seconds:
                return connection
            connection.close()
        return None

    async def _connect(self, service: _Service) -> _Connection:
        loop = asyncio.get_running_loop()
        tls = self.tls if service.scheme == "https" else None
        try:
            _, connection = await loop.create_connection(
                _Connection, service.host, service.port, ssl=tls, server_hostname=service.host if tls else None,
            )
        except (OSError, ssl.SSLError) as exc:
            raise PushConnectionError(f"cannot connect to {service.host}:{service.port} ({_describe(exc)})") from None
        return connection


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    with contextlib.suppress(Exception):
        if isinstance(exc, OSError) and exc.strerror:
            text = exc.strerror
    return text
