"""Benchmark the SPARQL service against rdflib-endpoint on the same release, same
machine, same run: queries per second and p50/p99 latency for the competency-question
mix, and the memory of each serving process.

Run from the project root (rdflib-endpoint and uvicorn are benchmark-only tools,
not dependencies of the project):

    pip install rdflib-endpoint uvicorn
    python benchmarks/service.py [--seconds 15] [--clients 8]

Servers, one after the other, each warmed up first:
- allianceskg serve, default settings (worker processes, time limit, row cap, result
  cache: all the safety rules on);
- allianceskg serve with the result cache off (every request evaluated);
- rdflib-endpoint (FastAPI + rdflib in one process) under uvicorn.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from allianceskg.pipeline import ProjectPaths
from allianceskg.queries import load_queries

RDFLIB_ENDPOINT = """
import sys, uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
dataset = Dataset(default_union=True)
dataset.parse(sys.argv[1], format="trig")
app = SparqlEndpoint(graph=dataset, public_url="http://127.0.0.1:%s/" % sys.argv[2])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_allianceskg(*flags: str) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen([sys.executable, "-m", "allianceskg", "serve", "--port", "0", *flags],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    line = process.stderr.readline()
    port = re.search(r":(\d+)/sparql", line).group(1)
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    return process, "127.0.0.1", f"{port}:/sparql"


def start_rdflib_endpoint(release: Path) -> tuple[subprocess.Popen, str, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", RDFLIB_ENDPOINT,
                                str(release / "allianceskg.trig"), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            status, _ = request("127.0.0.1", port, "/", "ASK {}")
            if status == 200:
                break
        except OSError:
            time.sleep(0.5)
    return process, "127.0.0.1", f"{port}:/"


def request(host: str, port: int, path: str, query: str,
            connection: http.client.HTTPConnection | None = None) -> tuple[int, float]:
    own = connection is None
    connection = connection or http.client.HTTPConnection(host, port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path + "?" + urllib.parse.urlencode({"query": query}),
                       headers={"Accept": "application/sparql-results+json"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if own:
        connection.close()
    return response.status, elapsed


def load(host: str, target: str, queries: list[str], seconds: float, clients: int) -> dict:
    port, path = target.split(":", 1)
    for query in queries:  # warm up: parse caches, result caches, lazy imports
        request(host, int(port), path, query)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        position = offset
        while time.monotonic() < deadline:
            status, elapsed = request(host, int(port), path, queries[position % len(queries)], connection)
            position += 1
            with lock:
                latencies.append(elapsed)
                errors[0] += status != 200
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {"qps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "requests": len(latencies),
            "errors": errors[0]}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (worker processes), in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    queries = [q.text for q in load_queries() if not q.parameters]
    release = ProjectPaths.default().release
    runs = [("allianceskg (safety rules on, result cache on)", lambda: start_allianceskg()),
            ("allianceskg (safety rules on, result cache off)", lambda: start_allianceskg("--cache-entries", "0")),
            ("rdflib-endpoint 0.6 (uvicorn, one process)", lambda: start_rdflib_endpoint(release))]
    results = {}
    for name, start in runs:
        process, host, target = start()
        try:
            figures = load(host, target, queries, args.seconds, args.clients)
            figures["rss"] = rss_mb(process.pid)
            results[name] = figures
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"{len(queries)} competency queries round-robin, {args.clients} concurrent clients, "
          f"{args.seconds:g} s per server, keep-alive connections, JSON results:")
    print(f"  {'server':<50} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'RSS MB':>7}")
    for name, f in results.items():
        print(f"  {name:<50} {f['qps']:8.1f} {f['p50']:8.1f} {f['p99']:8.1f} {f['errors']:7d} {f['rss']:7.0f}")
    baseline = results["rdflib-endpoint 0.6 (uvicorn, one process)"]["qps"]
    for name, f in results.items():
        if not name.startswith("rdflib"):
            print(f"  throughput ratio, {name} / rdflib-endpoint: {f['qps'] / baseline:.1f}x")
    print(f"  (machine: {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
