"""`merci serve`: run the server with uvicorn, settings from `MERCI_*` variables and the command line."""

from __future__ import annotations

import logging
import sys

import uvicorn

from .app import create_app
from .requestlog import configure_logging
from .settings import Settings, SettingsError, describe_database

log = logging.getLogger("merci.server")


def serve(host: str | None = None, port: int | None = None, data: str | None = None,
          database_url: str | None = None) -> int:
    """Serve until interrupted; the exit code: 2 for bad settings, 1 if it cannot start, else 0 (uvicorn
    re-raises SIGTERM/SIGINT after its graceful shutdown, so a signalled process reports that signal)."""
    try:
        settings = Settings.from_env(host=host, port=port, data=data, database_url=database_url)
    except SettingsError as exc:
        print(f"merci: {exc}", file=sys.stderr)
        return 2
    try:
        settings.data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"merci: cannot create the data folder {settings.data}: {exc.strerror}", file=sys.stderr)
        return 2
    configure_logging()
    app = create_app(settings)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=False, log_level="warning",
        lifespan="on", server_header=False, timeout_graceful_shutdown=10,
    )
    server = _Server(config)
    database = f"PostgreSQL at {describe_database(settings.database_url)}" if settings.database_url else "SQLite"
    log.info("Merci starting on http://%s:%s (%s, data in %s)", settings.host, settings.port, database,
             settings.data.resolve())
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits this way when it cannot start (e.g. the port is taken)
        return 1 if exc.code else 0
    except KeyboardInterrupt:
        return 0
    return 0 if server.started else 1


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the app's live streams when it stops: it waits for every open response
    to finish before it shuts the app down, and a live stream never finishes by itself."""

    async def shutdown(self, sockets: list | None = None) -> None:
        live = getattr(self.config.app, "state", None) and self.config.app.state.get("live")
        if live is not None:
            live.stop_streams()
        await super().shutdown(sockets)
