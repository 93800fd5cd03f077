"""Run the service with waitress, the production WSGI server: build the app (which
forks the query workers before any server thread starts), bind, announce the URL,
serve until interrupted, then stop the workers."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable

from waitress.server import create_server

from allianceskg.errors import AllianceskgError
from allianceskg.settings import Settings
from allianceskg.web import create_app


def configure_logging() -> None:
    """JSON access-log lines on stderr (one object per request)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("allianceskg.access", "allianceskg.web"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


def run_server(settings: Settings, announce: Callable[[str], None]) -> None:
    configure_logging()
    app = create_app(settings)
    try:
        server = create_server(app, host=settings.host, port=settings.port,
                               threads=settings.threads,
                               # The app answers oversized bodies with its JSON 413; waitress
                               # only stops bodies far beyond the limit before the app sees them.
                               max_request_body_size=settings.max_request_bytes * 4,
                               url_scheme="http", ident="allianceskg")
    except OSError as exc:
        app.extensions["allianceskg"].close()
        raise AllianceskgError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
                               hint="choose another --port (ALLIANCESKG_PORT), or stop the "
                                    "program using it") from None
    host, port = server.effective_host, server.effective_port
    announce(f"Serving SPARQL at http://{host}:{port}/sparql (workers: {settings.workers}, "
             f"query timeout: {settings.query_timeout:g} s)")
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        app.extensions["allianceskg"].close()


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops the server like Ctrl-C, so the workers are stopped too."""
    raise SystemExit(0)
