"""Add one document to a built corpus without building everything again (``ingest``).

Input: the staged corpus (the previous corpus plus one new document), the previous
release and the state its build left (allianceskg.build.state). Output: a new release
equal, byte for byte, to the one a full build of the staged corpus writes
(tests/test_scale.py compares them), and a new state. Only the new document is parsed,
read and validated; the facts of every document and the established closure come from
the state: the new facts are validated with the shapes that span documents, closed
against the previous closure (OWL 2 RL is monotone), and the release is written by
splicing the new document's subject blocks into the previous release's text
(unchanged graphs are hard links).

Where the new document would change what the full build decides about the others — a
proposal the shapes drop, a tentative fact it makes established, an entity it would
mint differently if read before a document that minted it, an inconsistency, a
tentative entailment that changes — :class:`NotIncremental` says why and the caller
builds in full, so the result never differs from a full build.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from allianceskg.analysis.explain import KnowledgeBase, Quote
from allianceskg.analysis.linking import candidate_graph, candidate_links
from allianceskg.build import pipeline
from allianceskg.build.claims import Resolver, claim_file
from allianceskg.build.corpus import document_paths, load_document
from allianceskg.build.graphs import document_graphs
from allianceskg.build.reasoning import (_new_triples_of, continue_inference, entailments_graph,
                                         rule_closure)
from allianceskg.build.release import (TRIG_FILE, TermDigests, _Statistics, _sync, _swap,
                                       _write_json, build_report, graph_file_name,
                                       jsonld_context, recover_release, void_graph)
from allianceskg.build.state import STATE_FILE, SavedState, load_state, save_state, state_key
from allianceskg.build.claims import ClaimSet
from allianceskg.build.validation import (ValidationReport, merged, result_order, split_shapes,
                                          validate)
from allianceskg.model.countries import slug
from allianceskg.model.load import load_ontology, load_reference, load_shapes, superclasses
from allianceskg.rdf.serialize import BlockIndex, Writer, turtle
from allianceskg.reading.layer import AutomaticLayer, constructions_graph
from allianceskg.reading.mentions import build_gazetteer, find_mentions
from allianceskg.vocab import AKG, GRAPH, ID, PREFIXES


class NotIncremental(Exception):
    """The addition cannot be made from the state alone; the reason says why."""


@dataclass
class Added:
    """An incremental add, written beside the release: :meth:`commit` makes it the
    release (an atomic swap) and saves the new state; :meth:`discard` drops it."""

    doc_id: str
    claims: int
    mentions: int
    triples: int
    timings: dict
    staging: Path
    target: Path
    saved: SavedState
    state_path: Path

    def commit(self) -> None:
        self.state_path.unlink(missing_ok=True)  # never a state for another release
        _swap(self.staging, self.target)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.saved.key = state_key((self.target / "manifest.json").read_bytes())
        save_state(self.state_path, self.saved)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def add_document(paths: pipeline.ProjectPaths, document_path: Path, target: Path,
                 progress=None) -> Added:
    """Add the staged document at ``document_path`` (in ``paths.seeds``) to the release
    at ``target``; raise :class:`NotIncremental` when only a full build can."""
    timer = pipeline._Timer()
    if paths.cache is None:
        raise NotIncremental("the project's data/cache cannot be written")
    state_path = paths.cache / STATE_FILE
    recover_release(target, clean=False)
    try:
        manifest_bytes = (target / "manifest.json").read_bytes()
    except OSError:
        raise NotIncremental("there is no release to add to") from None
    with timer.stage("state", progress):
        saved = load_state(state_path, state_key(manifest_bytes))
        if saved is None:
            raise NotIncremental("the release has no state from its build (built by another "
                                 "version, or the state was removed)")
        state = saved.build
    manifest = json.loads(manifest_bytes)
    with timer.stage("model", progress):
        hashes = pipeline._hashes(paths)
        new_keys = sorted(set(hashes) - set(manifest["inputs_sha256"]))
        changed = [k for k, v in manifest["inputs_sha256"].items() if hashes.get(k) != v]
        if changed:
            raise NotIncremental(f"inputs changed since the last build: {', '.join(changed[:3])}")
        if len(new_keys) != 2:
            raise NotIncremental(f"more than one new document: {', '.join(new_keys[:4])}")
        ontology, shapes = load_ontology(paths.ontology), load_shapes(paths.shapes)
        reference = load_reference(paths.reference)
    with timer.stage("corpus", progress):
        document = load_document(document_path)
        if document.sha256 in set(hashes[k] for k in manifest["inputs_sha256"]):
            raise NotIncremental("the document repeats one of the corpus")
        order = [p.stem for p in document_paths(paths.seeds)]
        position = order.index(document.doc_id)
        if tuple(order[:position] + order[position + 1:]) != state.doc_ids:
            raise NotIncremental("the corpus is not the one the state was built from")
        if claim_file(paths.claims, document).is_file():
            raise NotIncremental("the document has a curated claims file")
        before, after = state.doc_ids[:position], state.doc_ids[position:]
    with timer.stage("nlp", progress):
        limit = pipeline._max_document_chars()
        cache = paths.cache / "nlp"
        parses, warnings = pipeline._parse_all([document], limit, cache)
    with timer.stage("mentions", progress):
        gazetteer = build_gazetteer(reference, ontology)
        found = find_mentions(document, gazetteer, parses[document.doc_id])
    with timer.stage("claims", progress):
        minter = state.minter
        known_entities = dict(minter.entities)
        resolver = Resolver(reference, ontology, shapes)
        layers = pipeline._claim_layers(paths, document, parses[document.doc_id], found,
                                        gazetteer, minter, resolver)
        _check_minting(minter.proposed, known_entities, state, set(after))
        del parses
    with timer.stage("validate", progress):
        curated, automatic = layers
        raw = document_graphs(document, found[0], [curated, automatic.claims])
        document_shapes, corpus_shapes = split_shapes(shapes)
        rounds = _drop_rounds(state, document.doc_id, raw.facts,
                              {c.triple for c in automatic.claims.claims},
                              {e.iri for e in automatic.claims.entities},
                              corpus_shapes, ontology)
        gone = rounds.removed.get(document.doc_id, set())
        automatic = AutomaticLayer(ClaimSet(
            tuple(c for c in automatic.claims.claims if c.subject not in gone and c.object not in gone),
            tuple(e for e in automatic.claims.entities if e.iri not in gone)),
            automatic.rejected, automatic.proposals)
        layers = (curated, automatic)
        part = document_graphs(document, found[0], [curated, automatic.claims])
        document_report = pipeline._validate_documents(paths, ontology, document_shapes,
                                                        {document.doc_id: part})
        if document_report.violations:
            raise NotIncremental("the document's own graphs violate the shapes")
        results = merged([ValidationReport(True, state.document_results, Graph()),
                          document_report])
        report = merged([results, rounds.report])
    with timer.stage("graphs", progress):
        name = part.name
        facts = dict(state.facts)
        earlier = set(state.base).union(*(facts[GRAPH[f"doc/{d}"]] for d in before))
        facts[name] = frozenset(part.facts - earlier)
        moved = {}
        for doc_id in after:
            other = GRAPH[f"doc/{doc_id}"]
            overlap = facts[other] & part.facts
            if overlap:
                facts[other] = facts[other] - overlap
                moved[other] = overlap
        facts = {n: facts[n] for n in sorted(facts, key=str)}
    with timer.stage("links", progress):
        reference_only, _ = pipeline._split_links(reference)
        curated_graph = Graph()
        for iri, kind, label in state.curated:
            curated_graph.add((iri, RDF.type, kind))
            curated_graph.add((iri, RDFS.label, Literal(label, lang="en")))
        base_links = _graph(state.links_base)
        candidates = candidate_links(automatic.claims.entities,
                                     {GRAPH["reference"]: reference_only,
                                      GRAPH["links"]: base_links, GRAPH["curated"]: curated_graph},
                                     superclasses(ontology))
        new_links = set(candidate_graph(candidates, {GRAPH["links"]: base_links})) - state.links
        all_candidates = dict(state.candidates)
        all_candidates.update(candidates)
    with timer.stage("reason", progress):
        claims = [*curated.claims, *automatic.claims.claims]
        reported_here = {c.triple for c in claims if c.modality == AKG.ReportedFact}
        if reported_here & state.tentative:
            raise NotIncremental("the document states as fact what others only assess "
                                 "or speculate")
        reported = state.reported | reported_here
        tentative = set(state.tentative) | {c.triple for c in claims if c.triple not in reported
                                            and c.triple not in reference_only}
        established_new = {t for t in part.facts if t not in tentative}
        inference = continue_inference(ontology, state.established, state.engine_added,
                                       established_new, tentative)
        if not inference.consistent:
            raise NotIncremental("the new facts contradict the ontology")
        old_facts_part = set(_new_triples_of(state.engine_added - state.tentative, ontology))
        new_facts_part = set(inference.triples)
        reasoning_input = state.base | set().union(*facts.values())
        provenance = set(part.provenance) | set(constructions_graph())
        from_provenance = {t for t in rule_closure(ontology, _graph(provenance))
                           if t not in reasoning_input and t not in provenance}
        inferred_added = (new_facts_part - old_facts_part) | (from_provenance
                                                               - state.provenance_shared)
        inferred_removed = old_facts_part - new_facts_part - state.provenance_shared
        weakest = _weakest(ontology, reference_only, state.links | new_links, facts,
                           inference.triples, inference.tentative,
                           pipeline.claim_modalities(claims), state.modality)
        for triple, modality in state.tentative_entailments.items():
            if weakest.get(triple) != modality:
                raise NotIncremental("a tentative entailment changes with the new facts")
        tentative_added = set(entailments_graph({t: m for t, m in weakest.items()
                                                 if t not in state.tentative_entailments}))
    report_entry = pipeline._report(document, found, layers, warnings[document.doc_id],
                                    rounds.dropped.get(document.doc_id, ()), candidates)
    # Each changed graph: the triples it gains and loses, and (where the state holds
    # them) its previous triples, for the subjects whose blocks are rendered again.
    changes = {name: (set(facts[name]), set(), None),
               GRAPH["provenance"]: (set(part.provenance), set(), None),
               GRAPH["mentions"]: (set(part.mentions), set(), None),
               GRAPH["inferred"]: (inferred_added, inferred_removed,
                                   old_facts_part | state.provenance_shared),
               GRAPH["inferred-tentative"]: (tentative_added, set(), None),
               GRAPH["links"]: (new_links, set(), state.links)}
    for other, gone in moved.items():
        changes[other] = (set(), set(gone), state.facts[other])
    changes = {k: v for k, v in changes.items() if k == name or v[0] or v[1]}
    with timer.stage("write", progress):
        staging, written = _write(target, saved, manifest, changes, report, report_entry, order,
                                  hashes, timer.timings, len(claims), len(found[0]))
    modality = dict(state.modality)
    for triple, value in pipeline.claim_modalities(claims).items():
        if triple not in modality or pipeline._MODALITY_RANK[value] < pipeline._MODALITY_RANK[modality[triple]]:
            modality[triple] = value
    state.doc_ids = tuple(order)
    state.facts = facts
    state.reported = frozenset(reported)
    state.tentative = frozenset(tentative)
    state.established = inference.closure
    state.engine_added = inference.added
    state.modality = modality
    state.document_results = results.results
    state.links = state.links | frozenset(new_links)
    state.candidates = all_candidates
    state.tentative_entailments = weakest
    state.raw_facts = {**state.raw_facts, document.doc_id: frozenset(raw.facts)}
    state.proposed = {**state.proposed, document.doc_id: rounds.proposed}
    state.minted = {**state.minted, document.doc_id: rounds.minted}
    state.rounds = rounds.results
    state.provenance_shared = state.provenance_shared | frozenset(
        t for t in from_provenance if not pipeline.in_document(t[0]))
    return Added(document.doc_id, len(claims), len(found[0]), written, timer.timings, staging,
                 target, saved, state_path)


# The drop rounds (pipeline.build): the shapes that span documents validate the union of
# every document's facts; when every violating node was minted, the claims about them
# are dropped and the union validated again. Replayed here on triples, from each
# document's proposals before any drop, with each round validated incrementally: its
# results are those of the corresponding round of the last build, but at the nodes
# whose results the differences between the two unions can change, validated again.

@dataclass
class _Rounds:
    report: ValidationReport       # the last round's: the release's corpus-level results
    results: tuple                 # every round's results
    dropped: dict                  # doc id -> the report's lines on what was dropped
    removed: dict                  # doc id -> the nodes its claims were dropped for
    proposed: frozenset            # the new document's claimed triples, before drops
    minted: frozenset              # its minted entities, before drops


class _Replay:
    """Documents' facts, automatic claims and minted entities through drop rounds."""

    def __init__(self, base: frozenset, facts: dict, claims: dict, minted: dict) -> None:
        self.base = base
        self.facts = {d: set(f) for d, f in facts.items()}
        self.claims = {d: set(c) for d, c in claims.items()}
        self.minted = {d: set(m) for d, m in minted.items()}
        self.dropped: dict = {}
        self.removed: dict = {}

    def union(self) -> set:
        return set(self.base).union(*self.facts.values())

    def drop(self, results) -> bool:
        """pipeline._drop_unfit_proposals on triples; whether anything was dropped."""
        bad = {r.focus_node: r.message for r in results if r.severity == "Violation"}
        if not bad or not set(bad) <= set().union(*self.minted.values()):
            return False
        more = False
        for doc_id, claims in self.claims.items():
            gone = {t for t in claims if t[0] in bad or t[2] in bad}
            if not gone:
                continue
            more = True
            claims -= gone
            self.facts[doc_id] = {t for t in self.facts[doc_id] if t[0] not in bad and t[2] not in bad}
            self.minted[doc_id] -= set(bad)
            self.removed.setdefault(doc_id, set()).update(bad)
            lines = {f"{pipeline._short(node)}: {bad[node]}" for t in gone
                     for node in (t[0], t[2]) if node in bad}
            self.dropped[doc_id] = tuple(sorted(set(self.dropped.get(doc_id, ())) | lines))
        return more


