"""Draft and review: ``allianceskg draft`` writes the automatic layer's reading as a
claims file that the curated loader reads back unchanged, and that, kept as
data/claims/{doc-id}.yaml, makes the same facts curated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Literal
from rdflib.namespace import RDF

from allianceskg.build.claims import Resolver, load_curated
from allianceskg.build.corpus import load_document
from allianceskg.model.load import load_ontology, load_reference
from allianceskg.build.pipeline import ProjectPaths, build, draft
from allianceskg.vocab import AKG, GRAPH

from conftest import FIXTURES, make_home, run_cli

ARTICLES = [FIXTURES / "articles" / "canada-australia-minerals.txt",
            FIXTURES / "articles" / "india-eu-tech.md"]


def _loaded(tmp_path: Path, path: Path):
    """Draft ``path``, then read the draft back with the curated loader."""
    document = load_document(path)
    paths = ProjectPaths.default()
    text, count = draft(paths, document)
    out = tmp_path / f"{document.doc_id}.yaml"
    out.write_text(text, encoding="utf-8")
    resolver = Resolver(load_reference(paths.reference), load_ontology(paths.ontology))
    return document, yaml.safe_load(text), load_curated(out, document, resolver), count


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_a_draft_reads_back_as_the_same_claims(tmp_path: Path, path: Path):
    home = make_home(tmp_path / "home", [path], claims=False)
    automatic = build(ProjectPaths(home))
    provenance = automatic.graphs[GRAPH["provenance"]]
    expected = {((provenance.value(c, RDF.subject), provenance.value(c, RDF.predicate),
                  provenance.value(c, RDF.object)), provenance.value(c, AKG.modality),
                 provenance.value(c, AKG.attributedTo))
                for c in provenance.subjects(RDF.type, AKG.Claim)}
    document, data, curated, count = _loaded(tmp_path, path)
    assert count == len(curated.claims) > 0
    assert {(c.triple, c.modality, c.speaker and Literal(c.speaker))
            for c in curated.claims} == expected
    for group in data["claims"]:  # every group says what produced it
        assert group["construction"] and 0 < group["confidence"] <= 1
        assert group["modality"] in ("fact", "assessment", "speculation")


def test_a_draft_keeps_speakers_hedges_and_proposed_entities(tmp_path: Path):
    _, data, curated, _ = _loaded(tmp_path, ARTICLES[1])
    by_quote = {g["quote"]: g for g in data["claims"]}
    hedged = next(g for q, g in by_quote.items() if q.startswith("Vietnam and Indonesia may"))
    assert hedged["modality"] == "speculation"
    assert hedged["speaker"] == "people familiar with the talks"
    assert any(c.speaker == "people familiar with the talks" for c in curated.claims)
    assert {"label": "Trade and Technology Council", "type": "Organisation",
            "kind": "organisation"} in data["proposed_entities"]
    minted = {e["label"]: e for e in data["entities"]}
    assert minted["Vietnam–Indonesia maritime security framework"]["construction"] == "agreement"


def test_a_kept_draft_makes_the_document_curated_with_the_same_facts(tmp_path: Path):
    article = ARTICLES[0]
    home = make_home(tmp_path / "home", [article], claims=False)
    automatic = build(ProjectPaths(home))
    name = GRAPH[f"doc/{article.stem}"]
    target = home / "data" / "claims" / f"{article.stem}.yaml"
    result = run_cli("draft", article.stem, "-o", str(target), home=home)
    assert result.returncode == 0, result.stderr
    assert "fact(s) in" in result.stderr and target.is_file()
    curated = build(ProjectPaths(home))
    (report,) = curated.documents
    assert report.curated and report.layers["automatic"] == 0 and report.layers["both"] > 0
    without_minting = lambda g: {t for t in g if t[1] != AKG.mintedBy}  # noqa: E731
    assert without_minting(curated.graphs[name]) == without_minting(automatic.graphs[name])
    again = run_cli("draft", article.stem, "-o", str(target), home=home)
    assert again.returncode == 2 and "exists" in again.stderr and "--force" in again.stderr


def test_draft_names_an_unknown_document():
    result = run_cli("draft", "no-such-document")
    assert result.returncode == 2 and "no-such-document" in result.stderr
    assert "Traceback" not in result.stderr
