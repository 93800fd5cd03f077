"""Benchmark the pages: server time of entity pages with the most facts, document
pages, search and explanations, against the issue's target (100 ms server time for an
entity with hundreds of facts), cold (result cache off, every SELECT reaches a worker)
and warm (cache on, after one visit), in one run.

    python benchmarks/pages.py [--data RELEASE] [--entities 10] [--repeat 5]

Server time is the service's own ``Server-Timing: app;dur=…`` header (W3C Server
Timing): from the request's arrival to the response leaving the app, every SPARQL
query of the page included. Each setting starts a fresh ``allianceskg serve``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HTML = {"Accept": "text/html"}
TARGET_MS = 100.0


def start(data: Path | None, *extra: str) -> tuple[subprocess.Popen, str]:
    args = [sys.executable, "-m", "allianceskg", "serve", "--port", "0", *extra]
    if data is not None:
        args += ["--data", str(data)]
    process = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"http://([\d.]+):(\d+)/sparql", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line}{process.stderr.read()}")
    return process, f"http://{match[1]}:{match[2]}"


def get(url: str, headers: dict | None = None) -> tuple[float, int, bytes]:
    request = urllib.request.Request(url, headers=headers or HTML)
    try:
        response = urllib.request.urlopen(request, timeout=120)
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url}: {exc.code} {exc.read()[:300]!r}") from None
    with response:
        body = response.read()
        timing = response.headers.get("Server-Timing", "")
        match = re.search(r"dur=([\d.]+)", timing)
        return float(match[1]) if match else float("nan"), response.status, body


def busiest(base: str, count: int) -> list[tuple[str, int]]:
    """The entities (id: IRIs) with the most triples about them, either way."""
    query = """SELECT ?e (COUNT(*) AS ?n) WHERE {
      { GRAPH ?g { ?e ?p ?o } } UNION { GRAPH ?g { ?x ?q ?e } }
      FILTER (isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/allianceskg/id/"))
    } GROUP BY ?e ORDER BY DESC(?n) LIMIT %d""" % count
    request = urllib.request.Request(base + "/sparql", data=urllib.parse.urlencode(
        {"query": query}).encode(), headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=900) as response:
        body = response.read()
    rows = json.loads(body)["results"]["bindings"]
    return [(r["e"]["value"], int(r["n"]["value"])) for r in rows]


def inferred_triple(base: str, entity: str) -> dict[str, str]:
    """An entailment about ``entity`` (graph/inferred), to explain."""
    query = ("SELECT ?p ?o WHERE { GRAPH <https://w3id.org/allianceskg/graph/inferred> { <%s> ?p ?o } "
             "FILTER (isIRI(?o)) } "
             "ORDER BY (?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) ?p ?o LIMIT 1" % entity)
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    _, _, body = get(url, {"Accept": "application/sparql-results+json"})
    row = json.loads(body)["results"]["bindings"][0]
    return {"s": entity, "p": row["p"]["value"], "o": row["o"]["value"]}


def measure(base: str, paths: list[str], repeat: int) -> dict[str, list[float]]:
    times = {}
    for path in paths:
        times[path] = [get(base + path)[0] for _ in range(repeat)]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="release folder (default: data/kg)")
    parser.add_argument("--entities", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # Finding the busiest entities is a scan of every triple: a probe server with a long
    # time limit does it; the measured servers run with the default settings.
    process, base = start(args.data, "--query-timeout", "600")
    try:
        entities = busiest(base, args.entities)
        explained = inferred_triple(base, entities[0][0])
    finally:
        process.terminate()
        process.wait(timeout=30)
    results = {}
    for setting, extra in (("cold (cache off)", ("--cache-entries", "0")), ("warm (cache on)", ())):
        process, base = start(args.data, *extra)
        try:
            paths = ["/" + e[len("https://w3id.org/allianceskg/"):] for e, _ in entities]
            docs = json.loads(get(base + "/doc/", {"Accept": "application/json"})[2])["documents"]
            paths += [d["page"] for d in docs[:3]]
            paths += ["/search?q=japan", "/search?q=competitivness",
                      "/explain?" + urllib.parse.urlencode(explained)]
            get(base + "/search?q=warm-up")  # the search index is read once per release
            if setting.startswith("warm"):
                measure(base, paths, 1)
            results[setting] = (measure(base, paths, args.repeat), dict(entities))
        finally:
            process.terminate()
            process.wait(timeout=30)
    cold, facts = results["cold (cache off)"]
    warm, _ = results["warm (cache on)"]
    print(f"Server time per page, median of {args.repeat} (ms); target {TARGET_MS:.0f} ms")
    print(f"  {'page':58} {'triples':>8} {'cold':>8} {'warm':>8}")
    print(f"  (explained: {explained['s']} {explained['p']} {explained['o']})")
    for path in cold:
        iri = "https://w3id.org/allianceskg" + path
        print(f"  {path[:58]:58} {facts.get(iri, ''):>8} {statistics.median(cold[path]):8.1f} "
              f"{statistics.median(warm[path]):8.1f}")
    entity_cold = [statistics.median(t) for p, t in cold.items() if p.startswith("/id/")]
    print(f"entity pages: cold max {max(entity_cold):.1f} ms, "
          f"{sum(t <= TARGET_MS for t in entity_cold)}/{len(entity_cold)} under the target")


if __name__ == "__main__":
    main()
