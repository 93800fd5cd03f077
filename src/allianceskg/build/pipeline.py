"""The build, in order: corpus → nlp → mentions → claims → graphs → validate → reason.

This module is the only one that knows the order of the stages (an incremental add,
allianceskg.build.incremental.add, runs the same stages on one new document); each
stage is a function of another module that takes values and returns values. Input:
the project's folders (:class:`ProjectPaths`). Output: a :class:`Build` holding every
named graph of the release, the validation report, per-document reports, the time
each stage took, and the state the next incremental add continues from. A SHACL
violation or an OWL inconsistency raises :class:`BuildError` naming the node, the
shape or axiom, and the quotes behind it; nothing is written here (see
allianceskg.build.release).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from allianceskg import __version__, resources
from allianceskg.build.claims import Claim, ClaimSet, Resolver, claim_file, load_curated
from allianceskg.build.corpus import Corpus, Document, load_corpus
from allianceskg.errors import AllianceskgError
from allianceskg.analysis.explain import MODALITY_RANK, explain, knowledge_base
from allianceskg.analysis.linking import candidate_graph, candidate_links
from allianceskg.build.graphs import DocumentGraphs, document_graphs
from allianceskg.reading.mentions import Candidate, Gazetteer, Mention, build_gazetteer, find_mentions
from allianceskg.model.load import load_ontology, load_reference, load_shapes, superclasses
from allianceskg.build.reasoning import check_consistent, entailments_graph, infer, rule_closure
from allianceskg.reading.draft import draft_text
from allianceskg.reading.entities import Minter
from allianceskg.reading.layer import AutomaticLayer, constructions_graph, read_document
from allianceskg.reading.nlp import (DEFAULT_MAX_DOCUMENT_CHARS, PipelineError, parse_document,
                                     parse_documents, supported)
from allianceskg.rdf.serialize import NTriples, ntriples
from allianceskg.build.validation import (DocumentContext, ValidationReport, ValidationResult, merged,
                                    split_shapes, validate, validate_documents)
from allianceskg.build.incremental.state import BuildState
from allianceskg.vocab import AKG, DOC, GRAPH, OA

Progress = Callable[[str], None]
_DROP_ROUNDS = 8  # rounds of dropping unfit automatic proposals before giving up


@dataclass(frozen=True)
class ProjectPaths:
    """Where the build reads its inputs."""

    root: Path
    seeds_dir: Path | None = None  # another corpus folder (a staged ingest), else root/seeds

    @classmethod
    def default(cls) -> ProjectPaths:
        return cls(resources.project_root())

    @property
    def seeds(self) -> Path:
        return self.seeds_dir or self.root / "seeds"

    @property
    def claims(self) -> Path:
        return self.root / "data" / "claims"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "allianceskg.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def reference(self) -> list[Path]:
        """The reference data, and the linksets accepted with 'allianceskg link'."""
        return sorted((self.root / "data" / "reference").glob("*.ttl")) + self.linksets

    @property
    def links(self) -> Path:
        return self.root / "data" / "links"

    @property
    def linksets(self) -> list[Path]:
        return sorted(self.links.glob("*.ttl"))

    @property
    def release(self) -> Path:
        return self.root / "data" / "kg"

    @property
    def cache(self) -> Path | None:
        """Per-document results kept between builds (by content hash), or None where
        the project cannot be written."""
        folder = self.root / "data" / "cache"
        return folder if os.access(folder if folder.exists() else self.root / "data", os.W_OK) \
            else None

    def inputs(self) -> list[Path]:
        """Every file whose content decides the release, for the manifest's hashes."""
        documents = sorted(p for p in self.seeds.iterdir()
                           if p.is_file() and not p.name.startswith("."))
        claims = sorted(self.claims.glob("*.yaml")) if self.claims.is_dir() else []
        return [self.ontology, self.shapes, *self.reference, *documents, *claims]


@dataclass(frozen=True)
class DocumentReport:
    """What the build found in one document."""

    doc_id: str
    sentences: int
    mentions: tuple[Mention, ...]
    candidates: tuple[Candidate, ...]
    claims_by_method: dict[str, int]
    curated: bool
    layers: dict[str, int] = field(default_factory=dict)  # automatic / curated / both
    minted: tuple[str, ...] = ()
    not_stated: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # automatic proposals the shapes refused, and why
    candidate_links: tuple[str, ...] = ()  # minted -> existing entity, unreviewed