def _drop_rounds(state, doc_id: str, facts: set, claims: set, minted: set,
                 shapes: Graph, ontology: Graph) -> _Rounds:
    old = _Replay(state.base, state.raw_facts, state.proposed, state.minted)
    new = _Replay(state.base, {**state.raw_facts, doc_id: facts},
                  {**state.proposed, doc_id: claims}, {**state.minted, doc_id: minted})
    inverse = _inverse_predicates(shapes)
    local = inverse is not None
    rounds, applied = [], 0
    old_union = old.union()
    for number in range(pipeline._DROP_ROUNDS):
        union = new.union()
        baseline = state.rounds[min(number, len(state.rounds) - 1)]
        affected = _affected(union ^ old_union, union | old_union, inverse) if local else None
        if affected is None:
            results = validate(_graph(union), shapes, ontology).results
        else:
            # The whole neighbourhood is validated and only the affected nodes' results
            # kept (the others in it lack their own triples): pySHACL's focus_nodes
            # option also filters the value nodes of nested shapes, so a label checked
            # by sh:qualifiedValueShape fails there.
            fresh = [r for r in validate(_neighbourhood(union, affected, inverse), shapes,
                                         ontology).results
                     if r.focus_node in affected] if affected else []
            results = tuple(sorted([r for r in baseline if r.focus_node not in affected]
                                   + fresh, key=result_order))
        rounds.append(results)
        if number < len(state.rounds) - 1:
            old.drop(state.rounds[number])
            applied += 1
            old_union = old.union()
        if not new.drop(results):
            break
    while applied < len(state.rounds) - 1:  # the last build's drops, to its end
        old.drop(state.rounds[applied])
        applied += 1
    if _report_of(rounds[-1]).violations:
        raise NotIncremental("the shapes that span documents find violations the automatic "
                             "layer cannot drop")
    for other in state.raw_facts:
        if new.facts[other] != old.facts[other] or new.dropped.get(other) != old.dropped.get(other):
            raise NotIncremental(f"the new document changes which proposals of {other} "
                                 f"are dropped")
    return _Rounds(report=_report_of(rounds[-1]), results=tuple(rounds), dropped=new.dropped,
                   removed=new.removed, proposed=frozenset(claims), minted=frozenset(minted))


