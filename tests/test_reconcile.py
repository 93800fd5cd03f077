"""The Reconciliation Service API 0.2 at /reconcile, as OpenRefine calls it: every
response validated against the specification's JSON schemas
(tests/conformance/reconciliation/0.2/schemas), form-encoded and GET batches, JSONP,
CORS, types, property constraints, limits, suggest, flyouts, preview and data
extension. The schemas' own valid and invalid examples check the validator first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

SCHEMAS = Path(__file__).parent / "conformance" / "reconciliation" / "0.2" / "schemas"
EXAMPLES = SCHEMAS.parent / "examples"


def _registry():
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = referencing.Resource.from_contents(
            contents, default_specification=referencing.jsonschema.DRAFT7)
        resources.append((contents["$id"], resource))
        resources.append((f"https://reconciliation-api.github.io/specs/0.2/schemas/{path.name}", resource))
    return referencing.Registry().with_resources(resources)


REGISTRY = _registry()


def check(schema: str, instance) -> None:
    contents = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(contents, registry=REGISTRY)
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, [e.message for e in errors[:5]]


def test_the_validator_accepts_the_valid_examples_and_rejects_the_invalid_ones():
    pairs = {"manifest": "manifest.json", "reconciliation-query-batch": "reconciliation-query-batch.json",
             "reconciliation-result-batch": "reconciliation-result-batch.json",
             "data-extension-response": "data-extension-response.json"}
    checked = 0
    for folder, schema in pairs.items():
        for path in sorted((EXAMPLES / folder / "valid").glob("*.json")):
            if "authentication" in path.name:
                continue  # refers to the Swagger 2.0 schema, not shipped
            check(schema, json.loads(path.read_text(encoding="utf-8")))
            checked += 1
        for path in sorted((EXAMPLES / folder / "invalid").glob("*.json")):
            with pytest.raises(AssertionError):
                check(schema, json.loads(path.read_text(encoding="utf-8")))
            checked += 1
    assert checked >= 10


def call(server, path="/reconcile", method="get", **params) -> requests.Response:
    url = server.base + path
    if method == "post":
        return requests.post(url, data=params, timeout=30)
    return requests.get(url, params=params, timeout=30)


def test_the_manifest(server):
    response = call(server)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    manifest = response.json()
    check("manifest.json", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/allianceskg/id/"
    assert "0.2" in manifest["versions"] and "{{id}}" in manifest["view"]["url"]
    assert requests.get(manifest["view"]["url"].replace("{{id}}", "japan"), timeout=10).status_code == 200


BATCH = {
    "q0": {"query": "Japan", "type": "State"},
    "q1": {"query": "japon"},
    "q2": {"query": "Competitivness Alliance", "limit": 2},
    "q3": {"query": "Korea", "properties": [{"pid": "iso3166Alpha3", "v": "KOR"}]},
    "q4": {"properties": [{"pid": "iso3166Alpha2", "v": "fr"}]},
    "q5": {"query": "Japan", "type": "Risk"},
    "q6": {"query": "Georgia", "type": ["State", "Region"], "type_strict": "any"},
    "q7": {"query": "zzzz qqqq"},
}


@pytest.mark.parametrize("method", ["post", "get"])
def test_a_batch_of_queries_form_encoded_or_in_the_url(server, method):
    check("reconciliation-query-batch.json", BATCH)
    response = call(server, method=method, queries=json.dumps(BATCH))
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    results = response.json()
    check("reconciliation-result-batch.json", results)
    assert set(results) == set(BATCH)
    first = {k: (v["result"][0] if v["result"] else None) for k, v in results.items()}
    assert first["q0"]["id"] == "japan" and first["q0"]["match"] is True
    assert {"id": "State", "name": "state"} in first["q0"]["type"]
    assert first["q1"]["id"] == "japan"                              # another language
    assert len(results["q2"]["result"]) == 2                          # the limit
    assert first["q2"]["id"] == "eu-japan-competitiveness-alliance"   # a typo
    assert first["q2"]["match"] is False                              # not certain
    assert first["q3"]["id"] == "south-korea" and first["q3"]["match"] is True
    assert {"id": "property:iso3166Alpha3", "value": True} in first["q3"]["features"]
    assert first["q4"]["id"] == "france"                              # by property alone
    assert "japan" not in [c["id"] for c in results["q5"]["result"]]  # Japan is no risk
    assert [c["id"] for c in results["q5"]["result"]][:1] == ["japan-supply-shocks"]
    assert first["q6"]["id"] == "georgia"
    assert results["q7"]["result"] == []
    scores = [c["score"] for c in results["q2"]["result"]]
    assert scores == sorted(scores, reverse=True)


def test_jsonp_and_cors_preflight(server):
    wrapped = call(server, queries=json.dumps({"q0": {"query": "Japan"}}), callback="jQuery123_cb")
    assert wrapped.headers["Content-Type"].startswith("application/javascript")
    text = wrapped.text
    assert text.startswith("/**/jQuery123_cb(") and text.endswith(");")
    check("reconciliation-result-batch.json", json.loads(text[len("/**/jQuery123_cb("):-2]))
    assert call(server, callback="alert(1)//").status_code == 400
    preflight = requests.options(server.base + "/reconcile", timeout=10,
                                 headers={"Origin": "http://openrefine.example",
                                          "Access-Control-Request-Method": "POST"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_bad_batches_are_clear_400s(server):
    for queries in ("not json", "[]", json.dumps({"q0": {"type": "State"}}),
                    json.dumps({"q0": {"query": "x", "limit": -1}}),
                    json.dumps({f"q{i}": {"query": "x"} for i in range(101)})):
        response = call(server, method="post", queries=queries)
        assert response.status_code == 400, queries[:40]
        assert response.json()["ok"] is False and response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("kind,prefix,expected,schema", [
    ("entity", "jap", "japan", "suggest-entities-response.json"),
    ("type", "sta", "State", "suggest-types-response.json"),
    ("property", "iso", "iso3166Alpha2", "suggest-properties-response.json")])
def test_suggest_services(server, kind, prefix, expected, schema):
    manifest = call(server).json()
    service = manifest["suggest"][kind]
    answer = requests.get(service["service_url"] + service["service_path"],
                          params={"prefix": prefix}, timeout=10).json()
    check(schema, answer)
    assert expected in [r["id"] for r in answer["result"]]
    flyout = service["flyout_service_path"].replace("${id}", expected)
    assert expected in requests.get(service["service_url"] + flyout, timeout=10).json()["id"]


def test_preview(server):
    manifest = call(server).json()
    response = requests.get(manifest["preview"]["url"].replace("{{id}}", "japan"), timeout=10)
    assert response.status_code == 200 and "Japan" in response.text
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert requests.get(server.base + "/reconcile/preview", params={"id": "no-such"},
                        timeout=10).status_code == 404


def test_data_extension(server):
    manifest = call(server).json()
    propose = manifest["extend"]["propose_properties"]
    proposal = requests.get(propose["service_url"] + propose["service_path"],
                            params={"type": "State"}, timeout=10).json()
    check("data-extension-property-proposal.json", proposal)
    assert "iso3166Alpha2" in [p["id"] for p in proposal["properties"]]
    query = {"ids": ["japan", "france"],
             "properties": [{"id": "iso3166Alpha2"}, {"id": "inRegion"}, {"id": "skos:exactMatch"}]}
    check("data-extension-query.json", query)
    answer = call(server, method="post", extend=json.dumps(query)).json()
    check("data-extension-response.json", answer)
    assert answer["rows"]["japan"]["iso3166Alpha2"] == [{"str": "JP"}]
    assert {"id": "region-eastern-asia", "name": "Eastern Asia"} in answer["rows"]["japan"]["inRegion"]
    assert {"str": "http://www.wikidata.org/entity/Q17"} in answer["rows"]["japan"]["skos:exactMatch"]
    assert [m["id"] for m in answer["meta"]] == ["iso3166Alpha2", "inRegion", "skos:exactMatch"]


def test_an_unknown_type_matches_nothing_rather_than_failing(server):
    answer = call(server, method="post", queries=json.dumps({"q0": {"query": "Japan", "type": "Nation"}}))
    assert answer.status_code == 200 and answer.json() == {"q0": {"result": []}}
