"""Claims: facts with their evidence, from curated claim files.

Input: ``data/claims/{doc-id}.yaml`` (one per curated document), the document, and a
:class:`Resolver` over the reference data and the ontology. Output: a
:class:`ClaimSet` of :class:`Claim` values (triple, quote offsets, modality, method,
confidence) and the :class:`Entity` nodes the document introduces (stances, say).

A claim file groups facts under the verbatim quote that supports them::

    document: 000_d4fee536fbe95bae
    entities:
      - id: stance-us-approval-of-the-alliance
        type: Stance
        label: U.S. approval of the EU-Japan Competitiveness Alliance
    claims:
      - quote: the European Union and Japan have formally launched
        modality: fact            # fact | assessment | speculation
        speaker: Brussels         # optional: who the text attributes it to
        facts:
          - [EU-Japan Competitiveness Alliance, hasParty, European Union]

Subjects and objects are labels or aliases (any case), ``id:slug`` or ``akg:Term``;
predicates are ontology property names (``hasParty``) or ``a``. A quote that is not in
the document, or a label that names no entity or several, is refused with the file
and line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from allianceskg.build.corpus import Document
from allianceskg.errors import InputFileError
from allianceskg.yamlio import GuardedLoader, load_yaml
from allianceskg.vocab import AKG, ID, PREFIXES

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
MODALITIES = {"fact": AKG.ReportedFact, "assessment": AKG.AuthorAssessment,
              "speculation": AKG.Speculation}


@dataclass(frozen=True)
class Claim:
    """One fact, the quote that supports it, and how it was found."""

    subject: URIRef
    predicate: URIRef
    object: Node
    start: int
    end: int
    modality: URIRef
    method: URIRef
    confidence: Decimal
    source: str  # "file:line" of a curated claim, or the construction
    speaker: str | None = None  # who the text attributes the claim to

    @property
    def triple(self) -> tuple[URIRef, URIRef, Node]:
        return (self.subject, self.predicate, self.object)


@dataclass(frozen=True)
class Entity:
    """A node a document introduces (a stance, an agreement found by a rule)."""

    iri: URIRef
    type: URIRef
    label: str
    method: URIRef | None = None  # the construction that minted it (automatic layer)


@dataclass(frozen=True)
class ClaimSet:
    """What one extraction layer drew from one document."""

    claims: tuple[Claim, ...]
    entities: tuple[Entity, ...]


class Resolver:
    """Turns the names used in claim files into IRIs: labels and aliases of the
    reference data and of the ontology's named individuals (statuses, attitudes),
    case-insensitive; ``id:`` and ``akg:`` names; classes and properties by name."""

    def __init__(self, reference: Graph, ontology: Graph, shapes: Graph | None = None) -> None:
        self._names: dict[str, set[URIRef]] = defaultdict(set)
        values = set(ontology.subjects(RDF.type, OWL.NamedIndividual))  # statuses, attitudes
        for graph, allowed in ((reference, None), (ontology, values)):
            for predicate in (RDFS.label, SKOS.altLabel):
                for subject, name in graph.subject_objects(predicate):
                    if isinstance(subject, URIRef) and (allowed is None or subject in allowed):
                        self._names[str(name).casefold()].add(subject)
        # A datatype property's literal type: its rdfs:range, or else the sh:datatype the
        # shapes give it (the ontology leaves xsd:date out of ranges to stay in OWL 2 RL).
        self._datatype_ranges = {
            p: ontology.value(p, RDFS.range) for p in ontology.subjects(RDF.type, OWL.DatatypeProperty)}
        for path, datatype in _shape_datatypes(shapes).items():
            if self._datatype_ranges.get(path) is None and path in self._datatype_ranges:
                self._datatype_ranges[path] = datatype
        self._properties = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
                            for p in ontology.subjects(RDF.type, kind)}
        self._classes = set(ontology.subjects(RDF.type, OWL.Class))

    def add(self, entity: Entity) -> None:
        """Make a document's own entity resolvable by its label."""
        self._names[entity.label.casefold()].add(entity.iri)

    def entity(self, name: str) -> URIRef:
        """The one entity ``name`` denotes; ValueError naming the problem otherwise."""
        if name.startswith("id:"):
            return ID[name[3:]]
        if name.startswith("akg:"):
            return self._akg(name[4:])
        found = self._names.get(name.casefold(), set())
        if len(found) == 1:
            return next(iter(found))
        if not found:
            raise ValueError(f"{name!r} names no known entity; use a label or alias of the "
                             f"reference data, or id:slug")
        listed = ", ".join(sorted(_short(iri) for iri in found))
        raise ValueError(f"{name!r} names several entities ({listed}); use id:slug instead")

    def predicate(self, name: str) -> URIRef:
        """``hasParty``, ``akg:hasParty`` or a property the ontology declares from
        another vocabulary under the project's prefixes (``schema:location``)."""
        if name in ("a", "type", "rdf:type"):
            return RDF.type
        prefix, _, local = name.rpartition(":")
        if prefix and prefix != "akg" and prefix in PREFIXES:
            term = URIRef(PREFIXES[prefix] + local)
        else:
            term = self._akg(name.removeprefix("akg:"))
        if term not in self._properties:
            shown = name if ":" in name else f"akg:{name}"
            raise ValueError(f"{shown} is not a property of the ontology")
        return term

    def type(self, name: str) -> URIRef:
        term = self._akg(name.removeprefix("akg:"))
        if term not in self._classes:
            raise ValueError(f"akg:{name} is not a class of the ontology")
        return term

    def value(self, predicate: URIRef, name: object) -> Node:
        """The object of a fact: a typed literal for a datatype property, else an IRI."""
        if predicate == RDF.type:
            return self.type(str(name))
        if predicate in self._datatype_ranges:
            datatype = self._datatype_ranges[predicate]
            return Literal(str(name), datatype=datatype if datatype != XSD.string else None)
        return self.entity(str(name))

    def _akg(self, local: str) -> URIRef:
        try:
            return getattr(AKG, local)
        except AttributeError:
            raise ValueError(f"akg:{local} is not a term of the ontology") from None


