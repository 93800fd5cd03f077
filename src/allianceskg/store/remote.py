"""The ``remote`` store: any SPARQL 1.1 Query + Update + Graph Store endpoint (Virtuoso,
Fuseki, GraphDB, Oxigraph server, …).

Pushing (:func:`push`): each named graph of the release is sent with an HTTP PUT of
the Graph Store Protocol (§5.3, indirect identification ``?graph=IRI``), and graphs of
the project that the release no longer holds are dropped with SPARQL Update
(``DROP SILENT GRAPH``). Each PUT replaces one graph in one request; the push starts
only after the release was written whole.

Querying (:class:`RemoteStore`): the query reaches the endpoint only after it parsed
as a SPARQL 1.1 *query* with rdflib (an update, or a store's own extensions such as
Virtuoso's ``DEFINE`` pragmas, never pass) and its SERVICE endpoints were allowed.
The dataset is pinned with the Protocol's ``default-graph-uri`` and
``named-graph-uri`` (§2.1.4) to the release's graphs, so the store's other graphs
(Virtuoso keeps system graphs) are never seen; FROM and FROM NAMED are taken out of
the text and applied the same way, since some stores let the text win. Redirects are
refused (the pool installs the opener), the answer is read up to a byte limit, and
the worker's time limit covers the call.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from rdflib import Graph, URIRef

from allianceskg.errors import AllianceskgError
from allianceskg.sparql.lexical import dataset_clause_spans
from allianceskg.store.base import Boolean, Prepared, QueryFailed, Rows, StoreSpec, Triples
from allianceskg.store.terms import from_json
from allianceskg.vocab import GRAPH, PREFIXES

EMPTY_GRAPH = "urn:allianceskg:no-graph"  # named where the dataset must hold no graph
_READ_LIMIT_FACTOR = 4  # read at most this many times max_response_bytes from the store


def release_graphs(release: Path) -> dict[str, int]:
    """The release's non-empty named graphs and their sizes, from its manifest."""
    try:
        manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    except OSError:
        raise AllianceskgError(f"no release at {release}",
                               hint="run 'allianceskg build' first, or pass --data") from None
    return {name: count for name, count in sorted(manifest["graphs"].items()) if count}


def _request(url: str, *, data: bytes | None = None, method: str = "GET",
             headers: dict | None = None, timeout: float = 60.0) -> bytes:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _unreachable(spec: StoreSpec, exc: Exception) -> AllianceskgError:
    if isinstance(exc, urllib.error.HTTPError):
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        return AllianceskgError(f"the remote store at {exc.url} answered {exc.code}: {detail}",
                                hint="check that the endpoint accepts SPARQL Update and Graph "
                                     "Store PUT from this host (for Virtuoso: GRANT "
                                     "SPARQL_UPDATE TO \"SPARQL\")")
    reason = getattr(exc, "reason", exc)
    return AllianceskgError(f"cannot reach the remote store {spec.location}: {reason}",
                            hint="start the store, or check --store remote:URL")