@dataclass(frozen=True)
class Build:
    """Everything a release is made of."""

    graphs: dict[URIRef, Graph]
    validation: ValidationReport
    documents: tuple[DocumentReport, ...]
    input_hashes: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)
    state: BuildState | None = None  # what an incremental add continues from

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


def build(paths: ProjectPaths, progress: Progress | None = None, *,
          max_document_chars: int | None = None) -> Build:
    """Run every stage on the project at ``paths`` and return the build."""
    timer = _Timer()
    limit = max_document_chars or _max_document_chars()
    with timer.stage("model", progress):
        ontology, shapes = load_ontology(paths.ontology), load_shapes(paths.shapes)
        reference = load_reference(paths.reference)
    with timer.stage("corpus", progress):
        corpus = load_corpus(paths.seeds)
    with timer.stage("nlp", progress):
        parses, warnings = _parse_all(corpus.documents, limit,
                                      paths.cache / "nlp" if paths.cache is not None else None)
    with timer.stage("mentions", progress):
        gazetteer = build_gazetteer(reference, ontology)
        mentions = {d.doc_id: find_mentions(d, gazetteer, parses[d.doc_id]) for d in corpus.documents}
    with timer.stage("claims", progress):
        resolver = Resolver(reference, ontology, shapes)
        minter = Minter(set(reference.subjects()), superclasses(ontology))
        layers, minted_by = {}, {}
        for d in corpus.documents:
            minter.start_document()
            layers[d.doc_id] = _claim_layers(paths, d, parses[d.doc_id], mentions[d.doc_id],
                                             gazetteer, minter, resolver)
            minted_by[d.doc_id] = dict(minter.proposed)  # as this document would mint them
        del parses  # the spaCy documents are not needed past this stage
    with timer.stage("graphs", progress):
        layer_claims = lambda doc_id: list((layers[doc_id][0], layers[doc_id][1].claims))  # noqa: E731
        parts = {d.doc_id: document_graphs(d, mentions[d.doc_id][0], layer_claims(d.doc_id))
                 for d in corpus.documents}
    with timer.stage("validate", progress):
        # Shapes that span documents first, over the facts and the reference data. The
        # automatic layer's proposals never break a build: drop, report. Dropping a
        # node can leave another without what it needs (a stance about a dropped
        # agreement), so repeat until nothing more is dropped.
        document_shapes, corpus_shapes = split_shapes(shapes)
        dropped: dict[str, tuple[str, ...]] = {}
        proposals = _Proposals.of(parts, layers)  # before any is dropped: for the state
        rounds = []
        for _ in range(_DROP_ROUNDS):
            asserted = _facts_union(reference, parts.values())
            corpus_report = validate(asserted, corpus_shapes, ontology)
            rounds.append(corpus_report.results)
            more = _drop_unfit_proposals(corpus_report, layers)
            if not more:
                break
            for doc_id, reasons in more.items():
                dropped[doc_id] = tuple(sorted(set(dropped.get(doc_id, ())) | set(reasons)))
                document = corpus.get(doc_id)
                parts[doc_id] = document_graphs(document, mentions[doc_id][0], layer_claims(doc_id))
        # Then each document's own graphs against the document-scoped shapes (in
        # parallel, cached by content).
        document_report = _validate_documents(paths, ontology, document_shapes, parts)
        report = merged([document_report, corpus_report])
        graphs = _assemble(ontology, reference, corpus, parts)
        if report.violations:
            claims = [(d, c) for d in corpus.documents for layer in layers[d.doc_id]
                      for c in (layer.claims if isinstance(layer, ClaimSet) else layer.claims.claims)]
            raise BuildError(_violations_text(report, asserted, graphs, claims),
                             hint="fix the claim or reference data named above; "
                                  "the previous release is untouched")
    with timer.stage("links", progress):
        candidates = _candidate_links(graphs, layers, ontology)
        graphs[GRAPH["links"]] += candidate_graph(candidates, {GRAPH["links"]: graphs[GRAPH["links"]]})
    with timer.stage("reason", progress):
        # The facts and the model are closed in two tiers (established, then tentative);
        # the provenance graph, whose nodes no fact touches, is closed on its own (the
        # union equals owlrl over everything: tests/test_reasoning.py).
        reasoning_input = _union(graphs, exclude={GRAPH["ontology"], GRAPH["mentions"],
                                                  GRAPH["links"], GRAPH["provenance"]})
        tentative = _tentative_facts([c for curated, automatic in layers.values()
                                      for c in (*curated.claims, *automatic.claims.claims)],
                                     established=graphs[GRAPH["reference"]])
        inference = infer(ontology, reasoning_input - tentative, tentative)
        try:
            check_consistent(inference)
        except AllianceskgError as exc:
            raise BuildError(exc.message, hint=exc.hint) from None
        provenance = graphs[GRAPH["provenance"]]
        shared = set()
        for triple in rule_closure(ontology, provenance):
            if triple not in reasoning_input and triple not in provenance:
                inference.triples.add(triple)
                if not in_document(triple[0]):
                    shared.add(triple)
        graphs[GRAPH["inferred"]] = inference.triples
        weakest = _weakest_premises(graphs, inference.tentative)
        graphs[GRAPH["inferred-tentative"]] = entailments_graph(weakest)
    documents = tuple(_report(d, mentions[d.doc_id], layers[d.doc_id], warnings[d.doc_id],
                              dropped.get(d.doc_id, ()), candidates)
                      for d in corpus.documents)
    all_claims = [c for curated, automatic in layers.values()
                  for c in (*curated.claims, *automatic.claims.claims)]
    state = BuildState(
        doc_ids=tuple(d.doc_id for d in corpus.documents),
        facts={GRAPH[f"doc/{d.doc_id}"]: frozenset(graphs[GRAPH[f"doc/{d.doc_id}"]])
               for d in corpus.documents},
        minter=minter,
        reported=frozenset(c.triple for c in all_claims if c.modality == AKG.ReportedFact),
        tentative=frozenset(tentative), established=inference.closure,
        engine_added=inference.added, modality=claim_modalities(all_claims),
        document_results=document_report.results,
        curated=tuple((e.iri, e.type, e.label) for curated, _ in layers.values()
                      for e in curated.entities),
        links=frozenset(graphs[GRAPH["links"]]), candidates=candidates,
        tentative_entailments=weakest, provenance_shared=frozenset(shared),
        raw_facts=proposals.facts, proposed=proposals.claims, minted=proposals.minted,
        rounds=tuple(rounds), minted_by=minted_by) if inference.closure else None
    return Build(graphs=graphs, validation=report, documents=documents,
                 input_hashes=_hashes(paths), timings=timer.timings, state=state)


