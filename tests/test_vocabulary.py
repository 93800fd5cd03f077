"""The closed vocabulary module mirrors the ontology, and no file of the project uses
an akg: term the ontology does not declare (a misspelt term fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from allianceskg import resources
from allianceskg.model.checks import check_vocabulary, ontology_terms, vocabulary_terms
from allianceskg.vocab import AKG

AKG_NS = str(AKG._NS)
ROOT = resources.project_root()


def test_vocabulary_module_matches_the_ontology(ontology: Graph):
    assert vocabulary_terms() == ontology_terms(ontology)
    assert check_vocabulary(ontology) == []


def test_a_misspelt_term_raises():
    with pytest.raises(AttributeError, match="hasparty"):
        AKG.hasparty  # noqa: B018 - the lookup itself is the test


def test_a_term_missing_from_the_ontology_is_reported(ontology: Graph):
    shrunk = Graph()
    for triple in ontology:
        if triple[0] != AKG.hasParty:
            shrunk.add(triple)
    assert check_vocabulary(shrunk) == [
        "akg:hasParty is used in src/allianceskg/vocab.py but not declared in the ontology"]


def _akg_terms_in_text(text: str) -> set[str]:
    full = re.findall(re.escape(AKG_NS) + r"([A-Za-z0-9_]+)", text)
    prefixed = re.findall(r"(?<![\w:/#])akg:([A-Za-z][A-Za-z0-9_]*)", text)
    return set(full) | set(prefixed)


def _project_files() -> list[Path]:
    files = [resources.shapes_file(), resources.hygiene_shapes_file(),
             *resources.reference_files(), *resources.query_files(),
             *(ROOT / "tests" / "fixtures").rglob("*.t*")]
    return [f for f in files if f.suffix in (".ttl", ".trig", ".rq")]


@pytest.mark.parametrize("path", _project_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_use_only_declared_terms(ontology: Graph, path: Path):
    declared = ontology_terms(ontology)
    used = _akg_terms_in_text(path.read_text(encoding="utf-8"))
    # Broken shape fixtures may misuse terms on purpose, but never misspell them.
    assert used - declared == set(), f"undeclared akg: terms in {path.name}"


def test_code_uses_only_declared_terms(ontology: Graph):
    declared = ontology_terms(ontology)
    package = Path(__file__).resolve().parents[1] / "src" / "allianceskg"
    for module in package.glob("*.py"):
        for name in re.findall(r"\bAKG\.([A-Za-z_][A-Za-z0-9_]*)", module.read_text()):
            if not name.startswith("_"):
                assert name in declared, f"{module.name} uses undeclared akg:{name}"

