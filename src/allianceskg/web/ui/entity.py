"""What an entity page shows, read through the store: labels in every language, types,
facts grouped by property (outgoing and incoming), which graph states each fact —
asserted (a document, the reference data, the links), inferred, or inferred only
tentatively — the modality of each asserted fact (the strongest of its claims, as in
:mod:`allianceskg.analysis.explain`), its evidence quotes, external links, the documents that
mention it, and the labels of every node shown.

Input: a :class:`~allianceskg.web.ui.lookup.Lookup` and an IRI. Output: an
:class:`EntityView`. A handful of SELECT queries, each bounded by a LIMIT.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from allianceskg.analysis.explain import MODALITY_RANK
from allianceskg.vocab import AKG, GRAPH, OA, PREFIXES
from allianceskg.web.ui.lookup import Lookup, iri

MAX_FACTS = 1500      # outgoing or incoming rows read for one page
MAX_CLAIMS = 240      # quotes read for one page (the modality counts read every claim)
MAX_QUOTES = 6        # quotes shown under one fact
MAX_PER_PROPERTY = 50  # values listed per property and direction
MAX_DOCUMENTS = 50
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
    evidence: list[Evidence] = field(default_factory=list)  # the quotes shown
    modalities: set[URIRef] = field(default_factory=set)    # of every claim stating it
    claims: int = 0

    @cached_property
    def status(self) -> str:
        """"asserted", "inferred" or "tentative" (read once the fact is complete)."""
        asserted = {g for g in self.graphs if g not in (GRAPH["inferred"], GRAPH["ontology"])}
        if asserted or GRAPH["ontology"] in self.graphs:
            return "asserted"
        return "inferred" if GRAPH["inferred"] in self.graphs else "tentative"

    @cached_property
    def modality(self) -> URIRef:
        """The strongest modality of the fact's claims; reference data, the ontology and
        inferences from facts count as reported facts; a tentative inference carries
        the weakest modality of its premises."""
        if self.status == "tentative":
            return self.premise_modality or AKG.Speculation
        if self.status == "inferred" or not self.modalities or GRAPH["reference"] in self.graphs:
            return AKG.ReportedFact
        return min(self.modalities, key=MODALITY_RANK.__getitem__)


@dataclass
class EntityView:
    iri: URIRef
    labels: list[Literal]
    types: list[URIRef]
    outgoing: dict[URIRef, list[Fact]]
    incoming: dict[URIRef, list[Fact]]
    names: dict[Node, str]           # a display label for every IRI on the page
    external: list[tuple[URIRef, URIRef]]  # (property, external IRI)
    documents: list[URIRef]          # mentioned in (the first MAX_DOCUMENTS)
    truncated: bool = False
    hidden: dict = field(default_factory=dict)  # (incoming, property) → values not listed

    @property
    def exists(self) -> bool:
        return bool(self.labels or self.types or self.outgoing or self.incoming or self.documents)

    @property
    def title(self) -> str:
        return self.names.get(self.iri) or curie(self.iri)

    def facts(self) -> list[Fact]:
        return [f for group in (*self.outgoing.values(), *self.incoming.values()) for f in group]


def describe(lookup: Lookup, node: URIRef) -> EntityView:
    """Everything the page of ``node`` shows: one wave of independent queries run side
    by side (the worker pool answers them in parallel), then the labels and details of
    what they found."""
    s = iri(node)
    facts: dict[tuple, Fact] = {}
    answers = parallel(lookup, {
        "outgoing": f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {s} ?p ?o }} }} LIMIT {MAX_FACTS}",
        "incoming": f"SELECT ?x ?p ?g WHERE {{ GRAPH ?g {{ ?x ?p {s} }} "
                    f"FILTER (?g NOT IN ({', '.join(iri(g) for g in _NOT_FACTS)})) }} "
                    f"LIMIT {MAX_FACTS}",
        **_tentative_queries(s), "evidence": _evidence_query(s), "modalities": _modality_query(s),
        "documents": _documents_query(s)})
    outgoing, incoming = answers["outgoing"], answers["incoming"]
    truncated = len(outgoing) >= MAX_FACTS or len(incoming) >= MAX_FACTS
    for row in outgoing:
        if row["g"] in _NOT_FACTS:
            continue
        fact = facts.setdefault((False, row["p"], row["o"]), Fact(row["p"], row["o"]))
        fact.graphs.add(row["g"])
    for row in incoming:
        fact = facts.setdefault((True, row["p"], row["x"]), Fact(row["p"], row["x"], incoming=True))
        fact.graphs.add(row["g"])
    _tentative(answers, facts)
    shown_evidence = _evidence(answers, node, facts)
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
    hidden: dict[tuple[bool, URIRef], int] = {}
    for incoming, groups in grouped.items():  # asserted first, then by IRI; the rest counted
        for predicate, group in groups.items():
            group.sort(key=lambda f: (f.status != "asserted", str(f.value)))
            if len(group) > MAX_PER_PROPERTY:
                hidden[(incoming, predicate)] = len(group) - MAX_PER_PROPERTY
                del group[MAX_PER_PROPERTY:]
    view = EntityView(iri=node, labels=labels, types=types,
                      outgoing=dict(sorted(grouped[False].items())),
                      incoming=dict(sorted(grouped[True].items())),
                      names={}, external=external,
                      documents=sorted(r["doc"] for r in answers["documents"]),
                      truncated=truncated, hidden=hidden)
    listed = view.facts()
    shown = {node, *types, *view.documents, *(f.predicate for f in listed)}
    shown.update(f.value for f in listed if isinstance(f.value, URIRef))
    kept = {id(f) for f in listed}
    shown_evidence = [r for r in shown_evidence if id(facts[_key(r, node)]) in kept]
    with ThreadPoolExecutor(max_workers=2) as pool:
        labelled = pool.submit(names, lookup, shown)
        described = pool.submit(details, lookup, {n for row in shown_evidence
                                                  for n in (row["claim"], row["quote"], row["doc"])})
        view.names, extra = labelled.result(), described.result()
    _quotes(shown_evidence, node, facts, extra)
    for group in (*view.outgoing.values(), *view.incoming.values()):
        group.sort(key=lambda f: (f.status != "asserted", view.names.get(f.value, str(f.value))))
    return view


_BASE = "https://w3id.org/allianceskg/"


def _tentative_queries(s: str) -> dict[str, str]:
    """Entailments that need an assessed or speculated premise (graph/inferred-tentative)."""
    tentative = iri(GRAPH["inferred-tentative"])
    return {f"tentative-{incoming}": (
        f"PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}> SELECT ?p ?v ?m WHERE {{ GRAPH {tentative} "
        f"{{ ?e {pattern} ; akg:premiseModality ?m }} }} LIMIT {MAX_FACTS}")
        for incoming, pattern in ((False, f"rdf:subject {s} ; rdf:predicate ?p ; rdf:object ?v"),
                                  (True, f"rdf:object {s} ; rdf:predicate ?p ; rdf:subject ?v"))}


def _tentative(answers: dict, facts: dict[tuple, Fact]) -> None:
    for incoming in (False, True):
        for row in answers[f"tentative-{incoming}"]:
            fact = facts.setdefault((incoming, row["p"], row["v"]),
                                    Fact(row["p"], row["v"], incoming=incoming))
            if not fact.graphs:
                fact.graphs.add(GRAPH["inferred-tentative"])
                fact.premise_modality = row["m"]


def _evidence_query(s: str) -> str:
    """Quotes of the claims stating a fact about the node (the first MAX_CLAIMS the
    store finds; no ORDER BY, so that it stops there). The optional values (speaker,
    the quote's context, the document's title) are read afterwards, bound to the
    quotes shown: an OPTIONAL here would make a store such as Oxigraph scan every such
    triple of the provenance graph (measured: 10× slower)."""
    return f"""PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?claim ?s ?p ?o ?modality ?method ?doc ?quote ?exact ?start ?end