@dataclass(frozen=True)
class _Proposals:
    """Each document's facts and automatic claims before the shapes that span
    documents drop any, and every minted entity: what the drop rounds start from."""

    facts: dict       # doc id -> facts
    claims: dict      # doc id -> the automatic layer's claimed triples
    minted: dict      # doc id -> the automatic layer's entities

    @classmethod
    def of(cls, parts: dict, layers: dict) -> _Proposals:
        return cls({d: frozenset(p.facts) for d, p in parts.items()},
                   {d: frozenset(c.triple for c in automatic.claims.claims)
                    for d, (_, automatic) in layers.items()},
                   {d: frozenset(e.iri for e in automatic.claims.entities)
                    for d, (_, automatic) in layers.items()})


def in_document(node) -> bool:
    """Whether ``node`` belongs to one document (its node, claims, evidence, mentions)."""
    return str(node).startswith(_DOC)


_DOC = str(DOC)


def claim_modalities(claims, start: dict | None = None) -> dict:
    """Each claimed triple with the strongest modality of its claims (and of
    ``start``'s, modalities found before)."""
    found: dict = dict(start or {})
    for claim in claims:
        best = found.get(claim.triple)
        if best is None or MODALITY_RANK[claim.modality] < MODALITY_RANK[best]:
            found[claim.triple] = claim.modality
    return found



def draft(paths: ProjectPaths, document: Document, *,
          max_document_chars: int | None = None) -> tuple[str, int]:
    """The automatic layer's reading of one document as a claims file to review (for
    ``allianceskg draft``), with the same model, gazetteer and stages as :func:`build`;
    the document's curated file, if any, is ignored. Returns the text and the number
    of facts."""
    ontology, reference = load_ontology(paths.ontology), load_reference(paths.reference)
    shapes = load_shapes(paths.shapes)
    parse, _ = _parse(document, max_document_chars or _max_document_chars())
    if parse is None:
        raise BuildError(f"{document.path.name}: language {document.metadata.language!r} is "
                         f"not supported by the automatic layer",
                         hint="the automatic layer reads English (en); curate the document by hand")
    gazetteer = build_gazetteer(reference, ontology)
    mentions, candidates = find_mentions(document, gazetteer, parse)
    minter = Minter(set(reference.subjects()), superclasses(ontology))
    layer = read_document(document, parse, mentions, candidates, gazetteer, minter)
    resolver = Resolver(reference, ontology, shapes)
    values = set(ontology.subjects(RDF.type, OWL.NamedIndividual))  # statuses, attitudes
    labels = {s: str(o) for graph in (reference, ontology)
              for s, o in graph.subject_objects(RDFS.label)
              if isinstance(s, URIRef) and getattr(o, "language", None) in (None, "en")
              and (graph is reference or s in values)}
    for entity in layer.claims.entities:
        resolver.add(entity)
        labels[entity.iri] = entity.label
    links = candidate_links(layer.claims.entities, {GRAPH["reference"]: reference},
                            superclasses(ontology))
    return draft_text(document, layer, candidates, resolver, labels, links), len(layer.claims.claims)


