"""The app factory: `create_app(settings)` wires the store, the routes and the error answers into Litestar."""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from .auth import Passwords, authenticate
from .clock import Clock
from .errors import EXCEPTION_HANDLERS
from .push.service import Reminders
from .requestlog import log_requests
from .routes.accounts import AccountsController
from .routes.push import PushController
from .routes.pwa import serve_app
from .routes.read import ReadController, health
from .routes.shares import ShareController, open_share
from .routes.sync import SyncController
from .services import Services
from .settings import Settings
from .store.contract import Store

VERSION = "0.1.0"


def store_for(settings: Settings) -> Store:
    """The store the settings name: the PostgreSQL database at `database_url`, else SQLite in the data folder."""
    if settings.database_url:
        from .store.postgres import PostgresStore

        return PostgresStore(settings.database_url)
    from .store.sqlite import SQLiteStore

    return SQLiteStore(settings.database)


def create_app(settings: Settings, store: Store | None = None, clock: Clock | None = None) -> Litestar:
    """The Merci server on `store` (default: the one the settings name, see `store_for`), reading the time from
    `clock` (default: the machine's, from `settings.clock_start` if set)."""
    if store is None:
        store = store_for(settings)
    if clock is None:
        clock = Clock(settings.clock_start)
    passwords = Passwords(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    services = Services.build(settings, store, passwords, clock)
    reminders = Reminders(settings, store, services.projections, clock=clock.now)
    app = Litestar(
        route_handlers=[
            AccountsController, SyncController, ReadController, PushController, ShareController, open_share, health,
            serve_app,
        ],
        dependencies={
            "services": Provide(services.provide),
            "session": Provide(authenticate),
            "reminders": Provide(reminders.provide),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[services.lifespan, reminders.lifespan],  # the store opens first, closes last
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Merci", version=VERSION, use_handler_docstrings=True,
            description="Sync an offline-first log of networking events; read what good manners say is owed, "
                        "both ways. Send the device token as `Authorization: Bearer <token>`.",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
        ),
        logging_config=None,
    )
    app.state.services = services
    app.state.reminders = reminders
    if settings.log_requests:
        app.asgi_handler = log_requests(app.asgi_handler)
    return app
