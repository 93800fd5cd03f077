"""New entities, carefully: nodes the automatic layer mints for what the reference lacks.

Input: a label, a type and the construction that needs the node (from
:mod:`.relations`), the reference data's IRIs and the ontology's class hierarchy.
Output: :class:`Minted` entities — an IRI made from the label, the type, the label,
the construction — deduplicated within a document by what identifies them (an
agreement by its type and parties, a measure by its type, imposer, target and goods)
and across documents by normalised label and type. A minted IRI never lands on a
curated or reference entity: if the slug is taken, the node gets an ``-auto`` suffix
and stays apart (merging is the curator's decision, made in a claims file).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import URIRef

from allianceskg.model.countries import slug
from allianceskg.vocab import AKG, ID


@dataclass(frozen=True)
class Minted:
    """A node the automatic layer introduces, for a curator to review."""

    iri: URIRef
    type: URIRef
    label: str
    construction: str


def normalise(label: str) -> str:
    """Case, accents, dashes, determiners and punctuation removed."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(w for w in text.split() if w not in ("the", "a", "an"))


class Minter:
    """Mints and remembers the automatic layer's entities for a whole build."""

    def __init__(self, reserved: set[URIRef], supers: dict[URIRef, frozenset[URIRef]]) -> None:
        self._reserved = reserved  # every IRI of the reference data and curated claims
        self._supers = supers      # class -> its superclasses (itself included)
        self._by_key: dict[tuple, URIRef] = {}  # this document's nodes, by what identifies them
        self._by_label: dict[tuple[str, URIRef], URIRef] = {}  # the build's, by label and type
        self.entities: dict[URIRef, Minted] = {}
        self.proposed: dict[URIRef, Minted] = {}  # this document's, as it would mint them

    def start_document(self) -> None:
        """Keys that identify nodes by their parties hold within one document only."""
        self._by_key = {}
        self.proposed = {}

    def mint(self, label: str, kind: URIRef, construction: str, *, phrase_key: tuple) -> URIRef:
        label = " ".join(label.split())
        if phrase_key in self._by_key:
            return self._by_key[phrase_key]
        norm = (normalise(label), kind)
        iri = self._by_label.get(norm)
        if iri is None:
            iri = ID[slug(label.replace("–", "-")) or "entity"]
            if iri in self._reserved:
                iri = ID[f"{slug(label.replace('–', '-'))}-auto"]
            while iri in self.entities and self.entities[iri].type != kind:
                iri = URIRef(f"{iri}-{slug(str(kind).rsplit('#', 1)[-1])}")
            self._by_label[norm] = iri
            self.entities.setdefault(iri, Minted(iri, kind, label, construction))
        self.proposed.setdefault(iri, Minted(iri, kind, label, construction))
        self._by_key[phrase_key] = iri
        return iri

    def stance(self, holder: URIRef, attitude: URIRef, target: URIRef) -> URIRef:
        name = "-".join(str(x).rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower() for x in (holder, attitude, target))
        label = f"{self._name(holder)} {str(attitude).rsplit('#', 1)[-1].lower()} of {self._name(target)}"
        iri = ID[f"stance-{slug(name)}"]
        self.entities.setdefault(iri, Minted(iri, AKG.Stance, label, "stance"))
        self.proposed.setdefault(iri, Minted(iri, AKG.Stance, label, "stance"))
        return iri

    def _name(self, iri: URIRef) -> str:
        minted = self.entities.get(iri)
        return minted.label if minted else str(iri).rsplit("/", 1)[-1].replace("-", " ")

    def label(self, iri: URIRef) -> str | None:
        minted = self.entities.get(iri)
        return minted.label if minted else None

    def is_a(self, iri: URIRef, cls: URIRef) -> bool:
        minted = self.entities.get(iri)
        return minted is not None and cls in self._supers.get(minted.type, frozenset({minted.type}))

    def is_actor(self, iri: URIRef) -> bool:
        return self.is_a(iri, AKG.Actor)