def _report_of(results) -> ValidationReport:
    return ValidationReport(not any(r.severity == "Violation" for r in results), results, Graph())


_SCHEMA = {RDFS.subClassOf}  # what sh:class and sh:targetClass follow besides rdf:type


def _inverse_predicates(shapes: Graph) -> set | None:
    """The predicates the shapes follow backwards, if every constraint of a targeted
    shape reads only a focus node's own triples, those pointing to it along such a
    predicate, and the types of its values (what :func:`_affected` assumes); else None."""
    targeted = {s for p in _LOCAL_TARGETS for s in shapes.subjects(p, None)}
    if any(p in _OTHER_TARGETS for s in targeted for p in shapes.predicates(s)):
        return None
    inverse = set()
    todo, seen = list(targeted), set()
    while todo:
        shape = todo.pop()
        if shape in seen:
            continue
        seen.add(shape)
        value_shape = shape not in targeted and (shape, SH.path, None) not in shapes
        for predicate, value in shapes.predicate_objects(shape):
            if predicate in (SH.sparql, SH.node) or (value_shape and predicate == SH.property):
                return None  # reads beyond the focus node's own triples
            if predicate == SH.property:
                todo.append(value)
            elif predicate in (SH.qualifiedValueShape, SH["or"], SH["and"], SH["not"], SH.xone):
                nested = _members(shapes, value)
                if any((n, SH.path, None) in shapes or (n, SH.property, None) in shapes
                       for n in nested):
                    return None  # a value's own properties
            elif predicate == SH.path:
                steps = _members(shapes, shapes.value(value, SH.alternativePath) or value)
                for step in steps:
                    if isinstance(step, URIRef):
                        continue
                    target = shapes.value(step, SH.inversePath)
                    if not isinstance(target, URIRef):
                        return None  # a longer path
                    inverse.add(target)
    return inverse


