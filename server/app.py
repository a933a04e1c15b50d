"""The app factory: `create_app(settings)` wires the store, the routes and the error answers into Litestar."""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from .activity import DeviceActivity
from .auth import Authenticator
from .clock import Clock
from .errors import EXCEPTION_HANDLERS
from .headers import add_security_headers
from .openapi import TrueJsonSchema
from .live.service import Live
from .passwords import Passwords
from .push.service import Reminders
from .requestlog import log_requests
from .routes.accounts import AccountsController
from .routes.live import follow_log
from .routes.interop import InteropController, calendar_feed
from .routes.push import PushController
from .routes.pwa import serve_app, receive_share
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
    services = Services.build(settings, store, clock)
    activity = DeviceActivity(store, clock)
    authenticator = Authenticator(store, services.device_requests, activity)
    live = Live(settings, store)
    reminders = Reminders(settings, store, services.projections, clock=clock.now, news=live.hub)
    app = Litestar(
        route_handlers=[
            AccountsController, SyncController, ReadController, PushController, InteropController, calendar_feed,
            ShareController, open_share, follow_log, health, serve_app, receive_share,
        ],
        dependencies={
            "services": Provide(services.provide),
            "session": Provide(authenticator.session),
            "passwords": _given(passwords),
            "activity": _given(activity),
            "clock": _given(clock),
            "reminders": Provide(reminders.provide),
            "live": Provide(live.provide),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[services.lifespan, live.lifespan, reminders.lifespan],  # the store opens first, closes last
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Merci", version=VERSION, use_handler_docstrings=True,
            description="Sync an offline-first log of networking events; read what good manners say is owed, "
                        "both ways. Send the device token as `Authorization: Bearer <token>`.",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            # The JSON document only: Litestar's doc pages (Redoc, Swagger UI, Elements, RapiDoc) load their
            # scripts from CDNs, which must never run on the origin whose storage holds the device tokens.
            render_plugins=[TrueJsonSchema(path="/openapi.json")],
        ),
        logging_config=None,
    )
    app.state.services = services
    app.state.passwords = passwords
    app.state.activity = activity
    app.state.reminders = reminders
    app.state.live = live
    app.asgi_handler = add_security_headers(app.asgi_handler)
    if settings.log_requests:
        app.asgi_handler = log_requests(app.asgi_handler)
    return app


def _given(value: object) -> Provide:
    """A dependency that is always `value` (one per app)."""

    async def provide() -> object:
        return value

    return Provide(provide)
