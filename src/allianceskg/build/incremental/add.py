"""Add one document to a built corpus without building everything again (``ingest``).

Input: the staged corpus (the previous corpus plus one new document), the previous
release and the state its build left (:mod:`.state`). Output: an :class:`Added`
release, staged beside the previous one, equal byte for byte to the one a full build
of the staged corpus writes (tests/test_scale.py compares them), and the new state.
The stages are pipeline.build's, on the new document alone: it is parsed, read and
validated; the drop rounds are replayed with its proposals (:mod:`.rounds`); its facts
are closed against the previous closure (OWL 2 RL is monotone); and the release is
written by splicing its subjects' blocks into the previous one's text (:mod:`.splice`).

Where the new document would change what the full build decides about the others — a
tentative fact it makes established, which of their proposals are dropped, an entity
it would mint with other words than the document that minted it first, an
inconsistency, a tentative entailment that changes standing — :class:`NotIncremental`
says why and the caller builds in full, so the result never differs from a full build.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from allianceskg.analysis.explain import KnowledgeBase, Quote
from allianceskg.analysis.linking import candidate_graph, candidate_links, linkable
from allianceskg.build import pipeline
from allianceskg.build.claims import ClaimSet, claim_file
from allianceskg.build.corpus import document_paths, load_document
from allianceskg.build.graphs import document_graphs
from allianceskg.build.incremental.rounds import NotIncremental, drop_rounds, graph_of
from allianceskg.build.incremental.splice import write_spliced
from allianceskg.build.incremental.state import (STATE_FILE, SavedState, load_state, save_state,
                                                 state_key)
from allianceskg.build.reasoning import (_new_triples_of, continue_inference, entailments_graph,
                                         rule_closure)
from allianceskg.build.release import _swap, recover_release
from allianceskg.build.validation import ValidationReport, merged, split_shapes
from allianceskg.model.countries import slug
from allianceskg.model.load import load_ontology, load_reference, load_shapes, superclasses
from allianceskg.reading.layer import AutomaticLayer, constructions_graph
from allianceskg.reading.mentions import build_gazetteer, find_mentions
from allianceskg.vocab import AKG, GRAPH, ID

__all__ = ["Added", "NotIncremental", "add_document"]


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
        self.saved.key = state_key(self.target)
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
        key = state_key(target)
    except OSError:
        raise NotIncremental("there is no release to add to") from None
    with timer.stage("state", progress):
        saved = load_state(state_path, key)
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
        reference_only, links_base = pipeline._split_links(reference)
        base = frozenset(reference_only) | frozenset(links_base)  # before any document
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
        minter.start_document()  # also where the document is not read (not English)
        layers = pipeline._claim_layers(paths, document, parses[document.doc_id], found,
                                        gazetteer, minter, resolver=None)  # no claims file
        proposed_here = dict(minter.proposed)
        _check_minting(proposed_here, known_entities, state, set(after))
        del parses
    with timer.stage("validate", progress):
        curated, automatic = layers
        raw = document_graphs(document, found[0], [curated, automatic.claims])
        document_shapes, corpus_shapes = split_shapes(shapes)
        proposed = frozenset(c.triple for c in automatic.claims.claims)
        minted = frozenset(e.iri for e in automatic.claims.entities)
        rounds = drop_rounds(state, base, document.doc_id, raw.facts, proposed, minted,
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
        earlier = set(base).union(*(facts[GRAPH[f"doc/{d}"]] for d in before))
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
        # The full build matches every minted entity at once, and never offers one as
        # another's candidate: the same here, with the others' minted IRIs left out.
        supers = superclasses(ontology)
        minted_now = {iri for iris in rounds.minted_after.values() for iri in iris
                      if linkable(minter.entities[iri].type, supers)}
        here = {e.iri for e in automatic.claims.entities}
        offered = {c.entity for found_ in state.candidates.values() for c in found_}
        if here & ({iri for iri, _, _ in state.curated} | offered):
            raise NotIncremental("the document mints a node that is a curated entity or "
                                 "another's candidate link")
        curated_graph = Graph()
        for iri, kind, label in state.curated:
            if iri not in minted_now:
                curated_graph.add((iri, RDF.type, kind))
                curated_graph.add((iri, RDFS.label, Literal(label, lang="en")))
        base_links = graph_of(t for t in links_base if t[0] not in minted_now)
        candidates = candidate_links(automatic.claims.entities,
                                     {GRAPH["reference"]: reference_only,
                                      GRAPH["links"]: base_links, GRAPH["curated"]: curated_graph},
                                     supers)
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
        reasoning_input = set(reference_only).union(*facts.values())  # no links: as build
        provenance = set(part.provenance) | set(constructions_graph())
        from_provenance = {t for t in rule_closure(ontology, graph_of(provenance))
                           if t not in reasoning_input and t not in provenance}
        inferred_added = (new_facts_part - old_facts_part) | (from_provenance
                                                               - state.provenance_shared)
        inferred_removed = old_facts_part - new_facts_part - state.provenance_shared
        modalities = pipeline.claim_modalities(claims, state.modality)
        weakest = _weakest(ontology, reference_only, state.links | new_links, facts,
                           inference.triples, inference.tentative, modalities)
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
        staging, written = write_spliced(target, saved, manifest, changes, report, report_entry,
                                         order, hashes, timer.timings, len(claims),
                                         len(found[0]))
    state.doc_ids = tuple(order)
    state.facts = facts
    state.reported = frozenset(reported)
    state.tentative = frozenset(tentative)
    state.established = inference.closure
    state.engine_added = inference.added
    state.modality = modalities
    state.document_results = results.results
    state.links = state.links | frozenset(new_links)
    state.candidates = all_candidates
    state.tentative_entailments = weakest
    state.raw_facts = {**state.raw_facts, document.doc_id: frozenset(raw.facts)}
    state.proposed = {**state.proposed, document.doc_id: proposed}
    state.minted = {**state.minted, document.doc_id: minted}
    state.minted_by = {**state.minted_by, document.doc_id: proposed_here}
    state.rounds = rounds.results
    state.provenance_shared = state.provenance_shared | frozenset(
        t for t in from_provenance if not pipeline.in_document(t[0]))
    return Added(document.doc_id, len(claims), len(found[0]), written, timer.timings, staging,
                 target, saved, state_path)


def _check_minting(proposed: dict, known: dict, state, later: set[str]) -> None:
    """The document mints as a full build would, where it is read before documents
    that minted the same nodes: the first document (in build order) that proposed a
    node decides its label and IRI, so a node first proposed by a later document must
    be proposed here with the same words and type; and no node may need a suffix that
    depends on which document came first."""
    for iri, minted in proposed.items():
        plain = slug(minted.label.replace("–", "-")) or "entity"
        suffixed = str(iri).startswith(str(ID)) and minted.type != AKG.Stance \
            and str(iri)[len(str(ID)):] not in (plain, f"{plain}-auto")
        if iri not in known:
            if suffixed:
                raise NotIncremental(f"the new entity {iri} needs a suffix that depends on "
                                     f"the order of documents")
            continue
        owner = next((doc_id for doc_id in state.doc_ids if iri in state.minted_by[doc_id]),
                     None)
        if owner in later and (suffixed or state.minted_by[owner][iri] != minted):
            raise NotIncremental(f"{iri} was first minted by {owner}, which the new document "
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


def _weakest(ontology, reference, links, facts, inferred, tentative, modalities) -> dict:
    """pipeline._weakest_premises over the facts, with each claimed triple's modality."""
    asserted = {GRAPH["reference"]: reference, GRAPH["links"]: links, **facts}
    kb = _FactsKnowledge(asserted=asserted, inferred=inferred, ontology=ontology,
                         provenance=Graph(), modalities=modalities)
    return pipeline._weakest_premises_in(kb, tentative)


