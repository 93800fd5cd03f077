"""Search over labels and aliases in every language: accent- and case-insensitive,
whole-name, prefix (of the name or of any word in it) and fuzzy (rapidfuzz's WRatio,
for typos) matches, each hit with its score, the label that matched and its types.

The index is read once per release through the store (``rdfs:label``,
``skos:prefLabel``, ``skos:altLabel``, paged), and kept by the service state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from allianceskg.analysis.linking import normalise
from allianceskg.vocab import AKG
from allianceskg.web.ui.lookup import Lookup, iri

_PAGE = 10_000
_FUZZY_CUTOFF = 72


@dataclass(frozen=True)
class Hit:
    iri: URIRef
    label: str       # the label or alias that matched
    language: str
    score: float     # 0–100
    match: str       # exact | prefix | word-prefix | fuzzy


class SearchIndex:
    """Every label of the release, normalised."""

    def __init__(self, entries: list[tuple[URIRef, str, str]]) -> None:
        self.entries = entries                      # (iri, label, language)
        self.keys = [normalise(label) for _, label, _ in entries]

    @classmethod
    def read(cls, lookup: Lookup) -> SearchIndex:
        entries, offset = [], 0
        while True:
            rows = lookup.select(
                f"SELECT ?x ?l WHERE {{ ?x <{RDFS.label}>|<{SKOS.prefLabel}>|<{SKOS.altLabel}> ?l "
                f"FILTER (isIRI(?x) && isLiteral(?l)) }} ORDER BY ?x ?l LIMIT {_PAGE} OFFSET {offset}",
                max_rows=_PAGE)
            entries.extend((r["x"], str(r["l"]), r["l"].language or "") for r in rows)
            if len(rows) < _PAGE:
                break
            offset += _PAGE
        return cls(sorted(set(entries), key=lambda e: (str(e[0]), e[1], e[2])))

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        key = normalise(query)
        if not key:
            return []
        best: dict[URIRef, Hit] = {}

        def offer(index: int, score: float, match: str) -> None:
            node, label, language = self.entries[index]
            old = best.get(node)
            if old is None or (score, language == "en") > (old.score, old.language == "en"):
                best[node] = Hit(node, label, language, round(score, 1), match)

        for i, candidate in enumerate(self.keys):
            if candidate == key:
                offer(i, 100.0, "exact")
            elif candidate.startswith(key):
                offer(i, 90.0 + 10.0 * len(key) / len(candidate), "prefix")
            elif f" {key}" in f" {candidate}":
                offer(i, 80.0 + 10.0 * len(key) / len(candidate), "word-prefix")
        if len(best) < limit and len(key) >= 3:
            for _, score, i in process.extract(key, self.keys, scorer=fuzz.WRatio,
                                               limit=limit * 3, score_cutoff=_FUZZY_CUTOFF):
                if self.entries[i][0] not in best:
                    offer(i, score * 0.79, "fuzzy")  # below every prefix match, order kept
        ranked = sorted(best.values(), key=lambda h: (-h.score, len(h.label), str(h.iri)))
        return ranked[:limit]


_LOCK = threading.Lock()


def index_for(state, lookup: Lookup) -> SearchIndex:
    """The state's index, read on first use."""
    with _LOCK:
        found = state.rendered.get(("search-index",))
        if found is None:
            found = state.rendered[("search-index",)] = SearchIndex.read(lookup)
        return found


def types_of(lookup: Lookup, nodes: list[URIRef]) -> dict[URIRef, list[URIRef]]:
    """The ontology's classes each node is an instance of (asserted or inferred)."""
    if not nodes:
        return {}
    values = " ".join(iri(n) for n in nodes)
    rows = lookup.select(f"SELECT DISTINCT ?x ?t WHERE {{ VALUES ?x {{ {values} }} "
                         f"?x <{RDF.type}> ?t FILTER STRSTARTS(STR(?t), \"{AKG._NS}\") }}")
    found: dict[URIRef, list[URIRef]] = {n: [] for n in nodes}
    for row in rows:
        found[row["x"]].append(row["t"])
    return {n: sorted(ts, key=str) for n, ts in found.items()}
