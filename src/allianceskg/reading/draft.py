"""Draft and review: the automatic layer's reading of a document as a claims file.

Input: a document, its :class:`~allianceskg.reading.layer.AutomaticLayer` and its
candidates. Output: the text of a claims file in the curated format
(:mod:`allianceskg.build.claims`) that ``load_curated`` reads as it stands, so that an
analyst reviews it, edits it and keeps it as ``data/claims/{doc-id}.yaml``:

- ``entities``: the nodes the layer minted, with the construction that minted them and
  their candidate links to existing entities (:func:`~allianceskg.analysis.linking.candidate_links`);
- ``claims``: one group per sentence and clause decision — the whole sentence as the
  quote (with ``occurrence`` when the sentence appears earlier too), the modality,
  the speaker of an attributed claim, the confidence, the construction, the facts;
- ``proposed_entities``: names the recogniser found that no fact uses yet, with a
  suggested type (the loader ignores this list; move an item to ``entities`` to
  accept it);
- ``not_stated``: what the text negates or denies, for the record (ignored too).
"""

from __future__ import annotations

from collections import defaultdict

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from allianceskg.build.claims import MODALITIES, Claim, Resolver
from allianceskg.build.corpus import Document
from allianceskg.reading.mentions import Candidate
from allianceskg.reading.layer import AutomaticLayer
from allianceskg.vocab import AKG, ID, PREFIXES

_MODALITY_NAMES = {iri: name for name, iri in MODALITIES.items()}
_SUGGESTED_TYPES = {"organisation": "Organisation", "place": "Place", "law": "Legislation",
                    "event": "Event", "person": "Actor"}

HEADER = """\
# Draft claims for {file}, written by `allianceskg draft` from the automatic layer.
# Review every group: keep, correct or delete facts, fix the modality, then save the
# file as data/claims/{doc_id}.yaml; the next build asserts it as curated.
# 'construction' and 'confidence' say what proposed a group; 'proposed_entities',
# 'candidate_links' and 'not_stated' are for reading only (move a proposed entity to
# 'entities' to keep it; where a minted entity is an existing one, write the existing
# id in its facts and delete the minted entity).
"""


def draft_text(document: Document, layer: AutomaticLayer, candidates: list[Candidate],
               resolver: Resolver, labels: dict[URIRef, str],
               links: dict[URIRef, list] | None = None) -> str:
    """The claims file, as YAML with a header explaining how to review it. Entities are
    written by their label where ``resolver`` reads that label back as the same entity
    (``labels``: the reference data's and the minted ones), else as ``id:slug``."""
    def readable(node) -> str:
        label = labels.get(node) if isinstance(node, URIRef) else None
        if label is not None:
            try:
                if resolver.entity(label) == node:
                    return label
            except ValueError:
                pass
        return name(node)

    data = {"document": document.doc_id,
            "entities": [_entity(e, (links or {}).get(e.iri, ())) for e in layer.claims.entities],
            "claims": _groups(document, layer.claims.claims, readable)}
    used = {normal(e.label) for e in layer.claims.entities}
    proposed = _proposed(candidates, used)
    if proposed:
        data["proposed_entities"] = proposed
    if layer.rejected:
        data["not_stated"] = [{"quote": _clean(document.text[p.start:p.end]),
                               "fact": [name(n) for n in p.triple], "reason": p.decision.reason}
                              for p in layer.rejected]
    body = dump_yaml(data)
    return HEADER.format(file=document.path.name, doc_id=document.doc_id) + body


def name(node) -> str:
    """How a claims file writes a node: id:slug, akg:Term, a for rdf:type, a literal's text."""
    if isinstance(node, Literal):
        return str(node)
    if node == RDF.type:
        return "a"
    text = str(node)
    if text.startswith(str(ID)):
        return "id:" + text[len(str(ID)):]
    if text.startswith(str(AKG)):
        local = text[len(str(AKG)):]
        return f"akg:{local}" if local[:1].isupper() else local  # a class or value; a property
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def normal(label: str) -> str:
    return " ".join(label.casefold().split())


def _entity(entity, links=()) -> dict:
    item = {"id": name(entity.iri)[3:], "type": name(entity.type)[4:], "label": entity.label}
    if entity.method is not None:
        item["construction"] = str(entity.method).rsplit("/", 1)[-1]
    if links:  # for reading: the loader ignores the key
        item["candidate_links"] = [f"{name(c.entity)} ({c.score:g}: {c.evidence})" for c in links]
    return item


def _groups(document: Document, claims: tuple[Claim, ...], readable) -> list[dict]:
    grouped: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in claims:  # one group per sentence and clause decision
        grouped[(claim.start, claim.end, claim.modality, claim.speaker or "")].append(claim)
    groups = []
    for (start, end, modality, speaker), members in sorted(grouped.items()):
        quote = document.text[start:end]
        group: dict = {"quote": quote}
        occurrence = _occurrence(document.text, quote, start)
        if occurrence > 1:
            group["occurrence"] = occurrence
        group["modality"] = _MODALITY_NAMES[modality]
        if speaker:
            group["speaker"] = speaker
        group["confidence"] = float(min(c.confidence for c in members))
        group["construction"] = ", ".join(dict.fromkeys(c.source for c in members))
        group["facts"] = [Flow([readable(c.subject), name(c.predicate), readable(c.object)])
                          for c in members]
        groups.append(group)
    return groups


def _proposed(candidates: list[Candidate], used: set[str]) -> list[dict]:
    seen, proposed = set(), []
    for candidate in candidates:
        suggested = _SUGGESTED_TYPES.get(candidate.kind)
        key = normal(candidate.surface)
        if suggested is None or key in used or key in seen:
            continue
        seen.add(key)
        proposed.append({"label": candidate.surface, "type": suggested, "kind": candidate.kind})
    return proposed


def _occurrence(text: str, quote: str, start: int) -> int:
    """Which occurrence of ``quote`` starts at ``start`` (as claims.find_quote counts)."""
    count, found = 1, text.find(quote)
    while 0 <= found < start:
        count, found = count + 1, text.find(quote, found + 1)
    return count


def dump_yaml(data: dict) -> str:
    """A claims file's YAML: keys in order, each fact (a :class:`Flow`) on one line."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


class Flow(list):
    """A fact, written on one line as in hand-written claim files."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value,
                                                           flow_style=True))


def _clean(text: str) -> str:
    return " ".join(text.split())
