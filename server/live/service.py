"""Live sync as the app holds it: the hub, fed by this process's appends and, on PostgreSQL, by every
instance's (LISTEN); started and stopped with the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..settings import Settings
from ..store.contract import Store
from .hub import LiveHub

if TYPE_CHECKING:
    from litestar import Litestar

    from .postgres import PostgresNews


class Live:
    """The `live` dependency (the hub) and its lifespan."""

    def __init__(self, settings: Settings, store: Store):
        self.hub = LiveHub(settings.live_streams_per_device)
        self.news: PostgresNews | None = None
        if settings.database_url:
            from .postgres import PostgresNews

            self.news = PostgresNews(settings.database_url, self.hub)
        else:  # one process holds the database: its own appends are all the news there is
            store.on_append(self.hub.announce)

    async def provide(self) -> LiveHub:
        return self.hub

    def stop_streams(self) -> None:
        """End every live stream now: a stopping server would otherwise wait for them until its timeout."""
        self.hub.close()

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        if self.news is not None:
            self.news.start()
        try:
            yield
        finally:
            self.hub.close()
            if self.news is not None:
                await self.news.stop()
