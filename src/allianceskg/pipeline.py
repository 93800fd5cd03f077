"""The build, in order: corpus → mentions → claims → graphs → validate → reason.

This module is the only one that knows the order of the stages; each stage is a
function of another module that takes values and returns values. Input: the project's
folders (:class:`ProjectPaths`). Output: a :class:`Build` holding every named graph of
the release, the validation report, per-document reports and the time each stage
took. A SHACL violation or an OWL inconsistency raises :class:`BuildError` naming the
node, the shape or axiom, and the quotes behind it; nothing is written here (see
allianceskg.release).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from allianceskg import resources
from allianceskg.claims import ClaimSet, Resolver, claim_file, load_curated
from allianceskg.corpus import Corpus, Document, load_corpus
from allianceskg.errors import AllianceskgError
from allianceskg.graphs import DocumentGraphs, document_graphs
from allianceskg.mentions import Candidate, Gazetteer, Mention, build_gazetteer, find_mentions
from allianceskg.model import load_ontology, load_reference, load_shapes
from allianceskg.reasoning import check_consistent, infer
from allianceskg.rules import RuleSet, apply_rules, load_rules
from allianceskg.validation import ValidationReport, ValidationResult, validate
from allianceskg.vocab import AKG, GRAPH, OA

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ProjectPaths:
    """Where the build reads its inputs."""

    root: Path

    @classmethod
    def default(cls) -> ProjectPaths:
        return cls(resources.project_root())

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def claims(self) -> Path:
        return self.root / "data" / "claims"

    @property
    def rules(self) -> Path:
        return self.root / "data" / "rules" / "patterns.yaml"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "allianceskg.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def reference(self) -> list[Path]:
        return sorted((self.root / "data" / "reference").glob("*.ttl"))

    @property
    def release(self) -> Path:
        return self.root / "data" / "kg"

    def inputs(self) -> list[Path]:
        """Every file whose content decides the release, for the manifest's hashes."""
        documents = sorted(p for p in self.seeds.iterdir() if p.is_file())
        claims = sorted(self.claims.glob("*.yaml")) if self.claims.is_dir() else []
        return [self.ontology, self.shapes, self.rules, *self.reference, *documents, *claims]


@dataclass(frozen=True)
class DocumentReport:
    """What the build found in one document."""

    doc_id: str
    sentences: int
    mentions: tuple[Mention, ...]
    candidates: tuple[Candidate, ...]
    claims_by_method: dict[str, int]
    curated: bool


@dataclass(frozen=True)
class Build:
    """Everything a release is made of."""

    graphs: dict[URIRef, Graph]
    validation: ValidationReport
    documents: tuple[DocumentReport, ...]
    rules: RuleSet
    input_hashes: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def claims(self) -> int:
        return sum(sum(d.claims_by_method.values()) for d in self.documents)


class BuildError(AllianceskgError):
    """The build cannot produce a release; the previous release stays in place."""


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, progress: Progress | None) -> Iterator[None]:
        if progress:
            progress(name)
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 3)


def build(paths: ProjectPaths, progress: Progress | None = None) -> Build:
    """Run every stage on the project at ``paths`` and return the build."""
    timer = _Timer()
    with timer.stage("model", progress):
        ontology, shapes = load_ontology(paths.ontology), load_shapes(paths.shapes)
        reference = load_reference(paths.reference)
        rules = load_rules(paths.rules)
    with timer.stage("corpus", progress):
        corpus = load_corpus(paths.seeds)
    with timer.stage("mentions", progress):
        gazetteer = build_gazetteer(reference, ontology)
        mentions = {d.doc_id: find_mentions(d, gazetteer) for d in corpus.documents}
    with timer.stage("claims", progress):
        layers = {d.doc_id: _claim_layers(paths, d, mentions[d.doc_id][0], gazetteer, rules,
                                          Resolver(reference, ontology))
                  for d in corpus.documents}
    with timer.stage("graphs", progress):
        graphs = _assemble(ontology, reference, corpus, mentions, layers, rules)
    with timer.stage("validate", progress):
        asserted = _union(graphs, exclude={GRAPH["ontology"]})
        report = validate(asserted, shapes, ontology)
        if report.violations:
            raise BuildError(_violations_text(report, asserted, graphs),
                             hint="fix the claim or reference data named above; "
                                  "the previous release is untouched")
    with timer.stage("reason", progress):
        reasoning_input = _union(graphs, exclude={GRAPH["ontology"], GRAPH["mentions"],
                                                  GRAPH["links"]})
        inference = infer(ontology, reasoning_input)
        try:
            check_consistent(inference)
        except AllianceskgError as exc:
            raise BuildError(exc.message, hint=exc.hint) from None
        graphs[GRAPH["inferred"]] = inference.triples
    documents = tuple(_report(d, mentions[d.doc_id], layers[d.doc_id]) for d in corpus.documents)
    return Build(graphs=graphs, validation=report, documents=documents, rules=rules,
                 input_hashes=_hashes(paths), timings=timer.timings)


