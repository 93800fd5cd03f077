"""Curated claim files: every fact resolves to IRIs and is anchored at its quote; a
quote that is not in the document, or a name that resolves to no entity or to
several, is refused naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from allianceskg import resources
from allianceskg.build.claims import Resolver, load_curated
from allianceskg.build.corpus import Document, load_document
from allianceskg.errors import InputFileError
from allianceskg.vocab import AKG, ID

SEED = "000_d4fee536fbe95bae"


@pytest.fixture(scope="module")
def seed() -> Document:
    return load_document(resources.folder("seeds") / f"{SEED}.txt")


@pytest.fixture
def resolver(reference: Graph, ontology: Graph) -> Resolver:
    return Resolver(reference, ontology)


def _claims_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / f"{SEED}.yaml"
    path.write_text(f"document: {SEED}\nclaims:\n{body}", encoding="utf-8")
    return path


def test_the_seed_claims_resolve_and_sit_at_their_quotes(seed: Document, resolver: Resolver):
    claims = load_curated(resources.folder("data") / "claims" / f"{SEED}.yaml", seed, resolver)
    assert len(claims.claims) == 90 and len(claims.entities) == 4
    for claim in claims.claims:
        assert claim.method == AKG.Curation
        assert 0 <= claim.start < claim.end <= len(seed.text)
    launch = [c for c in claims.claims if c.triple == (
        ID["eu-japan-competitiveness-alliance"], AKG.hasParty, ID["japan"])]
    assert seed.text[launch[0].start:launch[0].end].startswith("the European Union and Japan")


def test_a_quote_not_in_the_document_names_file_and_line(tmp_path, seed, resolver):
    path = _claims_file(tmp_path, "  - quote: Japan and Mars have launched a lunar alliance\n"
                                  "    modality: fact\n"
                                  "    facts:\n      - [Japan, partnerOf, China]\n")
    with pytest.raises(InputFileError) as caught:
        load_curated(path, seed, resolver)
    assert (caught.value.path, caught.value.line) == (path, 3)
    assert "the quote is not in 000_d4fee536fbe95bae.txt" in str(caught.value)


def test_an_unknown_name_names_file_and_line(tmp_path, seed, resolver):
    path = _claims_file(tmp_path, "  - quote: Japan finalized a bilateral trade agreement\n"
                                  "    modality: fact\n"
                                  "    facts:\n"
                                  "      - [Japan, partnerOf, European Union]\n"
                                  "      - [Japan, partnerOf, Atlantis]\n")
    with pytest.raises(InputFileError) as caught:
        load_curated(path, seed, resolver)
    assert caught.value.line == 7
    assert "'Atlantis' names no known entity" in str(caught.value)


def test_an_ambiguous_name_lists_the_entities(tmp_path, seed, resolver):
    path = _claims_file(tmp_path, "  - quote: Japan finalized a bilateral trade agreement\n"
                                  "    modality: fact\n"
                                  "    facts:\n      - [Japan, partnerOf, Micronesia]\n")
    with pytest.raises(InputFileError) as caught:
        load_curated(path, seed, resolver)
    message = str(caught.value)
    assert caught.value.line == 6
    assert "'Micronesia' names several entities" in message and "use id:slug" in message
    assert "id:micronesia" in message and "id:region-micronesia" in message


@pytest.mark.parametrize("fact, problem", [
    ("[Japan, partnerof, China]", "akg:partnerof is not a term of the ontology"),
    ("[Japan, Alliance, China]", "akg:Alliance is not a property of the ontology"),
    ("[Japan, a, Nation]", "akg:Nation is not a term of the ontology"),
])
def test_bad_predicates_and_classes_are_named(tmp_path, seed, resolver, fact, problem):
    path = _claims_file(tmp_path, "  - quote: Japan finalized\n    modality: fact\n"
                                  f"    facts:\n      - {fact}\n")
    with pytest.raises(InputFileError, match=problem):
        load_curated(path, seed, resolver)


def test_an_unknown_modality_is_refused(tmp_path, seed, resolver):
    path = _claims_file(tmp_path, "  - quote: Japan finalized\n    modality: rumour\n"
                                  "    facts:\n      - [Japan, partnerOf, China]\n")
    with pytest.raises(InputFileError, match="unknown modality 'rumour'") as caught:
        load_curated(path, seed, resolver)
    assert "fact, assessment, speculation" in caught.value.hint


def test_a_claim_file_for_another_document_is_refused(tmp_path, seed, resolver):
    path = tmp_path / "x.yaml"
    path.write_text("document: someone-else\nclaims: []\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="'document' must be '000_d4fee536fbe95bae'"):
        load_curated(path, seed, resolver)


def test_ids_types_and_typed_literals(tmp_path, seed, resolver):
    path = _claims_file(tmp_path, "  - quote: Japan finalized\n    modality: fact\n    facts:\n"
                                  "      - [id:japan-us-trade-agreement, agreementDate, 2025-07-22]\n"
                                  "      - [id:some-new-thing, a, Stance]\n")
    claims = load_curated(path, seed, resolver).claims
    assert claims[0].object == Literal("2025-07-22", datatype=XSD.date)
    assert claims[1].triple == (ID["some-new-thing"], RDF.type, AKG.Stance)
