"""Serve the newest complete release: reload on SIGHUP and when the release's
``manifest.json`` changes (a build replaces the release folder atomically, so a new
manifest means a complete new release).

A reload loads the new release and starts its query workers beside the old ones, then
swaps the app's state in one assignment; requests already running finish on the old
state, whose workers are stopped once the longest query could have finished. A
release that cannot be loaded is logged and the old one keeps being served.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask

from allianceskg.build.pipeline import ProjectPaths

log = logging.getLogger("allianceskg.web")


class Reloader:
    """Watches one release folder for the app it serves."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        state = app.extensions["allianceskg"]
        self.folder = Path(state.settings.data or ProjectPaths.default().release)
        self.interval = interval
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._stamp = self._current_stamp()
        self._thread = threading.Thread(target=self._watch, name="allianceskg-reloader",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        """Ask for a reload now (the SIGHUP handler calls this)."""
        self._wanted.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wanted.set()

    def _current_stamp(self) -> tuple | None:
        try:
            stat = (self.folder / "manifest.json").stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _watch(self) -> None:
        while not self._stopped.is_set():
            forced = self._wanted.wait(self.interval if self.interval > 0 else None)
            self._wanted.clear()
            if self._stopped.is_set():
                return
            stamp = self._current_stamp()
            if stamp is not None and (forced or stamp != self._stamp):
                self._stamp = stamp
                self.reload()

    def reload(self) -> bool:
        from allianceskg.web.state import load_state

        old = self.app.extensions["allianceskg"]
        try:
            new = load_state(old.settings, metrics=old.metrics)
        except Exception as exc:  # a broken release: keep serving the one we have
            log.error('{"event": "reload failed", "release": "%s", "error": "%s"}',
                      self.folder.name, str(exc).replace('"', "'"))
            return False
        self.app.extensions["allianceskg"] = new
        new.metrics.reloads += 1
        log.info('{"event": "reloaded", "triples": %d}', sum(new.graphs.values()))
        grace = old.settings.query_timeout + 2
        timer = threading.Timer(grace, old.close)
        timer.daemon = True  # never hold up the process's exit
        timer.start()
        return True