_LOCAL_TARGETS = (SH.targetClass, SH.targetSubjectsOf)
_OTHER_TARGETS = (SH.targetNode, SH.targetObjectsOf, SH.target)


def _members(shapes: Graph, node) -> list:
    """The members of an RDF list, or the node itself."""
    if (node, RDF.first, None) in shapes:
        return list(Collection(shapes, node))
    return [node]


def _affected(changed: set, union: set, inverse: set) -> set | None:
    """The nodes whose results can differ between two unions that differ by ``changed``:
    the subjects of the changes, the objects of changes along predicates read
    backwards, and whatever points to a node whose types changed (sh:class reads
    them). None when a change is to the schema itself (a subclass axiom in the data)."""
    nodes, retyped = set(), set()
    for s, p, o in changed:
        if p in _SCHEMA:
            return None
        nodes.add(s)
        if p in inverse and isinstance(o, URIRef):
            nodes.add(o)
        if p == RDF.type:
            retyped.add(s)
    if retyped:
        nodes.update(s for s, _, o in union if o in retyped)
    return {n for n in nodes if isinstance(n, URIRef)}


def _neighbourhood(union: set, focus: set, inverse: set) -> Graph:
    """What validating ``focus`` reads: their triples, those pointing to them along
    predicates read backwards, and the types of every node these reach."""
    graph = Graph()
    reached = set()
    for triple in union:
        s, p, o = triple
        if s in focus or (p in inverse and o in focus):
            graph.add(triple)
            reached.add(o)
            reached.add(s)
    for triple in union:
        if triple[1] == RDF.type and triple[0] in reached:
            graph.add(triple)
    return graph