WHERE {{ GRAPH {iri(GRAPH["provenance"])} {{
  {{ ?claim rdf:subject {s} }} UNION {{ ?claim rdf:object {s} }}
  ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; akg:modality ?modality ;
         akg:extractionMethod ?method ; akg:hasEvidence ?evidence .
  ?evidence oa:hasTarget ?target .
  ?target oa:hasSource ?doc ; oa:hasSelector ?quote, ?position .
  ?quote oa:exact ?exact . ?position oa:start ?start ; oa:end ?end .
}} }} LIMIT {MAX_CLAIMS}"""


def _modality_query(s: str) -> str:
    """How many claims state each fact about the node, by modality (all of them)."""
    return f"""PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}>
SELECT ?s ?p ?o ?modality (COUNT(?claim) AS ?n) WHERE {{ GRAPH {iri(GRAPH["provenance"])} {{
  {{ ?claim rdf:subject {s} }} UNION {{ ?claim rdf:object {s} }}
  ?claim rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; akg:modality ?modality .
}} }} GROUP BY ?s ?p ?o ?modality"""


def _key(row, node) -> tuple:
    incoming = row["s"] != node
    return (incoming, row["p"], row["s"] if incoming else row["o"])


def _evidence(answers: dict, node: URIRef, facts: dict[tuple, Fact]) -> list:
    """Each fact's claim modalities and count (all of them), and the rows of the quotes
    to show: MAX_QUOTES per fact, by document and offset (the explanation page lists
    every one)."""
    for row in answers["modalities"]:
        fact = facts.get(_key(row, node))
        if fact is not None:
            fact.modalities.add(row["modality"])
            fact.claims += int(row["n"])
    shown, count = [], defaultdict(int)
    for row in sorted(answers["evidence"], key=lambda r: (str(r["doc"]), int(r["start"]),
                                                          str(r["claim"]))):
        fact = facts.get(_key(row, node))
        if fact is not None and count[id(fact)] < MAX_QUOTES:
            count[id(fact)] += 1
            shown.append(row)
    return shown


def _quotes(rows: list, node: URIRef, facts: dict[tuple, Fact], extra: dict) -> None:
    for row in rows:
        fact = facts[_key(row, node)]
        claim, quote = extra.get(row["claim"], {}), extra.get(row["quote"], {})
        fact.evidence.append(Evidence(
            claim=row["claim"], document=row["doc"],
            title=str(extra.get(row["doc"], {}).get(DCTERMS.title, "")),
            exact=str(row["exact"]), before=sentence_before(str(quote.get(OA.prefix, ""))),
            after=sentence_after(str(quote.get(OA.suffix, ""))), start=int(row["start"]),
            end=int(row["end"]), modality=row["modality"], method=row["method"],
            speaker=str(claim.get(AKG.attributedTo, ""))))


def parallel(lookup: Lookup, queries: dict[str, str]) -> dict[str, list]:
    """Run independent SELECTs side by side; the answers by name."""
    with ThreadPoolExecutor(max_workers=min(4, len(queries))) as pool:
        futures = {name: pool.submit(lookup.select, query) for name, query in queries.items()}
        return {name: future.result() for name, future in futures.items()}


_DETAILS = (AKG.attributedTo, OA.prefix, OA.suffix, DCTERMS.title)


def details(lookup: Lookup, nodes) -> dict[Node, dict[URIRef, Node]]:
    """The speaker, quote context and title of each node that has them (one value each)."""
    nodes = sorted(nodes, key=str)
    found: dict[Node, dict[URIRef, Node]] = defaultdict(dict)
    wanted = ", ".join(iri(p) for p in _DETAILS)
    for start in range(0, len(nodes), 400):
        chunk = " ".join(iri(n) for n in nodes[start:start + 400])
        for row in lookup.select(f"SELECT ?n ?k ?v WHERE {{ VALUES ?n {{ {chunk} }} ?n ?k ?v "
                                 f"FILTER (?k IN ({wanted})) }}"):
            found[row["n"]].setdefault(row["k"], row["v"])
    return found


def _documents_query(s: str) -> str:
    """Documents that mention the node (the first MAX_DOCUMENTS found: no count, so
    that a node mentioned everywhere does not read every mention)."""
    return f"""PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?doc WHERE {{
  GRAPH {iri(GRAPH["mentions"])} {{ ?m oa:hasBody {s} ; oa:hasTarget ?target . ?target oa:hasSource ?doc }}
}} LIMIT {MAX_DOCUMENTS}"""


def names(lookup: Lookup, nodes) -> dict[Node, str]:
    """A label for each IRI (rdfs:label, skos:prefLabel, a document's dcterms:title):
    English (or without a language) first, then any language, else a CURIE. Two passes, so that the common case reads one label per node."""
    iris = sorted({n for n in nodes if isinstance(n, URIRef)}, key=str)
    found: dict[Node, str] = {}
    for english in (True, False):
        wanted = [n for n in iris if n not in found]
        keep = 'FILTER (LANG(?l) = "en" || LANG(?l) = "")' if english else ""
        for start in range(0, len(wanted), 400):
            chunk = " ".join(iri(n) for n in wanted[start:start + 400])
            rows = lookup.select(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {chunk} }} "
                                 f"{{ ?x <{RDFS.label}> ?l }} UNION {{ ?x <{SKOS.prefLabel}> ?l }} "
                                 f"UNION {{ ?x <{DCTERMS.title}> ?l }} "
                                 f"{keep} }}")
            best: dict[Node, tuple] = {}
            for row in rows:
                label = row["l"]
                rank = (getattr(label, "language", None) != "en", str(label))
                if row["x"] not in best or rank < best[row["x"]]:
                    best[row["x"]] = rank
            found.update((node, rank[1]) for node, rank in best.items())
        if len(found) == len(iris):
            break
    return {n: found.get(n) or curie(n) for n in iris}


def curie(node: Node) -> str:
    """``akg:Actor``, ``id:japan``; the IRI itself where no prefix fits."""
    text = str(node)
    matches = [(len(ns), prefix, text[len(ns):]) for prefix, ns in PREFIXES.items()
               if text.startswith(ns)]
    for _, prefix, local in sorted(matches, reverse=True):
        if local and all(c.isalnum() or c in "-_./" for c in local):  # for display only
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