def _shape_datatypes(shapes: Graph | None) -> dict[URIRef, URIRef]:
    """sh:path → sh:datatype of the property shapes (the shapes default to the project's)."""
    if shapes is None:
        from allianceskg.model.load import load_shapes

        shapes = load_shapes()
    found = {}
    for shape in shapes.subjects(SH.datatype, None):
        path, datatype = shapes.value(shape, SH.path), shapes.value(shape, SH.datatype)
        if isinstance(path, URIRef) and datatype != RDF.langString:
            found[path] = datatype
    return found


def _short(iri: URIRef) -> str:
    text = str(iri)
    return "id:" + text[len(str(ID)):] if text.startswith(str(ID)) else text


class _LineLoader(GuardedLoader):
    """A guarded YAML loader whose mappings and lists remember their line."""


class _Map(dict):
    line = 0


class _List(list):
    line = 0


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    value = _Map(loader.construct_mapping(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


def _construct_list(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    value = _List(loader.construct_sequence(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


def claim_file(folder: Path, document: Document) -> Path:
    return folder / f"{document.doc_id}.yaml"


def load_curated(path: Path, document: Document, resolver: Resolver) -> ClaimSet:
    """Read a curated claim file for ``document``; every problem names file and line."""
    data = _read_yaml(path)
    if data.get("document") != document.doc_id:
        raise InputFileError(path, f"'document' must be {document.doc_id!r}",
                             line=data.line)
    entities = tuple(_entity(path, item, resolver) for item in data.get("entities") or [])
    for entity in entities:
        resolver.add(entity)
    claims = []
    for group in data.get("claims") or []:
        claims.extend(_claims(path, group, document, resolver))
    return ClaimSet(claims=tuple(claims), entities=entities)


def _read_yaml(path: Path) -> _Map:
    data = load_yaml(path, _LineLoader)
    if not isinstance(data, _Map):
        raise InputFileError(path, "a claim file is a mapping with 'document' and 'claims'",
                             line=1)
    return data


def _entity(path: Path, item: object, resolver: Resolver) -> Entity:
    line = getattr(item, "line", None)
    if not isinstance(item, dict) or not {"id", "type", "label"} <= set(item):
        raise InputFileError(path, "an entity needs 'id', 'type' and 'label'", line=line)
    if not _SLUG.fullmatch(str(item["id"])):
        raise InputFileError(path, f"the entity id {item['id']!r} cannot be part of an IRI",
                             line=line, hint="use lowercase letters, digits and '-' (a slug)")
    try:
        return Entity(iri=ID[str(item["id"])], type=resolver.type(str(item["type"])),
                      label=str(item["label"]))
    except ValueError as exc:
        raise InputFileError(path, str(exc), line=line) from None


def _claims(path: Path, group: object, document: Document, resolver: Resolver) -> list[Claim]:
    line = getattr(group, "line", None)
    if not isinstance(group, dict) or not {"quote", "modality", "facts"} <= set(group):
        raise InputFileError(path, "a claim needs 'quote', 'modality' and 'facts'", line=line)
    quote = str(group["quote"])
    start = find_quote(document, quote, int(group.get("occurrence", 1)))
    if start < 0:
        raise InputFileError(path, f"the quote is not in {document.path.name}: {quote!r}",
                             line=line, hint="copy the quote verbatim, curly quotes and dashes included")
    modality = MODALITIES.get(str(group["modality"]))
    if modality is None:
        raise InputFileError(path, f"unknown modality {group['modality']!r}", line=line,
                             hint=f"use one of {', '.join(MODALITIES)}")
    confidence = Decimal(str(group.get("confidence", "1.0")))
    speaker = str(group["speaker"]) if group.get("speaker") else None
    claims = []
    for fact in group["facts"]:
        fact_line = getattr(fact, "line", line)
        if not isinstance(fact, list) or len(fact) != 3:
            raise InputFileError(path, "a fact is [subject, predicate, object]", line=fact_line)
        try:
            predicate = resolver.predicate(str(fact[1]))
            triple = (resolver.entity(str(fact[0])), predicate, resolver.value(predicate, fact[2]))
        except ValueError as exc:
            raise InputFileError(path, str(exc), line=fact_line) from None
        claims.append(Claim(*triple, start=start, end=start + len(quote), modality=modality,
                            method=AKG.Curation, confidence=confidence,
                            source=f"{path.name}:{fact_line}", speaker=speaker))
    return claims


def find_quote(document: Document, quote: str, occurrence: int) -> int:
    """Where the ``occurrence``-th ``quote`` starts in the text, or -1."""
    start = -1
    for _ in range(max(occurrence, 1)):
        start = document.text.find(quote, start + 1)
        if start < 0:
            return -1
    return start