def _check_minting(proposed: dict, known: dict, state, later: set[str]) -> None:
    """The document mints as a full build would: an entity that a document after it
    minted first would take this document's label (so it must be the same), and a new
    one must not need a suffix that depends on which document came first."""
    for iri, minted in proposed.items():
        old = known.get(iri)
        if old is None:
            plain = slug(minted.label.replace("–", "-")) or "entity"
            if str(iri).startswith(str(ID)) and str(iri)[len(str(ID)):] not in (plain, f"{plain}-auto") \
                    and minted.type != AKG.Stance:
                raise NotIncremental(f"the new entity {iri} needs a suffix that depends on "
                                     f"the order of documents")
            continue
        owner = next((doc_id for doc_id in state.doc_ids
                      if (iri, RDFS.label, Literal(old.label, lang="en"))
                      in state.facts[GRAPH[f"doc/{doc_id}"]]), None)
        if owner in later and old != minted:
            raise NotIncremental(f"{iri} was minted by {owner}, which the new document "
                                 f"precedes, with other words")


@dataclass(frozen=True)
class _FactsKnowledge(KnowledgeBase):
    """The explainer's knowledge over the facts alone, each claimed triple's evidence
    reduced to its strongest modality (all that :func:`pipeline._weakest_premises`
    reads of it)."""

    modalities: dict = field(default_factory=dict)

    def _quotes(self, triple):
        modality = self.modalities.get(triple)
        if modality is not None:
            yield Quote(document=URIRef(""), exact="", start=0, end=0, modality=modality,
                        method=URIRef(""))


