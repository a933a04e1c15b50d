"""The push services' HTTP/1.1 client (server/push/transport.py) against a raw server on loopback that counts
connections and answers as told: connections kept alive and reused, at most so many in flight per service,
a connection the server closed while idle replaced without failing the message, timeouts and broken answers
reported as unreachable."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from server.push.transport import MAX_BODY, PushConnectionError, PushTransport

CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nLocation: /m/1\r\n\r\n"


class RawServer:
    """Reads one request at a time per connection and answers with `answer(request_number)` (bytes), or
    nothing for None (the client's timeout), or closes for b""."""

    def __init__(self, answer=lambda n: CREATED, delay: float = 0.0):
        self.answer = answer
        self.delay = delay
        self.connections = 0
        self.requests: list[bytes] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self.writers:
            writer.close()
        self.server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/push/abc?x=1"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                await asyncio.sleep(self.delay)
                self.in_flight -= 1
                answer = self.answer(len(self.requests))
                if answer is None:
                    await asyncio.sleep(3600)
                if answer == b"":
                    writer.close()
                    return
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def transport(**options) -> PushTransport:
    return PushTransport(**{"timeout": 5, "per_service": 4, "tls": ssl.create_default_context(), **options})


async def test_connections_are_kept_alive_and_reused():
    async with RawServer() as server:
        client = transport()
        for n in range(20):
            answer = await client.post(server.url, b"body-%d" % n, {"TTL": "60"})
            assert (answer.status, answer.headers["location"]) == (201, "/m/1")
        await client.aclose()
    assert server.connections == 1 and len(server.requests) == 20
    first = server.requests[0]
    assert first.startswith(b"POST /push/abc?x=1 HTTP/1.1\r\n") and b"\r\nTTL: 60\r\n" in first
    assert f"\r\nHost: 127.0.0.1:{server.port}\r\n".encode() in first and first.endswith(b"body-0")


async def test_at_most_per_service_requests_are_in_flight_to_one_push_service():
    async with RawServer(delay=0.05) as server:
        client = transport(per_service=3)
        answers = await asyncio.gather(*(client.post(server.url, b"x", {}) for _ in range(30)))
        await client.aclose()
    assert [a.status for a in answers] == [201] * 30
    assert server.most_in_flight == 3 and server.connections == 3


async def test_a_connection_the_server_closed_while_idle_is_replaced_and_the_message_sent():
    async with RawServer(answer=lambda n: b"" if n == 2 else CREATED) as server:
        client = transport()
        assert (await client.post(server.url, b"1", {})).status == 201
        assert (await client.post(server.url, b"2", {})).status == 201, "sent again on a new connection"
        await client.aclose()
    assert server.connections == 2 and [r[-1:] for r in server.requests] == [b"1", b"2", b"2"]


async def test_connection_close_and_idle_connections_are_not_reused():
    closing = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    async with RawServer(answer=lambda n: closing if n == 1 else CREATED) as server:
        client = transport(idle_seconds=0.1)
        assert (await client.post(server.url, b"1", {})).status == 201
        assert (await client.post(server.url, b"2", {})).status == 201
        await asyncio.sleep(0.2)
        assert (await client.post(server.url, b"3", {})).status == 201
        await client.aclose()
    assert server.connections == 3


async def test_a_refusal_keeps_its_reason_chunked_or_not_and_a_huge_body_is_cut():
    refusals = {
        1: b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nbad payload",
        2: b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnot \r\n3\r\nyou\r\n0\r\n\r\n",
        3: b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY * 2) + b"z" * (MAX_BODY * 2),
    }
    async with RawServer(answer=lambda n: refusals.get(n, CREATED)) as server:
        client = transport()
        answers = [await client.post(server.url, b"x", {}) for _ in range(4)]
        await client.aclose()
    assert [(a.status, a.body[:11]) for a in answers[:2]] == [(400, b"bad payload"), (403, b"not you")]
    assert answers[2].status == 500 and len(answers[2].body) <= MAX_BODY
    assert answers[3].status == 201 and server.connections == 2, "the connection with the huge body was dropped"


async def test_no_answer_in_time_and_a_broken_answer_are_unreachable():
    async with RawServer(answer=lambda n: None if n == 1 else b"NOT HTTP AT ALL\r\n\r\n") as server:
        client = transport(timeout=0.3)
        with pytest.raises(PushConnectionError, match="no answer within 0.3 s"):
            await client.post(server.url, b"x", {})
        with pytest.raises(PushConnectionError, match="not valid HTTP"):
            await client.post(server.url, b"x", {})
        await client.aclose()
    with pytest.raises(PushConnectionError, match="cannot connect"):
        await transport().post(f"http://127.0.0.1:{server.port}/gone", b"x", {})


async def test_a_header_with_a_line_break_is_refused_before_anything_is_sent():
    client = transport()
    with pytest.raises(ValueError, match="line break"):
        await client.post("http://127.0.0.1:9/push", b"x", {"Topic": "a\r\nX-Injected: 1"})