def _tentative_facts(claims: list[Claim], established: Graph) -> Graph:
    """The asserted triples no source states as a reported fact (DESIGN.md §5: the
    fact is asserted in its document graph; its standing is its claims' modality)."""
    reported = {c.triple for c in claims if c.modality == AKG.ReportedFact}
    tentative = Graph()
    for claim in claims:
        if claim.triple not in reported and claim.triple not in established:
            tentative.add(claim.triple)
    return tentative


def _weakest_premises(graphs: dict[URIRef, Graph], entailments: Graph) -> dict[tuple, URIRef]:
    """Each tentative entailment with the weakest modality of its strongest derivation
    (speculation when no rule the explainer knows derives it)."""
    return _weakest_premises_in(knowledge_base(graphs), entailments)


def _weakest_premises_in(kb, entailments) -> dict[tuple, URIRef]:
    for triple in entailments:
        kb.tentative.add(triple)
    found = {}
    for triple in entailments:
        modality = explain(kb, triple).modality
        found[triple] = modality if modality in (AKG.AuthorAssessment, AKG.Speculation) \
            else AKG.Speculation
    return found


def _drop_unfit_proposals(report: ValidationReport, layers: dict) -> dict[str, tuple[str, ...]]:
    """When every violating node was minted by the automatic layer (an agreement it
    found one party of, say), take that layer's claims about those nodes out, in place,
    and say which per document; a violation about anything curated or from the
    reference data is left for the build to refuse."""
    minted = {e.iri for _, automatic in layers.values() for e in automatic.claims.entities}
    bad = {r.focus_node: r.message for r in report.violations}
    if not bad or not set(bad) <= minted:
        return {}
    dropped: dict[str, tuple[str, ...]] = {}
    for doc_id, (curated, automatic) in list(layers.items()):
        keep = [c for c in automatic.claims.claims if c.subject not in bad and c.object not in bad]
        gone = [c for c in automatic.claims.claims if c.subject in bad or c.object in bad]
        if not gone:
            continue
        entities = tuple(e for e in automatic.claims.entities if e.iri not in bad)
        layers[doc_id] = (curated, AutomaticLayer(ClaimSet(tuple(keep), entities),
                                                  automatic.rejected, automatic.proposals))
        dropped[doc_id] = tuple(sorted({f"{_short(node)}: {bad[node]}" for c in gone
                                        for node in (c.subject, c.object) if node in bad}))
    return dropped


def _max_document_chars() -> int:
    value = os.environ.get("ALLIANCESKG_MAX_DOCUMENT_CHARS", "")
    try:
        return int(value) if value else DEFAULT_MAX_DOCUMENT_CHARS
    except ValueError:
        raise BuildError(f"ALLIANCESKG_MAX_DOCUMENT_CHARS={value!r} is not a number of characters",
                         hint="set it to an integer such as 2000000") from None


def _parse_all(documents, limit: int, cache: Path | None) -> tuple[dict, dict]:
    """Each document's parse (None where the automatic layer cannot read it: a
    language other than English) and its warnings, by document id."""
    parses, warnings = {}, {}
    readable = []
    for document in documents:
        if supported(document.metadata.language):
            readable.append(document)
        else:
            parses[document.doc_id], warnings[document.doc_id] = _parse(document, limit)
    try:
        found = parse_documents(readable, max_chars=limit, cache=cache)
    except PipelineError as exc:
        raise BuildError(exc.message, hint=exc.hint) from None
    for document in readable:
        parses[document.doc_id] = found[document.doc_id]
        warnings[document.doc_id] = found[document.doc_id].warnings
    return parses, warnings


