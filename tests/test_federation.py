"""Federation on an allowlist: SERVICE goes only to the endpoints the settings list,
against a second real SPARQL endpoint the tests start on loopback (another
`allianceskg serve`), on the default store and the memory store. An endpoint not
listed is a 403 naming the setting; a slow one is stopped by the query's time limit
while other clients are served; a redirect is never followed; an endless answer is
stopped by the worker's memory limit, and the service keeps answering."""

from __future__ import annotations

import http.server
import threading
import time

import pytest
import requests

from conftest import Server

JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def second():
    """The other endpoint: the session's release served by a second process."""
    running = Server("--store", "memory")
    yield running
    running.stop()


class _Odd(http.server.BaseHTTPRequestHandler):
    """An endpoint that misbehaves: /slow never answers in time, /endless streams a
    result that never ends, /moved redirects to the good endpoint."""

    target = ""

    def do_GET(self):  # noqa: N802
        self.answer()

    def do_POST(self):  # noqa: N802
        self.answer()

    def answer(self):
        if self.path.startswith("/slow"):
            time.sleep(30)
            return
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", self.target)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            self.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
            row = b'{"x": {"type": "literal", "value": "' + b"x" * 4000 + b'"}},'
            while True:
                self.wfile.write(row * 256)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def odd(second):
    _Odd.target = second.endpoint
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def federated(request, second, odd):
    allowed = [second.endpoint, f"{odd}/slow", f"{odd}/endless", f"{odd}/moved"]
    running = Server("--store", request.param, "--service-allowlist", " ".join(allowed),
                     "--query-timeout", "4", "--cache-entries", "0", "--worker-memory-mb", "256")
    yield running
    running.stop()


def ask(server, query: str, timeout: float = 60) -> requests.Response:
    return requests.post(server.endpoint, data={"query": query}, headers=JSON, timeout=timeout)


def test_an_allowed_endpoint_answers_and_joins_with_local_data(federated, second):
    query = f"""SELECT ?party ?label WHERE {{
      id:eu-japan-competitiveness-alliance akg:hasParty ?party .
      SERVICE <{second.endpoint}> {{ ?party rdfs:label ?label FILTER (LANG(?label) = "fr") }}
    }} ORDER BY ?party"""
    answer = ask(federated, query)
    assert answer.status_code == 200, answer.text[:400]
    rows = [(b["party"]["value"].rsplit("/", 1)[-1], b["label"]["value"])
            for b in answer.json()["results"]["bindings"]]
    assert rows == [("european-union", "Union européenne"), ("japan", "Japon")]


def test_an_endpoint_not_listed_is_refused_naming_the_setting(federated):
    answer = ask(federated, "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    assert answer.status_code == 403
    body = answer.json()
    assert "query.wikidata.org" in body["error"] and "service_allowlist" in body["hint"]


def test_a_redirect_is_never_followed(federated, odd):
    answer = ask(federated, f"SELECT * WHERE {{ SERVICE <{odd}/moved> {{ ?s ?p ?o }} }} LIMIT 1")
    assert 400 <= answer.status_code < 600 and answer.status_code != 500
    assert "redirect" in answer.json()["error"].lower()


def test_a_slow_endpoint_is_stopped_by_the_time_limit_and_others_are_served(federated, odd):
    results = {}

    def slow():
        started = time.monotonic()
        results["slow"] = ask(federated, f"SELECT * WHERE {{ SERVICE <{odd}/slow> {{ ?s ?p ?o }} }}")
        results["slow_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    light = ask(federated, "ASK { id:japan ?p ?o }")
    assert light.status_code == 200 and time.monotonic() - started < 3
    thread.join(60)
    assert results["slow"].status_code == 503 and "time limit" in results["slow"].json()["error"]
    assert results["slow_seconds"] < 12


def test_an_endless_answer_is_capped_and_the_service_lives_on(federated, odd):
    answer = ask(federated, f"SELECT * WHERE {{ SERVICE <{odd}/endless> {{ ?x ?p ?o }} }}", timeout=90)
    assert answer.status_code in (503, 400, 502) and answer.json()["ok"] is False
    assert ask(federated, "ASK { id:japan ?p ?o }").json()["boolean"] is True
