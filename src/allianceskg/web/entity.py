"""What an entity page shows, read through the store: labels in every language, types,
facts grouped by property (outgoing and incoming), which graph states each fact —
asserted (a document, the reference data, the links), inferred, or inferred only
tentatively — the modality of each asserted fact (the strongest of its claims, as in
:mod:`allianceskg.explain`), its evidence quotes, external links, the documents that
mention it, and the labels of every node shown.

Input: a :class:`~allianceskg.web.lookup.Lookup` and an IRI. Output: an
:class:`EntityView`. A handful of SELECT queries, each bounded by a LIMIT.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from allianceskg.vocab import AKG, GRAPH, PREFIXES
from allianceskg.web.lookup import Lookup, iri

MAX_FACTS = 1500      # outgoing or incoming rows read for one page
MAX_CLAIMS = 1000
MAX_DOCUMENTS = 50
_RANK = {AKG.ReportedFact: 0, AKG.AuthorAssessment: 1, AKG.Speculation: 2}
# Graphs whose triples are not facts about the entity (annotations, reified claims).
_NOT_FACTS = (GRAPH["mentions"], GRAPH["provenance"], GRAPH["inferred-tentative"])
_EXTERNAL = (SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, RDFS.seeAlso)


@dataclass(frozen=True)
class Evidence:
    """A quote stating a fact, with the words around it (from the quote selector)."""

    claim: URIRef
    document: URIRef
    title: str
    exact: str
    before: str
    after: str
    start: int
    end: int
    modality: URIRef
    method: URIRef
    speaker: str = ""


@dataclass
class Fact:
    """One value of one property, as the page lists it."""

    predicate: URIRef
    value: Node
    incoming: bool = False
    graphs: set[URIRef] = field(default_factory=set)
    premise_modality: URIRef | None = None  # set when only inferred tentatively
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def status(self) -> str:
        """"asserted", "inferred" or "tentative"."""
        asserted = {g for g in self.graphs if g not in (GRAPH["inferred"], GRAPH["ontology"])}
        if asserted or GRAPH["ontology"] in self.graphs:
            return "asserted"
        return "inferred" if GRAPH["inferred"] in self.graphs else "tentative"

    @property
    def modality(self) -> URIRef:
        """The strongest modality of the fact's claims; reference data, the ontology and
        inferences from facts count as reported facts; a tentative inference carries
        the weakest modality of its premises."""
        if self.status == "tentative":
            return self.premise_modality or AKG.Speculation
        if self.status == "inferred" or not self.evidence or GRAPH["reference"] in self.graphs:
            return AKG.ReportedFact
        return min((e.modality for e in self.evidence), key=_RANK.__getitem__)

    @property
    def triple(self) -> tuple[Node, Node, Node]:
        return (self.value, self.predicate, None) if self.incoming else (None, self.predicate,
                                                                          self.value)


@dataclass
class EntityView:
    iri: URIRef
    labels: list[Literal]
    types: list[URIRef]
    outgoing: dict[URIRef, list[Fact]]
    incoming: dict[URIRef, list[Fact]]
    names: dict[Node, str]           # a display label for every IRI on the page
    external: list[tuple[URIRef, URIRef]]  # (property, external IRI)
    documents: list[tuple[URIRef, str, int]]  # mentioned in: (document, title, mentions)
    truncated: bool = False

    @property
    def exists(self) -> bool:
        return bool(self.labels or self.types or self.outgoing or self.incoming)

    @property
    def title(self) -> str:
        return self.names.get(self.iri) or curie(self.iri)

    def facts(self) -> list[Fact]:
        return [f for group in (*self.outgoing.values(), *self.incoming.values()) for f in group]


def describe(lookup: Lookup, node: URIRef) -> EntityView:
    """Everything the page of ``node`` shows."""
    s = iri(node)
    facts: dict[tuple, Fact] = {}
    outgoing = lookup.select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {s} ?p ?o }} }} "
                             f"LIMIT {MAX_FACTS}")
    incoming = lookup.select(f"SELECT ?x ?p ?g WHERE {{ GRAPH ?g {{ ?x ?p {s} }} "
                             f"FILTER (?g NOT IN ({', '.join(iri(g) for g in _NOT_FACTS)})) }} "
                             f"LIMIT {MAX_FACTS}")
    truncated = len(outgoing) >= MAX_FACTS or len(incoming) >= MAX_FACTS
    for row in outgoing:
        if row["g"] in _NOT_FACTS:
            continue
        fact = facts.setdefault((False, row["p"], row["o"]), Fact(row["p"], row["o"]))
        fact.graphs.add(row["g"])
    for row in incoming:
        fact = facts.setdefault((True, row["p"], row["x"]), Fact(row["p"], row["x"], incoming=True))
        fact.graphs.add(row["g"])
    _tentative(lookup, s, facts)
    _evidence(lookup, node, s, facts)
    labels = sorted((f.value for f in facts.values()
                     if not f.incoming and f.predicate in (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
                     and isinstance(f.value, Literal)),
                    key=lambda lit: (lit.language != "en", lit.language or "", str(lit)))
    types = sorted({f.value for f in facts.values() if not f.incoming and f.predicate == RDF.type},
                   key=str)
    external = sorted((f.predicate, f.value) for f in facts.values()
                      if not f.incoming and f.predicate in _EXTERNAL and isinstance(f.value, URIRef)
                      and not str(f.value).startswith(_BASE))
    grouped: dict[bool, dict[URIRef, list[Fact]]] = {False: defaultdict(list), True: defaultdict(list)}
    for fact in facts.values():
        if not fact.incoming and fact.predicate in (RDFS.label, RDF.type):
            continue
        grouped[fact.incoming][fact.predicate].append(fact)
    view = EntityView(iri=node, labels=labels, types=types,
                      outgoing=dict(sorted(grouped[False].items())),
                      incoming=dict(sorted(grouped[True].items())),
                      names={}, external=external, documents=_documents(lookup, s),
                      truncated=truncated)
    shown = {node, *types, *(f.predicate for f in facts.values())}
    shown.update(f.value for f in facts.values() if isinstance(f.value, URIRef))
    view.names = names(lookup, shown)
    for group in (*view.outgoing.values(), *view.incoming.values()):
        group.sort(key=lambda f: (f.status != "asserted", view.names.get(f.value, str(f.value))))
    return view


_BASE = "https://w3id.org/allianceskg/"


def _tentative(lookup: Lookup, s: str, facts: dict[tuple, Fact]) -> None:
    """Entailments that need an assessed or speculated premise (graph/inferred-tentative)."""
    tentative = iri(GRAPH["inferred-tentative"])
    for incoming, pattern in ((False, f"rdf:subject {s} ; rdf:predicate ?p ; rdf:object ?v"),
                              (True, f"rdf:object {s} ; rdf:predicate ?p ; rdf:subject ?v")):
        rows = lookup.select(f"PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}> "
                             f"SELECT ?p ?v ?m WHERE {{ GRAPH {tentative} {{ ?e {pattern} ; "
                             f"akg:premiseModality ?m }} }} LIMIT {MAX_FACTS}")
        for row in rows:
            fact = facts.setdefault((incoming, row["p"], row["v"]),
                                    Fact(row["p"], row["v"], incoming=incoming))
            if not fact.graphs:
                fact.graphs.add(GRAPH["inferred-tentative"])
                fact.premise_modality = row["m"]


def _evidence(lookup: Lookup, node: URIRef, s: str, facts: dict[tuple, Fact]) -> None:
    """The claims stating a fact about ``node``, each with its quote."""
    query = f"""PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?claim ?s ?p ?o ?modality ?method ?speaker ?doc ?title ?exact ?prefix ?suffix ?start ?end