def _parse(document: Document, limit: int):
    """The document's parse, or None (with a warning) when the automatic layer cannot
    read it: a language other than English."""
    if not supported(document.metadata.language):
        return None, (f"{document.path.name}: language {document.metadata.language!r} is not "
                      f"supported by the automatic layer (supported: en); only curated "
                      f"claims and gazetteer mentions are used",)
    try:
        parse = parse_document(document, max_chars=limit)
    except PipelineError as exc:
        raise BuildError(exc.message, hint=exc.hint) from None
    return parse, parse.warnings


def _claim_layers(paths: ProjectPaths, document: Document, parse, found, gazetteer: Gazetteer,
                  minter: Minter, resolver: Resolver) -> tuple[ClaimSet, AutomaticLayer]:
    """The curated layer (if the document has a claim file) and the automatic layer.

    Curated claims keep priority: in a curated document the automatic layer's
    proposals are compared with the curator's (the report counts automatic, curated
    and both) but not asserted — the curator decided what the document says.
    """
    path = claim_file(paths.claims, document)
    mentions, candidates = found
    if parse is not None:
        automatic = read_document(document, parse, mentions, candidates, gazetteer, minter)
    else:
        automatic = AutomaticLayer(ClaimSet((), ()), (), ())
    if not path.is_file():
        return ClaimSet((), ()), automatic
    curated = load_curated(path, document, resolver)
    return curated, AutomaticLayer(ClaimSet((), ()), automatic.rejected, automatic.proposals)


def _assemble(ontology: Graph, reference: Graph, corpus: Corpus,
              parts: dict[str, DocumentGraphs]) -> dict[URIRef, Graph]:
    """The release's graphs from each document's own; consumes ``parts`` (each is
    released once merged, so the two copies never coexist at 1,000 documents)."""
    reference_only, links = _split_links(reference)
    graphs = {GRAPH["ontology"]: ontology, GRAPH["reference"]: reference_only,
              GRAPH["links"]: links, GRAPH["provenance"]: constructions_graph(),
              GRAPH["mentions"]: Graph()}
    # Each fact is asserted once: a triple the reference data holds, or an earlier
    # document asserts, is not repeated (stores that union graphs as bags, such as
    # Oxigraph and Virtuoso, would return it twice). Its claims still say which
    # documents state it.
    seen = set(reference_only) | set(links)
    for document in corpus.documents:
        part = parts.pop(document.doc_id)
        facts = Graph()
        for triple in part.facts:
            if triple not in seen:
                facts.add(triple)
        seen.update(facts)
        graphs[part.name] = facts
        graphs[GRAPH["provenance"]] += part.provenance
        graphs[GRAPH["mentions"]] += part.mentions
    return graphs


def _facts_union(reference: Graph, parts) -> Graph:
    """The reference data (links included) and every document's facts: what the
    shapes that span documents read."""
    union = Graph()
    for triple in reference:
        union.add(triple)
    for part in parts:
        for triple in part.facts:
            union.add(triple)
    return union


def _validate_documents(paths: ProjectPaths, ontology: Graph, shapes: Graph,
                        parts: dict[str, DocumentGraphs]) -> ValidationReport:
    """Each document's graphs (facts, claims, evidence, mentions) against the
    document-scoped shapes, cached under data/cache/shacl by content."""
    constructions = constructions_graph()
    context = DocumentContext(
        shapes=ntriples([shapes]), model=ntriples([ontology]), common=ntriples([constructions]),
        key=hashlib.sha256("\0".join([__version__, _file_hash(paths.ontology),
                                       _file_hash(paths.shapes),
                                       ntriples([constructions])]).encode()).hexdigest())
    cache = paths.cache / "shacl" if paths.cache is not None else None
    writer = NTriples()
    documents = [(writer.lines([p.facts, p.provenance, p.mentions]), (p.facts, p.provenance, p.mentions))
                 for p in parts.values()]
    return validate_documents(documents, context, cache)


def _candidate_links(graphs: dict[URIRef, Graph], layers: dict, ontology: Graph) -> dict:
    """Candidate links for the minted entities, against the reference data and the
    curated entities (their labels and types)."""
    minted = [e for _, automatic in layers.values() for e in automatic.claims.entities]
    curated = Graph()
    for claims, _ in layers.values():
        for entity in claims.entities:
            curated.add((entity.iri, RDF.type, entity.type))
            curated.add((entity.iri, RDFS.label, Literal(entity.label, lang="en")))
    return candidate_links(minted, {GRAPH["reference"]: graphs[GRAPH["reference"]], GRAPH["links"]:
                                    graphs[GRAPH["links"]], GRAPH["curated"]: curated},
                           superclasses(ontology))


