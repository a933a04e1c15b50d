"""A device's live stream as a test or a benchmark reads it: `GET /api/live` with the device's token, parsed as
Server-Sent Events (the browser's pwa/lib/live.js does the same with fetch)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx


class StreamEnded(Exception):
    """The server ended the stream (or the connection was lost)."""


class LiveStream:
    """`async with LiveStream(client, token) as stream:` then `await stream.next()` -> (event, data)."""

    def __init__(self, client: httpx.AsyncClient, token: str | None, path: str = "/api/live"):
        self.client = client
        self.headers = {"Accept": "text/event-stream", **({"Authorization": f"Bearer {token}"} if token else {})}
        self.path = path
        self.response: httpx.Response | None = None
        self.comments = 0
        self._context: Any = None
        self._events: asyncio.Queue[tuple[str, dict] | None] = asyncio.Queue()
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> LiveStream:
        self._context = self.client.stream("GET", self.path, headers=self.headers,
                                           timeout=httpx.Timeout(10, read=None))
        self.response = await self._context.__aenter__()
        if self.response.status_code == 200:
            # Read by a task of its own: a read cancelled by a timeout would end the response's line iterator.
            self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._context.__aexit__(*exc)

    async def _read(self) -> None:
        event, data = "message", []
        try:
            async for line in self.response.aiter_lines():
                if not line:
                    if data:
                        self._events.put_nowait((event, json.loads("\n".join(data))))
                    event, data = "message", []
                elif line.startswith(":"):
                    self.comments += 1
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "event":
                        event = value
                    elif name == "data":
                        data.append(value)
        except httpx.TransportError:
            pass
        finally:
            self._events.put_nowait(None)

    async def next(self, timeout: float = 10) -> tuple[str, dict]:
        """The next event (comments are counted, not returned); TimeoutError if none comes in `timeout` s,
        StreamEnded if the stream ends first."""
        async with asyncio.timeout(timeout):
            got = await self._events.get()
        if got is None:
            self._events.put_nowait(None)
            raise StreamEnded()
        return got

    async def quiet_for(self, seconds: float) -> bool:
        """True if no event comes within `seconds` (keep-alive comments do not count)."""
        try:
            await self.next(seconds)
        except TimeoutError:
            return True
        return False
