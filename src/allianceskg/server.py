"""Run the service with waitress, the production WSGI server: build the app (which
starts the query workers before any server thread starts), bind, announce the URL,
serve the newest release (reloaded on SIGHUP or when it changes) until interrupted,
then stop the workers."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from allianceskg.errors import AllianceskgError
from allianceskg.settings import Settings
from allianceskg.web import create_app
from allianceskg.web.reload import Reloader


def configure_logging() -> None:
    """JSON access-log lines on stderr (one object per request)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("allianceskg.access", "allianceskg.web"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


class JsonErrorTask(ErrorTask):
    """Waitress's own refusals (400 bad request line, 413 body too large, 431 headers
    too large…) in the service's one error shape, as JSON."""

    def execute(self) -> None:
        error = self.request.error
        hint = {413: "send a smaller request (max_request_bytes)",
                431: "send fewer or shorter headers"}.get(error.code, "check the HTTP request")
        body = json.dumps({"ok": False, "status": error.code,
                           "error": f"{error.reason}: {error.body}", "hint": hint}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask


def run_server(settings: Settings, announce: Callable[[str], None]) -> None:
    configure_logging()
    app = create_app(settings)
    try:
        server = create_server(app, host=settings.host, port=settings.port,
                               threads=settings.threads,
                               connection_limit=settings.connection_limit,
                               channel_timeout=settings.channel_timeout,
                               # The app answers oversized bodies with its JSON 413; waitress
                               # only stops bodies far beyond the limit before the app sees them.
                               max_request_body_size=settings.max_request_bytes * 4,
                               url_scheme="http", ident="allianceskg")
    except OSError as exc:
        app.extensions["allianceskg"].close()
        raise AllianceskgError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
                               hint="choose another --port (ALLIANCESKG_PORT), or stop the "
                                    "program using it") from None
    server.channel_class = JsonErrorChannel
    host, port = server.effective_host, server.effective_port
    announce(f"Serving SPARQL at http://{host}:{port}/sparql (store: {settings.store}, "
             f"workers: {settings.workers}, query timeout: {settings.query_timeout:g} s)")
    reloader = Reloader(app, settings.reload_interval)
    reloader.start()
    signal.signal(signal.SIGTERM, lambda signum, frame: _drain(server, settings.query_timeout + 2))
    signal.signal(signal.SIGHUP, lambda signum, frame: reloader.request())
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        reloader.stop()
        try:
            server.close()
        except OSError:
            pass
        app.extensions["allianceskg"].close()


def _drain(server, grace: float) -> None:
    """SIGTERM: stop accepting connections, let the requests in flight finish and
    their answers go out (the event loop keeps running), then stop — at most
    ``grace`` seconds later. Runs in the main thread, between loop iterations."""
    if getattr(server, "_draining", False):
        return
    server._draining = True
    server.accepting = False  # take the listening socket out of the loop; it is closed
    server.del_channel()      # at the end (closing it now would break the running poll)

    def wait_then_stop() -> None:
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _busy(server):
            time.sleep(0.05)
        server.trigger.pull_trigger(lambda: _close_all(server))  # runs in the loop thread

    threading.Thread(target=wait_then_stop, name="allianceskg-drain", daemon=True).start()


def _close_all(server) -> None:
    """Close every channel and the trigger: the event loop ends when its map is empty."""
    for channel in list(server._map.values()):
        try:
            channel.close()
        except OSError:
            pass


def _busy(server) -> bool:
    dispatcher = server.task_dispatcher
    if dispatcher.active_count or dispatcher.queue:
        return True
    return any(channel.requests or channel.total_outbufs_len
               for channel in list(server.active_channels.values()))