def _split_links(reference: Graph) -> tuple[Graph, Graph]:
    """Links to external datasets (skos:exactMatch/closeMatch) go to graph/links, with
    the linksets ``allianceskg link --accept`` saved in data/links/ (their VoID and
    provenance), and each Wikidata or GeoNames link's identifier as a literal
    (akg:wikidataId "Q17", akg:geonamesId "1861060"), so that analysts can join on
    either."""
    kept, links = Graph(), Graph()
    for triple in reference:
        s, p, o = triple
        if p in (SKOS.exactMatch, SKOS.closeMatch) or str(s).startswith(_LINKSETS) \
                or str(s).startswith("urn:sha256:"):
            links.add(triple)
            if p == SKOS.exactMatch:
                literal = _identifier_literal(o)
                if literal is not None:
                    links.add((s, *literal))
        else:
            kept.add(triple)
    return kept, links


_LINKSETS = "https://w3id.org/allianceskg/dataset/linkset/"
_WIKIDATA = "http://www.wikidata.org/entity/"
_GEONAMES = "https://sws.geonames.org/"


def _identifier_literal(target) -> tuple[URIRef, Literal] | None:
    text = str(target)
    if text.startswith(_WIKIDATA) and text[len(_WIKIDATA):].startswith("Q"):
        return AKG.wikidataId, Literal(text[len(_WIKIDATA):])
    if text.startswith(_GEONAMES) and text[len(_GEONAMES):].rstrip("/").isdigit():
        return AKG.geonamesId, Literal(text[len(_GEONAMES):].rstrip("/"))
    return None


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _union(graphs: dict[URIRef, Graph], exclude: set[URIRef]) -> Graph:
    union = Graph()
    for name, graph in graphs.items():
        if name not in exclude:
            for triple in graph:
                union.add(triple)
    return union


def _violations_text(report: ValidationReport, asserted: Graph, graphs: dict,
                     claims: list) -> str:
    """Each violation with the claims that asserted the offending triple (file, line
    and quote) — or, when no single triple is at fault, quotes about the node."""
    provenance = graphs[GRAPH["provenance"]]
    lines = [f"SHACL validation failed with {len(report.violations)} violation(s):"]
    for result in report.violations:
        lines.append("  " + result.describe(asserted))
        culprits = [(d, c) for d, c in claims
                    if result.value is not None and c.subject == result.focus_node
                    and c.predicate == result.path and c.object == result.value]
        for document, claim in culprits[:3]:
            quote = document.text[claim.start:claim.end]
            lines.append(f"    asserted by {claim.source}: “{quote}”")
        if not culprits:
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
            layers: tuple[ClaimSet, AutomaticLayer], warnings: tuple[str, ...],
            dropped: tuple[str, ...] = (), candidate_links: dict | None = None) -> DocumentReport:
    mentions, candidates = found
    curated, automatic = layers
    asserted = [*curated.claims, *automatic.claims.claims]
    methods = Counter(str(c.method).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for c in asserted)
    curated_triples = {c.triple for c in curated.claims}
    proposed = {p.triple for p in automatic.proposals}
    both = curated_triples & proposed
    return DocumentReport(
        doc_id=document.doc_id, sentences=len(document.sentences),
        mentions=tuple(mentions), candidates=tuple(candidates),
        claims_by_method=dict(sorted(methods.items())), curated=bool(curated.claims),
        layers={"automatic": len(proposed - curated_triples), "curated": len(curated_triples - proposed),
                "both": len(both)},
        minted=tuple(sorted(f"{_short(e.iri)} ({_short(e.type)}): {e.label}"
                            for e in automatic.claims.entities)),
        not_stated=tuple(f"{' '.join(_short(n) for n in p.triple)} — {p.decision.reason}"
                         for p in automatic.rejected),
        warnings=warnings, dropped=dropped,
        candidate_links=tuple(f"{_short(e.iri)} → {_short(c.entity)} ({c.score:g}, {c.evidence})"
                              for e in automatic.claims.entities
                              for c in (candidate_links or {}).get(e.iri, ())))


def _short(node) -> str:
    text = str(node)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hashes(paths: ProjectPaths) -> dict[str, str]:
    """SHA-256 of every input, keyed by its path in the project (seeds/NAME for a
    document, wherever the corpus folder was staged)."""
    def key(path: Path) -> str:
        if path.parent == paths.seeds:
            return f"seeds/{path.name}"
        return str(path.relative_to(paths.root))
    return {key(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.inputs()}

