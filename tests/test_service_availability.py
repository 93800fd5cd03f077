"""Availability and memory, over a real port: heavy queries never starve light ones,
queues are bounded with a fast 503 and Retry-After, workers are clean processes
bounded in memory that die with the server, and caches are bounded."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import socket
import time
from pathlib import Path

import pytest

from allianceskg.sparql.engine import QueryRequest, QueryResponse
from allianceskg.web.state import ResponseCache

from conftest import Server
from test_service_safety import assert_error_shape, call, descendants

HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def busy() -> Server:
    running = Server("--query-timeout", "4", "--workers", "2", "--threads", "12",
                     "--queue-size", "4", "--cache-entries", "0")
    yield running
    running.stop()


def _timed(server: Server, query: str, **kwargs):
    started = time.monotonic()
    status, headers, body = call(server, query, **kwargs)
    return status, time.monotonic() - started, headers, body


@pytest.mark.parametrize("distinct", [False, True], ids=["same-text", "distinct-texts"])
def test_a_light_query_is_answered_while_twenty_heavy_ones_run(busy: Server, distinct: bool):
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        heavy = [pool.submit(_timed, busy, HEAVY + (f" # client {i}" if distinct else ""))
                 for i in range(20)]
        time.sleep(0.6)  # the workers are now held by heavy queries
        light = _timed(busy, f"ASK {{ ?s a ?type }} # {time.time()}")  # not cached anywhere
        health = _timed(busy, None, path="/healthz")
        metrics = _timed(busy, None, path="/metrics")
        results = [f.result(timeout=30) for f in heavy]
    assert light[0] == 200 and light[1] < 1.0, light
    assert health[0] == 200 and health[1] < 1.0
    assert metrics[0] == 200 and metrics[1] < 1.0
    for status, seconds, headers, body in results:
        assert status in (200, 503) and seconds < 10
        error = assert_error_shape(status, body)
        if "time limit" not in error["error"]:  # refused, not run: told when to retry
            assert int(headers["Retry-After"]) >= 1, error
    refused = [r for r in results if "time limit" not in json.loads(r[3])["error"]]
    assert refused and min(r[1] for r in refused) < 0.5  # the queue is bounded: fast 503s


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_query_that_needs_too_much_memory_gets_a_503_naming_the_limit(store: str):
    running = Server("--worker-memory-mb", "64", "--query-timeout", "20", "--cache-entries", "0",
                     "--store", store)
    try:  # sorting the cross product holds every solution in memory, in either store
        greedy = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } ORDER BY ?o ?c LIMIT 1"
        status, seconds, _, body = _timed(running, greedy)
        error = assert_error_shape(status, body)
        assert status == 503 and "64 MB" in error["error"] and "WORKER_MEMORY_MB" in error["hint"]
        assert _timed(running, "ASK { ?s ?p ?o }")[0] == 200  # the worker was replaced
    finally:
        running.stop()


def test_a_dead_idle_worker_costs_no_client_an_error():
    running = Server("--workers", "2", "--cache-entries", "0")
    try:
        assert _timed(running, "ASK {}")[0] == 200
        for pid in descendants(running.process.pid):
            status = Path(f"/proc/{pid}/status").read_text()
            parent = int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("PPid:")))
            if parent != running.process.pid:  # a worker, child of the zygote
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        answers = [_timed(running, f"ASK {{ ?s ?p {i} }}")[0] for i in range(4)]
        assert answers == [200] * 4
    finally:
        running.stop()


def test_a_server_killed_with_sigkill_can_restart_on_its_port_at_once():
    first = Server("--workers", "2")
    port = first.port
    processes = descendants(first.process.pid)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    first.stop()
    second = Server("--workers", "2", port=port)  # no "Address already in use"
    try:
        assert second.port == port and _timed(second, "ASK {}")[0] == 200
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in processes):
            time.sleep(0.1)
        assert not [p for p in processes if Path(f"/proc/{p}").exists()
                    and "zombie" not in Path(f"/proc/{p}/status").read_text()]
    finally:
        second.stop()


def test_slow_connections_do_not_lock_out_other_clients(busy: Server):
    idle = []
    try:
        for _ in range(150):  # more than waitress's default connection_limit of 100
            sock = socket.create_connection((busy.host, busy.port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # a request that never finishes
            idle.append(sock)
        status, seconds, _, _ = _timed(busy, None, path="/healthz")
        assert status == 200 and seconds < 1.0
    finally:
        for sock in idle:
            sock.close()


def test_capacity_that_would_hold_every_thread_is_refused_at_start():
    from conftest import run_cli

    result = run_cli("serve", "--workers", "4", "--queue-size", "4", "--threads", "8")
    assert result.returncode == 2 and "queue_size" in result.stderr and "threads" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_result_cache_is_bounded_in_bytes():
    cache = ResponseCache(entries=100, max_bytes=10_000)
    for i in range(50):
        cache.put(QueryRequest(f"ASK {{ {i} }}"), QueryResponse(200, "text/plain", b"x" * 1_000))
    assert cache.size_bytes <= 10_000
    assert cache.get(QueryRequest("ASK { 49 }")) is not None  # the newest stay
    assert cache.get(QueryRequest("ASK { 0 }")) is None
    cache.put(QueryRequest("big"), QueryResponse(200, "text/plain", b"x" * 5_000))
    assert cache.get(QueryRequest("big")) is None  # more than a quarter: never cached


def test_large_responses_are_cut_visibly():
    running = Server("--max-response-bytes", "2000", "--max-rows", "100000", "--cache-entries", "0")
    try:
        status, _, headers, body = _timed(running, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 200 and len(body) <= 2000
        assert headers["X-Result-Truncated"].startswith("true")
        assert json.loads(body)["results"]["bindings"]
    finally:
        running.stop()


def test_construct_where_with_a_limit_is_answered(busy: Server):
    status, _, headers, body = _timed(busy, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
                                      headers={"Accept": "application/n-triples"})
    assert status == 200 and len([l for l in body.decode().splitlines() if l.strip()]) == 1


def test_sigterm_drains_queries_in_flight_then_stops():
    running = Server("--query-timeout", "2", "--cache-entries", "0")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        heavy = pool.submit(_timed, running, HEAVY)
        time.sleep(0.5)
        running.process.send_signal(signal.SIGTERM)
        status, seconds, _, body = heavy.result(timeout=30)
    assert status == 503 and "time limit" in json.loads(body)["error"]  # answered, not cut
    assert running.process.wait(timeout=15) == 0
    running.stop()
    assert not any("Traceback" in line or "OSError" in line for line in running.log), running.log
    with pytest.raises(OSError):
        socket.create_connection((running.host, running.port), timeout=2).close()


def _raw(server: Server, request: bytes) -> tuple[int, dict, bytes]:
    data = b""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        try:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:  # the server answered and closed before reading it all
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 262_150 + b"\r\n\r\n", 431),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 400),
], ids=["headers-too-large", "bad-content-length"])
def test_waitress_refusals_use_the_json_error_shape(busy: Server, request_bytes: bytes, status: int):
    code, headers, body = _raw(busy, request_bytes)
    assert code == status and headers["Content-Type"].startswith("application/json")
    assert_error_shape(status, body)


def test_an_allowed_service_endpoint_that_redirects_is_not_followed():
    import http.server
    import threading

    hits = {"first": 0, "second": 0}

    def handler_for(name, location=None):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits[name] += 1
                if location:
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":["x"]},"results":{"bindings":[]}}')

            do_POST = do_GET

            def log_message(self, *args):
                pass
        return Handler

    second = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for("second"))
    target = f"http://127.0.0.1:{second.server_address[1]}/sparql"
    first = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for("first", target))
    endpoint = f"http://127.0.0.1:{first.server_address[1]}/sparql"
    for srv in (first, second):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    running = Server("--service-allowlist", endpoint, "--cache-entries", "0")
    try:
        status, _, _, body = _timed(running, f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")
        assert 400 <= status < 500 and hits["first"] >= 1 and hits["second"] == 0
        assert_error_shape(status, body)
    finally:
        running.stop()
        for srv in (first, second):
            srv.shutdown()
            srv.server_close()
