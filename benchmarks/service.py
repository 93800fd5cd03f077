"""Benchmark the SPARQL service against rdflib-endpoint on the same release, same
machine, same run: queries per second and p50/p99 latency for the competency-question
mix, and the memory of each serving process.

Run from the project root (rdflib-endpoint and uvicorn are benchmark-only tools,
not dependencies of the project):

    pip install rdflib-endpoint uvicorn
    python benchmarks/service.py [--seconds 15] [--clients 8]

Servers, one after the other, each warmed up first: allianceskg serve with default
settings (worker processes, time limit, row cap, bounded queue, result cache), and
rdflib-endpoint (FastAPI + rdflib in one process) under uvicorn. For each:

- the soak with repeated texts (the competency mix round-robin: caches help);
- the soak with unique texts (a comment makes every request new: each one reaches a
  worker — the figure to watch);
- the latency of a light query (uncached) while 20 heavy queries run;
- resident memory of the server and all its processes, sampled every second.

503 answers (the bounded queue refusing, with Retry-After) are counted apart from
other errors; clients do not retry them here.
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

from allianceskg.build.pipeline import ProjectPaths
from allianceskg.analysis.queries import load_queries

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


STARTUP: dict[int, float] = {}  # pid -> seconds from launch to the first answer


def start_allianceskg(*flags: str) -> tuple[subprocess.Popen, str, str]:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "allianceskg", "serve", "--port", "0", *flags],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    line = process.stderr.readline()
    found = re.search(r":(\d+)/sparql", line)
    if not found:
        raise SystemExit(f"allianceskg did not start: {line}{process.stderr.read()}")
    port = found.group(1)
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    _quiet("127.0.0.1", int(port), "/sparql", "ASK {}")
    STARTUP[process.pid] = time.monotonic() - started
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


def load(host: str, target: str, queries: list[str], seconds: float, clients: int,
         unique: bool, pid: int) -> dict:
    port, path = target.split(":", 1)
    for query in queries:  # warm up: parse caches, result caches, lazy imports
        request(host, int(port), path, query)
    latencies: list[float] = []
    counts = {"refused": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    serial = iter(range(10**9))
    memory: list[float] = []

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        position = offset
        while time.monotonic() < deadline:
            query = queries[position % len(queries)]
            if unique:
                query += f"\n# request {next(serial)}"
            status, elapsed = request(host, int(port), path, query, connection)
            position += 1
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                elif status == 503:
                    counts["refused"] += 1
                else:
                    counts["errors"] += 1
                    counts.setdefault("statuses", set()).add(status)
        connection.close()

    def sample() -> None:
        while time.monotonic() < deadline:
            memory.append(rss_mb(pid))
            time.sleep(1)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    if not latencies:  # every request failed: say so instead of stopping the run
        latencies = [float("nan")]
    return {"qps": len([x for x in latencies if x == x]) / wall,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
            "refused": counts["refused"], "errors": counts["errors"],
            "statuses": sorted(counts.get("statuses", ())),
            "rss_min": min(memory, default=0), "rss_max": max(memory, default=0)}


HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }"


def light_under_heavy(host: str, target: str) -> float:
    """Milliseconds for a light, uncached query while 20 heavy ones run."""
    port, path = target.split(":", 1)
    threads = [threading.Thread(target=lambda i=i: _quiet(host, int(port), path, HEAVY + f" # {i}"))
               for i in range(20)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    status, elapsed = request(host, int(port), path, f"ASK {{ ?s a ?t }} # {time.time()}")
    for thread in threads:
        thread.join()
    return elapsed * 1000 if status == 200 else float("nan")


def _quiet(host: str, port: int, path: str, query: str) -> None:
    try:
        request(host, port, path, query)
    except OSError:
        pass


def rss_mb(pid: int) -> float:
    """Resident memory of a process and every process below it, in MB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+)", status)
        if found:  # a process exiting (a replaced worker) has none
            total += int(found.group(1))
        todo += [int(c) for c in children]
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--data", type=Path, default=None, help="release folder to serve")
    parser.add_argument("--stores", default="oxigraph,memory",
                        help="allianceskg stores to run, comma separated: oxigraph, memory, "
                             "remote (starts a Virtuoso on loopback: Debian virtuoso-opensource-7-bin)")
    parser.add_argument("--cache", choices=("on", "off", "both"), default="on")
    args = parser.parse_args()
    queries = [q.text for q in load_queries() if not q.parameters]
    release = args.data or ProjectPaths.default().release
    data = ["--data", str(release)] if args.data else []
    virtuoso = None
    runs = []
    for store in args.stores.split(","):
        flags = ["--store", store]
        if store == "remote":
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            import tempfile

            from conftest import Virtuoso  # the tests' loopback Virtuoso

            virtuoso = Virtuoso(Path(tempfile.mkdtemp(prefix="bench-virtuoso-")))
            flags = ["--store", f"remote:{virtuoso.endpoint}",
                     "--remote-graph-store-url", virtuoso.graph_store]
        for cache in (("on", "off") if args.cache == "both" else (args.cache,)):
            extra = [] if cache == "on" else ["--cache-entries", "0"]
            runs.append((f"allianceskg --store {store}, cache {cache}",
                         lambda f=flags + extra: start_allianceskg(*data, *f)))
    runs.append(("rdflib-endpoint 0.6 (uvicorn, one process)", lambda: start_rdflib_endpoint(release)))
    results = {}
    for name, start in runs:
        process, host, target = start()
        try:
            results[name] = {
                "repeated": load(host, target, queries, args.seconds, args.clients, False, process.pid),
                "unique": load(host, target, queries, args.seconds, args.clients, True, process.pid),
                # rdflib-endpoint has no time limit: its heavy queries would run for minutes
                "light_ms": light_under_heavy(host, target) if name.startswith("allianceskg")
                else None}
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:  # still draining long queries: stop it
                process.kill()
                process.wait(timeout=60)
        results[name]["startup"] = STARTUP.get(process.pid)
        r = results[name]
        print(f"done: {name}: " + ", ".join(
            f"{mode} {r[mode]['qps']:.1f} q/s p99 {r[mode]['p99']:.0f} ms errors {r[mode]['errors']}"
            f" {r[mode]['statuses'] or ''}" for mode in ("repeated", "unique")), flush=True)
    if virtuoso is not None:
        virtuoso.stop()
    print(f"{len(queries)} competency queries round-robin, {args.clients} concurrent clients, "
          f"{args.seconds:g} s per soak, keep-alive connections, JSON results:")
    print(f"  {'server':<62} {'texts':<9} {'q/s':>7} {'p50 ms':>7} {'p99 ms':>8} {'503s':>6} "
          f"{'errors':>6} {'RSS MB':>11}")
    for name, r in results.items():
        for mode in ("repeated", "unique"):
            f = r[mode]
            print(f"  {name:<62} {mode:<9} {f['qps']:7.1f} {f['p50']:7.1f} {f['p99']:8.1f} "
                  f"{f['refused']:6d} {f['errors']:6d} {f['rss_min']:5.0f}-{f['rss_max']:<5.0f}")
    for name, r in results.items():
        shown = f"{r['light_ms']:.0f} ms" if r["light_ms"] is not None else \
            "not measured (no time limit: the heavy queries would run for minutes)"
        print(f"  light query while 20 heavy ones run, {name}: {shown}")
    for name, r in results.items():
        if r["startup"] is not None:
            print(f"  start-up to the first answer, {name}: {r['startup']:.1f} s")
    theirs = results[runs[-1][0]]
    for name, ours in list(results.items())[:-1]:
        for mode in ("repeated", "unique"):
            print(f"  throughput ratio ({mode} texts), {name} / rdflib-endpoint: "
                  f"{ours[mode]['qps'] / theirs[mode]['qps']:.1f}x")
    print(f"  (machine: {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