WHERE {{ GRAPH {iri(GRAPH["provenance"])} {{
  {{ ?claim rdf:subject {s} }} UNION {{ ?claim rdf:object {s} }}
  ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; akg:modality ?modality ;
         akg:extractionMethod ?method ; akg:hasEvidence/oa:hasTarget ?target .
  OPTIONAL {{ ?claim akg:attributedTo ?speaker }}
  ?target oa:hasSource ?doc ; oa:hasSelector ?quote, ?position .
  ?quote oa:exact ?exact . OPTIONAL {{ ?quote oa:prefix ?prefix }} OPTIONAL {{ ?quote oa:suffix ?suffix }}
  ?position oa:start ?start ; oa:end ?end .
  OPTIONAL {{ ?doc dcterms:title ?title }}
}} }} ORDER BY ?doc ?start LIMIT {MAX_CLAIMS}"""
    for row in lookup.select(query):
        incoming = row["s"] != node
        key = (incoming, row["p"], row["s"] if incoming else row["o"])
        fact = facts.get(key)
        if fact is None:
            continue
        fact.evidence.append(Evidence(
            claim=row["claim"], document=row["doc"], title=str(row.get("title", "")),
            exact=str(row["exact"]), before=sentence_before(str(row.get("prefix", ""))),
            after=sentence_after(str(row.get("suffix", ""))), start=int(row["start"]),
            end=int(row["end"]), modality=row["modality"], method=row["method"],
            speaker=str(row.get("speaker", ""))))


def _documents(lookup: Lookup, s: str) -> list[tuple[URIRef, str, int]]:
    rows = lookup.select(f"""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?doc (SAMPLE(?t) AS ?title) (COUNT(?m) AS ?n) WHERE {{
  GRAPH {iri(GRAPH["mentions"])} {{ ?m oa:hasBody {s} ; oa:hasTarget ?target . ?target oa:hasSource ?doc }}
  OPTIONAL {{ ?doc dcterms:title ?t }}
}} GROUP BY ?doc ORDER BY DESC(?n) ?doc LIMIT {MAX_DOCUMENTS}""")
    return [(r["doc"], str(r.get("title", "")), int(r["n"])) for r in rows]


def names(lookup: Lookup, nodes) -> dict[Node, str]:
    """A label for each IRI: English first, then any language, else a CURIE."""
    iris = sorted({n for n in nodes if isinstance(n, URIRef)}, key=str)
    found: dict[Node, tuple[int, str]] = {}
    for start in range(0, len(iris), 400):
        chunk = " ".join(iri(n) for n in iris[start:start + 400])
        rows = lookup.select(f"PREFIX rdfs: <{RDFS}> PREFIX skos: <{SKOS}> "
                             f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {chunk} }} "
                             f"?x rdfs:label|skos:prefLabel ?l }}")
        for row in rows:
            label = row["l"]
            rank = 0 if getattr(label, "language", None) == "en" else (
                1 if not getattr(label, "language", None) else 2)
            if row["x"] not in found or (rank, str(label)) < found[row["x"]]:
                found[row["x"]] = (rank, str(label))
    return {n: found[n][1] if n in found else curie(n) for n in iris}


def curie(node: Node) -> str:
    """``akg:Actor``, ``id:japan``; the IRI itself where no prefix fits."""
    text = str(node)
    matches = [(len(ns), prefix, text[len(ns):]) for prefix, ns in PREFIXES.items()
               if text.startswith(ns)]
    for _, prefix, local in sorted(matches, reverse=True):
        if local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
    return text


def sentence_before(prefix: str) -> str:
    """The part of ``prefix`` after the last sentence end: the quote's sentence start
    (``…`` and whole words when the stored context ends before the sentence does)."""
    cut = max(prefix.rfind(". "), prefix.rfind("\n"), prefix.rfind("? "), prefix.rfind("! "))
    if cut >= 0:
        return prefix[cut + 1:].lstrip()
    space = prefix.find(" ")
    return "…" + prefix[space:] if space > 0 else prefix


def sentence_after(suffix: str) -> str:
    """The part of ``suffix`` up to its first sentence end (whole words and ``…`` when
    the stored context stops first)."""
    ends = [i for i in (suffix.find(". "), suffix.find("\n"), suffix.find("? "),
                        suffix.find("! ")) if i >= 0]
    if suffix.endswith((".", "?", "!")):
        ends.append(len(suffix) - 1)
    if ends:
        return suffix[:min(ends) + 1].rstrip("\n")
    space = suffix.rfind(" ")
    return suffix[:space] + "…" if space > 0 else suffix
