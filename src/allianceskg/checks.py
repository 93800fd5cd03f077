"""Check the knowledge model itself, before any document is built.

Checks: the shapes are well-formed SHACL; the reference data conforms to them on its
own; the ontology's version equals the package's; the hygiene shapes conform on
the ontology (labels, definitions, isDefinedBy, header); the code's vocabulary module
names exactly the ontology's terms; the reference data is consistent with the
ontology under OWL 2 RL (no disjointness broken). Returns the problems as lines of
text; an unreadable file raises InputFileError naming the file and line.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from allianceskg.model import (load_hygiene_shapes, load_ontology, load_reference,
                               load_shapes, ontology_version)
from allianceskg.reasoning import infer
from allianceskg.validation import shapes_problems, validate
from allianceskg.vocab import AKG, ONTOLOGY_IRI


def check_model(package_version: str) -> list[str]:
    """Run every model check; return one line per problem (empty when all is well)."""
    ontology = load_ontology()
    problems = check_version(ontology, package_version)
    problems += check_hygiene(ontology)
    problems += check_vocabulary(ontology)
    problems += [f"ontology/shapes.ttl: {line}" for line in shapes_problems(load_shapes())]
    reference = load_reference()
    problems += check_reference_shapes(ontology, reference)
    problems += check_reference_consistency(ontology, reference)
    return problems


def check_version(ontology: Graph, package_version: str) -> list[str]:
    """owl:versionInfo equals the package version; the versionIRI ends with it."""
    found = ontology_version(ontology)
    problems = []
    if found != package_version:
        problems.append(f"ontology owl:versionInfo is {found!r} but the package version is "
                        f"{package_version!r}: update ontology/allianceskg.ttl")
    version_iri = ontology.value(ONTOLOGY_IRI, URIRef("http://www.w3.org/2002/07/owl#versionIRI"))
    if version_iri is None or not str(version_iri).endswith(f"/{package_version}"):
        problems.append(f"ontology owl:versionIRI {version_iri} does not end with "
                        f"/{package_version}")
    return problems


def check_hygiene(ontology: Graph) -> list[str]:
    """The ontology conforms to ontology/hygiene-shapes.ttl."""
    shapes = load_hygiene_shapes()
    report = validate(ontology, shapes)
    return [result.describe(ontology) for result in report.results]


def ontology_terms(ontology: Graph) -> set[str]:
    """Local names of every term the ontology declares in the akg: namespace."""
    namespace = str(AKG._NS)
    return {str(s)[len(namespace):] for s in ontology.subjects()
            if isinstance(s, URIRef) and str(s).startswith(namespace)}


def vocabulary_terms() -> set[str]:
    """Local names the code's closed namespace AKG declares."""
    return set(AKG.__annotations__)


def check_vocabulary(ontology: Graph) -> list[str]:
    """The vocabulary module and the ontology declare the same akg: terms."""
    declared, coded = ontology_terms(ontology), vocabulary_terms()
    problems = [f"akg:{name} is used in src/allianceskg/vocab.py but not declared in the "
                f"ontology" for name in sorted(coded - declared)]
    problems += [f"akg:{name} is declared in the ontology but missing from "
                 f"src/allianceskg/vocab.py" for name in sorted(declared - coded)]
    return problems


def check_reference_shapes(ontology: Graph, reference: Graph) -> list[str]:
    """The reference data conforms to the data shapes on its own (no violation)."""
    report = validate(reference, load_shapes(), ontology)
    return [f"reference data: {r.describe(reference)}" for r in report.violations]


def check_reference_consistency(ontology: Graph, reference: Graph) -> list[str]:
    """The reference data breaks no disjointness or other OWL 2 RL constraint."""
    return [f"inconsistent reference data: {message}"
            for message in infer(ontology, reference).inconsistencies]