def _claim_layers(paths: ProjectPaths, document: Document, mentions: list[Mention],
                  gazetteer: Gazetteer, rules: RuleSet, resolver: Resolver) -> tuple[ClaimSet, ClaimSet]:
    """The curated layer (if the document has a claim file) and the rule layer.

    A curated document's curator decides which entities it introduces, so rule claims
    there that would mint new nodes are left out; rule claims about known entities
    stay, as corroborating evidence.
    """
    path = claim_file(paths.claims, document)
    automatic = apply_rules(document, mentions, gazetteer, rules)
    if not path.is_file():
        return ClaimSet((), ()), automatic
    curated = load_curated(path, document, resolver)
    minted = {e.iri for e in automatic.entities}
    kept = tuple(c for c in automatic.claims if c.subject not in minted and c.object not in minted)
    return curated, ClaimSet(claims=kept, entities=())


def _assemble(ontology: Graph, reference: Graph, corpus: Corpus, mentions: dict,
              layers: dict, rules: RuleSet) -> dict[URIRef, Graph]:
    reference_only, links = _split_links(reference)
    graphs = {GRAPH["ontology"]: ontology, GRAPH["reference"]: reference_only,
              GRAPH["links"]: links, GRAPH["provenance"]: _rules_graph(rules),
              GRAPH["mentions"]: Graph()}
    for document in corpus.documents:
        parts: DocumentGraphs = document_graphs(document, mentions[document.doc_id][0],
                                                list(layers[document.doc_id]))
        graphs[parts.name] = parts.facts
        graphs[GRAPH["provenance"]] += parts.provenance
        graphs[GRAPH["mentions"]] += parts.mentions
    return graphs


def _split_links(reference: Graph) -> tuple[Graph, Graph]:
    """Links to external datasets (skos:exactMatch/closeMatch) go to graph/links."""
    kept, links = Graph(), Graph()
    for triple in reference:
        (links if triple[1] in (SKOS.exactMatch, SKOS.closeMatch) else kept).add(triple)
    return kept, links


def _rules_graph(rules: RuleSet) -> Graph:
    graph = Graph()
    for rule in rules.rules:
        graph.add((rule.iri, RDF.type, AKG.PatternRule))
        graph.add((rule.iri, RDFS.label, _en(rule.label)))
        if rule.description:
            graph.add((rule.iri, DCTERMS.description, _en(rule.description)))
    return graph


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _union(graphs: dict[URIRef, Graph], exclude: set[URIRef]) -> Graph:
    union = Graph()
    for name, graph in graphs.items():
        if name not in exclude:
            for triple in graph:
                union.add(triple)
    return union


def _violations_text(report: ValidationReport, asserted: Graph, graphs: dict) -> str:
    provenance = graphs[GRAPH["provenance"]]
    lines = [f"SHACL validation failed with {len(report.violations)} violation(s):"]
    for result in report.violations:
        lines.append("  " + result.describe(asserted))
        lines.extend(f"    source: {quote}" for quote in _quotes_about(result, provenance))
    return "\n".join(lines)


def _quotes_about(result: ValidationResult, provenance: Graph) -> list[str]:
    """The evidence quotes of claims about the failing node, to find it in the text."""
    quotes = set()
    for position in (RDF.subject, RDF.object):
        for claim in provenance.subjects(position, result.focus_node):
            quotes.update(_claim_quotes(provenance, claim))
    return sorted(quotes)[:3]


def _claim_quotes(provenance: Graph, claim: URIRef) -> list[str]:
    found = []
    for evidence in provenance.objects(claim, AKG.hasEvidence):
        for target in provenance.objects(evidence, OA.hasTarget):
            source = provenance.value(target, OA.hasSource)
            for selector in provenance.objects(target, OA.hasSelector):
                exact = provenance.value(selector, OA.exact)
                if exact is not None:
                    found.append(f"{str(source).rsplit('/', 1)[-1]}: “{exact}”")
    return found


def _report(document: Document, found: tuple[list[Mention], list[Candidate]],
            layers: tuple[ClaimSet, ClaimSet]) -> DocumentReport:
    mentions, candidates = found
    methods = Counter(str(c.method).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
                      for layer in layers for c in layer.claims)
    return DocumentReport(doc_id=document.doc_id, sentences=len(document.sentences),
                          mentions=tuple(mentions), candidates=tuple(candidates),
                          claims_by_method=dict(sorted(methods.items())),
                          curated=bool(layers[0].claims))


def _hashes(paths: ProjectPaths) -> dict[str, str]:
    return {str(p.relative_to(paths.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in paths.inputs()}

