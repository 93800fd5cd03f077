"""A running server picks up a rebuilt release: when its manifest changes and on
SIGHUP, atomically, without failing a request in flight."""

from __future__ import annotations

import json
import shutil
import signal
import threading
import time
from pathlib import Path

from allianceskg.build.pipeline import ProjectPaths, build
from allianceskg.build.release import write_release

from conftest import FIXTURES, Server, make_home
from test_service_safety import call


def _triples(server: Server) -> int:
    return json.loads(call(server, path="/healthz")[2])["triples"]


def test_a_rebuilt_release_is_served_without_dropping_requests(tmp_path: Path):
    release = tmp_path / "kg"
    shutil.copytree(ProjectPaths.default().release, release)
    running = Server("--data", str(release), "--reload-interval", "0.5", "--cache-entries", "0")
    statuses, stop = [], threading.Event()

    def client() -> None:
        while not stop.is_set():
            statuses.append(call(running, "ASK { ?s ?p ?o }")[0])

    threads = [threading.Thread(target=client) for _ in range(3)]
    try:
        before = _triples(running)
        for thread in threads:
            thread.start()
        seed = ProjectPaths.default().seeds / "000_d4fee536fbe95bae.txt"
        home = make_home(tmp_path / "home", [seed, FIXTURES / "articles" / "canada-australia-minerals.txt"])
        write_release(build(ProjectPaths(home)), release)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _triples(running) == before:
            time.sleep(0.2)
        after = _triples(running)
        assert after > before
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        running.stop()
    assert statuses and set(statuses) == {200}
    assert any('"reloaded"' in line for line in running.log)


def test_sighup_reloads_and_a_broken_release_keeps_the_old_one(tmp_path: Path):
    release = tmp_path / "kg"
    shutil.copytree(ProjectPaths.default().release, release)
    running = Server("--data", str(release), "--reload-interval", "0")
    try:
        before = _triples(running)
        (release / "allianceskg.trig").write_text("this is not TriG", encoding="utf-8")
        running.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any("reload failed" in l for l in running.log):
            time.sleep(0.2)
        assert any("reload failed" in line for line in running.log)
        assert _triples(running) == before and call(running, "ASK {}")[0] == 200
    finally:
        running.stop()
