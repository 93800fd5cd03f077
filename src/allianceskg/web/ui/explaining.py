"""Explanations answered through the store: the :class:`~allianceskg.analysis.explain.Knowledge`
that :func:`allianceskg.analysis.explain.explain` walks, each question a small SELECT or ASK
through the worker pool (memoised for the request), and the ontology read once from
the release. The service never loads the dataset itself.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from allianceskg.analysis.explain import Quote, Triple
from allianceskg.vocab import AKG, GRAPH
from allianceskg.web.ui.lookup import Lookup, iri, literal

# As allianceskg.analysis.explain.knowledge_base sorts a release's graphs: every graph but these
# states its triples; the tentative one holds entailments as reified statements.
_NOT_ASSERTED = (GRAPH["inferred"], GRAPH["inferred-tentative"], GRAPH["ontology"])
_STATED = f"FILTER (?g NOT IN ({', '.join(iri(g) for g in _NOT_ASSERTED)}))"
_TENTATIVE = iri(GRAPH["inferred-tentative"])
_FACT_GRAPHS = f"FILTER (?g != {_TENTATIVE})"


class StoreKnowledge:
    """Answers the explainer's questions for one request."""

    def __init__(self, lookup: Lookup, ontology: Graph) -> None:
        self.lookup, self.ontology = lookup, ontology
        self.asserted_in = lru_cache(maxsize=None)(self._asserted_in)
        self.holds = lru_cache(maxsize=None)(self._holds)
        self.objects = lru_cache(maxsize=None)(self._objects)
        self.subjects_with = lru_cache(maxsize=None)(self._subjects_with)

    def _asserted_in(self, triple: Triple) -> tuple[URIRef, ...]:
        s, p, o = (_term(t) for t in triple)
        rows = self.lookup.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {s} {p} {o} }} "
                                  f"{_STATED} }}")
        return tuple(sorted(r["g"] for r in rows))

    def _holds(self, triple: Triple) -> bool:
        if triple in self.ontology:
            return True
        s, p, o = (_term(t) for t in triple)
        return self.lookup.ask(
            f"ASK {{ {{ GRAPH ?g {{ {s} {p} {o} }} {_FACT_GRAPHS} }} UNION "
            f"{{ GRAPH {_TENTATIVE} {{ ?e <{RDF.subject}> {s} ; <{RDF.predicate}> {p} ; "
            f"<{RDF.object}> {o} }} }} }}")

    def _values(self, pattern: str, tentative: str) -> set[Node]:
        rows = self.lookup.select(
            f"SELECT DISTINCT ?v WHERE {{ {{ GRAPH ?g {{ {pattern} }} {_FACT_GRAPHS} }} UNION "
            f"{{ GRAPH {_TENTATIVE} {{ {tentative} }} }} }} LIMIT 2000")
        return {r["v"] for r in rows}

    def _objects(self, subject: Node, predicate: Node) -> set[Node]:
        s, p = _term(subject), _term(predicate)
        return self._values(f"{s} {p} ?v", f"?e <{RDF.subject}> {s} ; <{RDF.predicate}> {p} ; "
                                           f"<{RDF.object}> ?v")

    def _subjects_with(self, predicate: Node, obj: Node) -> set[Node]:
        p, o = _term(predicate), _term(obj)
        return self._values(f"?v {p} {o}", f"?e <{RDF.object}> {o} ; <{RDF.predicate}> {p} ; "
                                           f"<{RDF.subject}> ?v")

    def quotes(self, triple: Triple) -> list[Quote]:
        s, p, o = (_term(t) for t in triple)
        rows = self.lookup.select(f"""PREFIX rdf: <{RDF}> PREFIX akg: <{AKG._NS}>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?doc ?exact ?start ?end ?modality ?method WHERE {{ GRAPH {iri(GRAPH["provenance"])} {{
  ?claim rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; akg:modality ?modality ;
         akg:extractionMethod ?method ; akg:hasEvidence/oa:hasTarget ?target .
  ?target oa:hasSource ?doc ; oa:hasSelector ?quote, ?position .
  ?quote oa:exact ?exact . ?position oa:start ?start ; oa:end ?end .
}} }}""")
        found = [Quote(document=row["doc"], exact=str(row["exact"]), start=int(row["start"]),
                       end=int(row["end"]), modality=row["modality"], method=row["method"])
                 for row in rows]
        return sorted(found, key=lambda q: (str(q.document), q.start, str(q.method), q.end))


def _term(node: Node) -> str:
    return literal(node)