def stored_counts(spec: StoreSpec, timeout: float = 60.0) -> dict[str, int]:
    """The project's graphs the remote store holds, with their sizes."""
    text = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(STRSTARTS(STR(?g), \"{GRAPH}\")) }} GROUP BY ?g")
    body = urllib.parse.urlencode({"query": text}).encode()
    try:
        answer = json.loads(_request(spec.location, data=body, method="POST", timeout=timeout,
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"}))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _unreachable(spec, exc) from None
    return {row["g"]["value"]: int(row["n"]["value"]) for row in answer["results"]["bindings"]}


def holds(spec: StoreSpec, release: Path) -> bool:
    """Whether the remote store holds exactly the release's graphs, by size."""
    return stored_counts(spec) == release_graphs(release)


def push(spec: StoreSpec, release: Path, *, timeout: float = 600.0) -> int:
    """Send every named graph of ``release`` to the remote store; drop the project's
    graphs it no longer has. Returns the number of triples sent."""
    from allianceskg.build.release import graph_file_name

    graphs = release_graphs(release)
    sent = 0
    for name, count in graphs.items():
        body = _ntriples(release / "graphs" / graph_file_name(URIRef(name)))
        url = _with_query(spec.graph_store_url, {"graph": name})
        try:  # Graph Store Protocol §5.3: PUT replaces the graph's content
            _request(url, data=body, method="PUT", timeout=timeout,
                     headers={"Content-Type": "text/turtle; charset=utf-8"})
        except (urllib.error.URLError, OSError) as exc:
            raise _unreachable(spec, exc) from None
        sent += count
    stale = sorted(set(stored_counts(spec)) - set(graphs))
    if stale:
        update = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in stale)
        try:
            _request(spec.update_url, data=urllib.parse.urlencode({"update": update}).encode(),
                     method="POST", timeout=timeout,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        except (urllib.error.URLError, OSError) as exc:
            raise _unreachable(spec, exc) from None
    return sent


def _ntriples(path: Path) -> bytes:
    """A graph file as N-Triples (a subset of Turtle every store's parser reads alike)."""
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph.serialize(format="nt", encoding="utf-8")


def _with_query(url: str, params: dict) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class RemoteStore:
    needs_parse = True  # only a query rdflib parses as SPARQL 1.1 is sent on

    def __init__(self, spec: StoreSpec, graphs: list[str], *, max_response_bytes: int) -> None:
        self.spec = spec
        self.graphs = graphs
        self.read_limit = max_response_bytes * _READ_LIMIT_FACTOR
        self._prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))

    @classmethod
    def open(cls, spec: StoreSpec, release: Path, *, max_response_bytes: int) -> RemoteStore:
        return cls(spec, list(release_graphs(release)), max_response_bytes=max_response_bytes)

    def start(self) -> None:
        """Nothing to open: each query is one HTTP request."""

    def _dataset(self, query: Prepared) -> tuple[str, list[str], list[str]]:
        """The text to send and its dataset: the request's graph parameters, else the
        query's FROM / FROM NAMED, else every graph of the release (union default)."""
        text, ours = query.text, set(self.graphs)
        if query.default_graphs or query.named_graphs:
            defaults, named = list(query.default_graphs), list(query.named_graphs)
        else:
            clauses = query.parsed.algebra.get("datasetClause") or []
            defaults = [str(c.default) for c in clauses if c.get("default") is not None]
            named = [str(c.named) for c in clauses if c.get("named") is not None]
            if not clauses:
                return text, self.graphs, self.graphs
        for start, end in reversed(dataset_clause_spans(text)):
            text = text[:start] + " " + text[end:]
        defaults = [g for g in defaults if g in ours] or [EMPTY_GRAPH]
        named = [g for g in named if g in ours] or [EMPTY_GRAPH]
        return text, defaults, named

    def evaluate(self, query: Prepared):
        text, defaults, named = self._dataset(query)
        form = query.parsed.algebra.name.removesuffix("Query").upper()
        accept = ("application/n-triples, text/turtle;q=0.8" if form in ("CONSTRUCT", "DESCRIBE")
                  else "application/sparql-results+json")
        fields = [("query", self._prologue + text)]
        fields += [("default-graph-uri", g) for g in defaults]
        fields += [("named-graph-uri", g) for g in named]
        request = urllib.request.Request(
            self.spec.location, data=urllib.parse.urlencode(fields).encode(), method="POST",
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=query.timeout + 1) as response:
                body = response.read(self.read_limit + 1)
                media = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if 400 <= exc.code < 500:
                raise QueryFailed(400, f"the store refused the query: {detail[:500]}",
                                  "check the query against the SPARQL 1.1 grammar") from None
            raise QueryFailed(502, f"the remote store answered {exc.code}: {detail[:300]}",
                              "retry later; the operator can check the store's log") from None
        except (urllib.error.URLError, OSError) as exc:
            raise QueryFailed(502, f"the remote store is unreachable: "
                                   f"{getattr(exc, 'reason', exc)}",
                              "retry later; the operator can check --store remote:URL") from None
        if len(body) > self.read_limit:
            raise QueryFailed(503, f"the store's answer is larger than {self.read_limit} bytes",
                              "make the query more selective (LIMIT), or ask the operator to "
                              "raise max_response_bytes")
        if form in ("CONSTRUCT", "DESCRIBE"):
            return _triples(body, media, query.max_rows)
        try:
            answer = json.loads(body)
        except ValueError:
            raise QueryFailed(502, "the remote store's answer is not SPARQL JSON results",
                              "check that --store remote:URL names a SPARQL endpoint") from None
        if "boolean" in answer:
            return Boolean(bool(answer["boolean"]))
        variables = list(answer.get("head", {}).get("vars", []))
        bindings = answer.get("results", {}).get("bindings", [])
        rows = [tuple(from_json(b[v]) if v in b else None for v in variables)
                for b in bindings[:query.max_rows]]
        return Rows(variables, rows, len(bindings) > query.max_rows)


def _triples(body: bytes, media: str, cap: int) -> Triples:
    graph = Graph()
    try:
        graph.parse(data=body, format="nt" if media in ("application/n-triples", "text/plain")
                    else "turtle")
    except Exception:  # noqa: BLE001 (any parser error: the store sent something else)
        raise QueryFailed(502, f"the remote store's graph ({media}) could not be read",
                          "check that --store remote:URL names a SPARQL endpoint") from None
    if len(graph) <= cap:
        return Triples(graph, False)
    capped = Graph()
    for index, triple in enumerate(sorted(graph)):
        if index == cap:
            break
        capped.add(triple)
    return Triples(capped, True)
