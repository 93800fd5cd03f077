"""The automatic layer of one document: proposals turned into claims and entities.

Input: a document, its parse, mentions and candidates, the gazetteer and the build's
:class:`~allianceskg.reading.entities.Minter`. Output: a :class:`AutomaticLayer`
holding a :class:`~allianceskg.build.claims.ClaimSet` (every stated proposal as a claim whose
quote is its whole sentence, whose method is the construction, whose modality the
clause decided) and the proposals the text negates or denies, kept for the report and
the draft but never asserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from allianceskg.build.claims import Claim, ClaimSet, Entity
from allianceskg.build.corpus import Document
from allianceskg.reading.mentions import Candidate, Gazetteer, Mention
from allianceskg.reading.entities import Minter
from allianceskg.reading.relations import Extractor, Proposal
from allianceskg.vocab import AKG, ID

CONSTRUCTIONS = {
    "agreement": "An agreement noun with its parties (subjects and their conjuncts, with, between, by, joined)",
    "agreement-status": "An agreement's status from its verb (launch, sign, ratify, negotiate, stall) and clause",
    "date": "The date attached to the verb of an agreement or a measure",
    "venue": "The summit an agreement was announced at, and the place",
    "measure": "A measure (export controls, licensing, tariffs, sanctions, bans, subsidies, screening) imposed by whom, on whom, on what",
    "crisis": "A crisis that exposed or revealed a dependency, for whom, on what",
    "policy": "Legislation or a policy introduced or passed by an actor",
    "membership": "Membership: member of, joined, groups, a member of",
    "stance": "A stance (condemned, criticised, welcomed, opposed, backed, warned) with holder and target",
    "consequence": "Who an agreement or measure benefits or harms, and what it counterbalances",
    "partnership": "Two actors deepening their ties",
    "actor": "An industry group named by its nationality ('French farmers')",
}
# A claim's akg:confidence is its construction's precision on the benchmark's tuning split
# (benchmarks/extraction.py, "by construction", 2026-12-02), Laplace-smoothed
# ((right + 1) / (predicted + 2)) and rounded to 0.05; a construction not measured there
# gets 0.5. The held-out split shows how far the calibration carries
# (benchmarks/README.md).
_CONFIDENCE = {"agreement": "0.8", "membership": "0.9", "partnership": "0.8", "date": "0.75",
               "policy": "0.75", "venue": "0.65", "agreement-status": "0.55",
               "consequence": "0.55", "measure": "0.5", "stance": "0.5", "crisis": "0.25"}


def construction_iri(name: str) -> URIRef:
    return ID[f"rule/{name}"]


@dataclass(frozen=True)
class AutomaticLayer:
    """What the automatic layer proposes for one document."""

    claims: ClaimSet
    rejected: tuple[Proposal, ...]
    proposals: tuple[Proposal, ...]


def read_document(document: Document, parse, mentions: list[Mention],
                  candidates: list[Candidate], gazetteer: Gazetteer,
                  minter: Minter) -> AutomaticLayer:
    """Read the facts of ``document`` off its parse."""
    minter.start_document()
    reading = Extractor(gazetteer, minter, published=document.metadata.published).read(
        parse, mentions, candidates)
    claims, used = [], set()
    for proposal in reading.proposals:
        start, end = _trim(document.text, proposal.start, proposal.end)
        subject, predicate, obj = proposal.triple
        claims.append(Claim(subject, predicate, obj, start=start, end=end,
                            modality=proposal.decision.modality,
                            method=construction_iri(proposal.construction),
                            confidence=Decimal(_CONFIDENCE.get(proposal.construction, "0.5")),
                            source=proposal.construction, speaker=proposal.decision.speaker))
        used.update(n for n in (subject, obj) if isinstance(n, URIRef))
    entities = []
    for iri in sorted(used):
        minted = minter.entities.get(iri)
        if minted is not None:
            entities.append(Entity(iri=iri, type=minted.type, label=minted.label,
                                   method=construction_iri(minted.construction)))
    unique = {(c.triple, c.start, c.end, c.method): c for c in claims}
    return AutomaticLayer(ClaimSet(tuple(unique.values()), tuple(entities)),
                          tuple(reading.rejected), tuple(reading.proposals))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def constructions_graph() -> Graph:
    """The constructions, described as pattern rules, for graph/provenance."""
    graph = Graph()
    for name, description in CONSTRUCTIONS.items():
        iri = construction_iri(name)
        graph.add((iri, RDF.type, AKG.PatternRule))
        graph.add((iri, RDFS.label, Literal(f"dependency construction: {name}", lang="en")))
        graph.add((iri, DCTERMS.description, Literal(description, lang="en")))
    return graph