def _weakest(ontology, reference, links, facts, inferred, tentative, new_modalities,
             old_modalities) -> dict:
    modalities = dict(old_modalities)
    for triple, value in new_modalities.items():
        best = modalities.get(triple)
        if best is None or pipeline._MODALITY_RANK[value] < pipeline._MODALITY_RANK[best]:
            modalities[triple] = value
    asserted = {GRAPH["reference"]: reference, GRAPH["links"]: links, **facts}
    kb = _FactsKnowledge(asserted=asserted, inferred=inferred, ontology=ontology,
                         provenance=Graph(), modalities=modalities)
    return pipeline._weakest_premises_in(kb, tentative)


def _graph(triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


# Writing: the previous release's bytes, with the changed subjects' blocks spliced in.

def _write(target: Path, saved: SavedState, manifest: dict, changes: dict, report,
           entry, order: list[str], hashes: dict, timings: dict, claims: int,
           mentions: int) -> tuple[Path, int]:
    """The new release in a staging folder beside ``target``, and its triple count."""
    index = saved.index
    writer = Writer(PREFIXES)
    old_trig = (target / TRIG_FILE).read_bytes()
    staging = target.parent / f".{target.name}.new-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    sizes = {URIRef(k): v for k, v in manifest["graphs"].items()}
    parts = [index.header]
    offset = len(index.header)
    new_graphs, new_blocks = {}, {}
    try:
        (staging / "graphs").mkdir(parents=True)
        for graph_name in sorted(set(sizes) | set(changes), key=str):
            file_name = graph_file_name(graph_name)
            if graph_name not in changes:
                _link_or_copy(target / "graphs" / file_name, staging / "graphs" / file_name)
                if graph_name in index.graphs:
                    start, length = index.graphs[graph_name]
                    parts.append(old_trig[start:start + length])
                    new_graphs[graph_name] = (offset, length)
                    offset += length
                if graph_name in index.blocks:
                    new_blocks[graph_name] = index.blocks[graph_name]
                continue
            added, removed, previous = changes[graph_name]
            old_index = index.blocks.get(graph_name, BlockIndex((), _array(), _array()))
            old_ttl = (target / "graphs" / file_name).read_bytes() if graph_name in sizes else b""
            start, length = index.graphs.get(graph_name, (0, 0))
            ttl, nested, blocks, size_change = _splice(
                writer, graph_name, old_index, old_ttl, old_trig[start:start + length],
                added, removed, previous)
            (staging / "graphs" / file_name).write_bytes(ttl)
            sizes[graph_name] = sizes.get(graph_name, 0) + size_change
            new_blocks[graph_name] = blocks
            if nested:
                parts.append(nested)
                new_graphs[graph_name] = (offset, len(nested))
                offset += len(nested)
        with (staging / TRIG_FILE).open("wb") as stream:
            for piece in parts:
                stream.write(piece)
        void_state = saved.void
        statistics = _update_void(void_state, changes)
        sized = {n: range(v) for n, v in sizes.items()}
        sized[GRAPH["links"]] = _graph(saved.build.links | changes.get(GRAPH["links"], (set(),))[0])
        (staging / "void.ttl").write_text(writer.turtle(void_graph(sized, statistics)),
                                          encoding="utf-8")
        prefixes = dict(PREFIXES, sh="http://www.w3.org/ns/shacl#")
        (staging / "validation-report.ttl").write_text(turtle(report.graph, prefixes),
                                                       encoding="utf-8")
        _write_json(staging / "build-report.json", _build_report(target, entry, report, order))
        _write_json(staging / "context.jsonld", jsonld_context())
        manifest = dict(manifest, inputs_sha256=hashes,
                        graphs={str(n): sizes[n] for n in sorted(sizes, key=str)},
                        triples=sum(sizes.values()), documents=manifest["documents"] + 1,
                        claims=manifest["claims"] + claims,
                        mentions=manifest["mentions"] + mentions,
                        violations=len(report.violations), warnings=len(report.warnings),
                        inferred=sizes[GRAPH["inferred"]], timings_seconds=timings)
        _write_json(staging / "manifest.json", manifest)
        _sync(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    index.graphs, index.blocks = new_graphs, new_blocks
    return staging, manifest["triples"]


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link (the file is not written again), or a copy where links cannot be made."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _array() -> array:
    return array("q")


def _splice(writer: Writer, name: URIRef, old: BlockIndex, ttl: bytes, trig: bytes,
            added: set, removed: set, previous) -> tuple[bytes, bytes, BlockIndex, int]:
    """A graph's Turtle text and TriG block with the subjects that ``added`` and
    ``removed`` touch rendered again; every other block is copied as it was. A touched
    subject that had a block keeps its other triples: from ``previous`` (the graph's
    triples before), or read back from its block where the state does not hold them."""
    touched: dict = {}
    for triple in added:
        touched.setdefault(triple[0], [set(), set()])[0].add(triple)
    for triple in removed:
        touched.setdefault(triple[0], [set(), set()])[1].add(triple)
    where = {key: i for i, key in enumerate(old.keys)}
    header = len(writer.header.encode())
    ttl_starts, trig_starts = [], []
    position, nested_position = header + 1, len(writer.graph_header(name).encode())
    for top, nested in zip(old.top, old.nested):
        ttl_starts.append(position)
        trig_starts.append(nested_position)
        position += top + 1
        nested_position += nested + 1
    had = {subject for subject in touched if writer.term(subject) in where}
    before_of: dict = {subject: set() for subject in had}
    if previous is not None:
        for triple in previous:
            if triple[0] in before_of:
                before_of[triple[0]].add(triple)
    triples, replaced, change = set(), set(), 0
    for subject, (plus, minus) in touched.items():
        before = before_of.get(subject, set())
        if subject in had:
            i = where[writer.term(subject)]
            replaced.add(i)
            if previous is None:
                block = ttl[ttl_starts[i]:ttl_starts[i] + old.top[i]]
                before = set(Graph().parse(data=writer.header.encode() + block, format="turtle"))
        after = (before | plus) - minus
        change += len(after) - len(before)
        triples |= after
    keys, tops, nesteds = writer.keyed_blocks(triples)
    fresh = {k: (t.encode(), n.encode()) for k, t, n in zip(keys, tops, nesteds)}
    order = sorted((k + " ", k) for k in fresh)
    out_ttl, out_trig, out_keys, out_top, out_nested = [], [], [], _array(), _array()
    run_start = None

    def flush(end: int) -> None:
        nonlocal run_start
        if run_start is not None and run_start < end:
            out_ttl.append(ttl[ttl_starts[run_start]:ttl_starts[end - 1] + old.top[end - 1]])
            out_trig.append(trig[trig_starts[run_start]:trig_starts[end - 1] + old.nested[end - 1]])
            out_keys.extend(old.keys[run_start:end])
            out_top.extend(old.top[run_start:end])
            out_nested.extend(old.nested[run_start:end])
        run_start = None

    sort_keys = [k + " " for k in old.keys]
    i = 0
    for sort_key, key in order:
        stop = bisect.bisect_left(sort_keys, sort_key, lo=i)
        while i < stop:
            if i in replaced:
                flush(i)
            elif run_start is None:
                run_start = i
            i += 1
        flush(i)
        if i < len(old.keys) and old.keys[i] == key:
            i += 1  # replaced by its new block
        top, nested = fresh[key]
        out_ttl.append(top)
        out_trig.append(nested)
        out_keys.append(key)
        out_top.append(len(top))
        out_nested.append(len(nested))
    while i < len(old.keys):
        if i in replaced:
            flush(i)
        elif run_start is None:
            run_start = i
        i += 1
    flush(i)
    head = writer.header.encode()
    ttl_text = head + (b"\n" + b"\n".join(out_ttl) if out_ttl else b"")
    trig_text = (writer.graph_header(name).encode() + b"\n".join(out_trig) + b"}\n"
                 if out_trig else b"")
    return ttl_text, trig_text, BlockIndex(tuple(out_keys), out_top, out_nested), change


def _update_void(void, changes: dict) -> _Statistics:
    """The VoID statistics with the changes' added triples counted where they are new
    to the release (nothing leaves it: a removed triple moved to another graph)."""
    digests = TermDigests()
    fresh_triples, subjects, objects, entities = set(), set(), set(), set()
    for added, *_ in changes.values():
        for triple in added:
            fresh_triples.add(triple)
    new_triples = {t: digests.triple(t) for t in fresh_triples}
    known = void.triples
    values = numpy.fromiter(new_triples.values(), dtype=numpy.uint64, count=len(new_triples))
    present = _member(known, values)
    rdf_type = RDF.type
    for (triple, _), seen in zip(new_triples.items(), present):
        if seen:
            continue
        s, p, o = triple
        subjects.add(digests.term(s))
        objects.add(digests.term(o))
        void.predicates.add(p)
        if p == rdf_type:
            void.classes.add(o)
            if isinstance(s, URIRef):
                entities.add(digests.term(s))
            if o in (AKG.Agreement, AKG.State, AKG.Risk) and str(s).startswith(str(ID)):
                current = void.examples.get(o)
                void.examples[o] = s if current is None else min(current, s)
    void.triples = numpy.union1d(known, values[~present])
    void.subjects = numpy.union1d(void.subjects, numpy.fromiter(subjects, dtype=numpy.uint64))
    void.objects = numpy.union1d(void.objects, numpy.fromiter(objects, dtype=numpy.uint64))
    void.entities = numpy.union1d(void.entities, numpy.fromiter(entities, dtype=numpy.uint64))
    return _Statistics.from_state(void)


def _member(sorted_values, values):
    if not len(sorted_values) or not len(values):
        return numpy.zeros(len(values), dtype=bool)
    found = numpy.searchsorted(sorted_values, values)
    found[found >= len(sorted_values)] = 0
    return sorted_values[found] == values


def _build_report(target: Path, entry, report, order: list[str]) -> dict:
    """The previous build report with the new document's entry."""
    previous = json.loads((target / "build-report.json").read_bytes())
    one = build_report(pipeline.Build(graphs={}, validation=report, documents=(entry,),
                                      input_hashes={}))
    documents = dict(previous["documents"])
    documents[entry.doc_id] = one["documents"][entry.doc_id]
    names = Counter(c["name"] for doc in documents.values() for c in doc["candidates"])
    return {"documents": documents, "candidate_names": dict(sorted(names.items())),
            "warnings": [r.describe() for r in report.warnings]
            + [w for doc_id in order for w in documents[doc_id]["warnings"]]}
