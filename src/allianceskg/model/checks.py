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
from rdflib.namespace import OWL, RDF, RDFS, XSD

from allianceskg.model.load import (load_hygiene_shapes, load_ontology, load_reference,
                               load_shapes, ontology_version)
from allianceskg.build.reasoning import infer
from allianceskg.build.validation import shapes_problems, validate
from allianceskg.vocab import AKG, ONTOLOGY_IRI


def check_model(package_version: str) -> list[str]:
    """Run every model check; return one line per problem (empty when all is well)."""
    ontology = load_ontology()
    problems = check_version(ontology, package_version)
    problems += check_hygiene(ontology)
    problems += check_profile(ontology)
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


# OWL 2 Structural Specification §4 (the datatype map) and §2.4 (reserved vocabulary).
OWL2_DATATYPES = {URIRef(str(XSD) + n) for n in (
    "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString",
    "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary",
    "base64Binary", "anyURI", "dateTime", "dateTimeStamp")} | {
    RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational}
_RESERVED = (str(RDF), str(RDFS), str(OWL), str(XSD))
_BUILT_IN_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy,
                         OWL.versionInfo, OWL.deprecated, OWL.priorVersion,
                         OWL.backwardCompatibleWith, OWL.incompatibleWith}


def check_profile(ontology: Graph) -> list[str]:
    """The OWL 2 DL conditions that put an ontology outside RL when broken (the OWL
    API's profile checker reports these): no reserved vocabulary used as a class, only
    datatypes of the OWL 2 datatype map as ranges, every annotation property declared."""
    problems = []
    for cls, axiom in ((o, p) for p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith)
                       for o in ontology.objects(None, p)):
        if isinstance(cls, URIRef) and str(cls).startswith(_RESERVED) and cls != OWL.Thing:
            problems.append(f"reserved vocabulary {cls} is used as a class ({axiom})")
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith(_RESERVED):
            problems.append(f"reserved vocabulary {cls} is declared as a class")
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for datatype in ontology.objects(prop, RDFS.range):
            if datatype not in OWL2_DATATYPES:
                problems.append(f"{prop} has range {datatype}, which is not in the OWL 2 "
                                f"datatype map: drop the range and check it with SHACL")
    declared = {p for kind in (OWL.AnnotationProperty, OWL.ObjectProperty, OWL.DatatypeProperty)
                for p in ontology.subjects(RDF.type, kind)}
    for predicate in sorted(set(ontology.predicates())):
        if str(predicate).startswith(_RESERVED) or predicate in _BUILT_IN_ANNOTATIONS:
            continue
        if predicate not in declared:
            problems.append(f"{predicate} is used but not declared (owl:AnnotationProperty)")
    return problems


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
