"""Extraction quality on articles written with their gold facts before the extractor ran.

Reads ``benchmarks/extraction/{tuning,heldout}/`` (see ``benchmarks/extraction/GOLD.md``),
runs the automatic layer on each article exactly as the build does (spaCy parse,
gazetteer mentions, dependency constructions, clause modality) and prints, per split:
precision and recall per relation type, mention-linking precision/recall/F1, polarity
errors (a hedged, negated, denied or future fact stated as fact) and seconds per
document. The held-out split is scored, never tuned on.

Usage, from the project root::

    python benchmarks/extraction.py            # both splits
    python benchmarks/extraction.py --split tuning --details
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz
from rdflib import Literal, URIRef

from allianceskg.build.corpus import document_paths, load_document
from allianceskg.reading.mentions import build_gazetteer, find_mentions, fold
from allianceskg.model.load import load_ontology, load_reference, superclasses
from allianceskg.reading.entities import Minter, normalise
from allianceskg.reading.layer import read_document
from allianceskg.reading.nlp import parse_document
from allianceskg.vocab import AKG, ID

ROOT = Path(__file__).resolve().parent / "extraction"
SCHEMA_LOCATION = URIRef("https://schema.org/location")
RELATIONS = {AKG.hasParty: "hasParty", AKG.status: "status", AKG.announcedAt: "announcedAt",
             AKG.venue: "venue", SCHEMA_LOCATION: "venue", AKG.date: "date",
             AKG.imposedBy: "imposedBy", AKG.imposedOn: "imposedOn", AKG.concerns: "concerns",
             AKG.affects: "concerns", AKG.posedBy: "posedBy", AKG.facedBy: "facedBy",
             AKG.exposedBy: "exposedBy", AKG.introducedBy: "introducedBy",
             AKG.memberOf: "memberOf", AKG.partnerOf: "partnerOf", AKG.benefits: "benefits",
             AKG.harms: "harms", AKG.counterbalances: "counterbalances"}
STATUSES = {AKG.Proposed: "proposed", AKG.Launched: "launched", AKG.Concluded: "concluded",
            AKG.InForce: "in-force", AKG.Stalled: "stalled", AKG.Speculative: "speculative"}
TYPES = {AKG.TradeBan: "Ban", AKG.Strategy: "Policy", AKG.SupplyDependency: "Risk",
         AKG.EnergyDependence: "Risk", AKG.Organisation: "InternationalOrganisation"}
MODALITIES = {AKG.ReportedFact: "fact", AKG.AuthorAssessment: "assessment",
              AKG.Speculation: "speculation"}


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)         # gold facts found
    pred_tp: Counter = field(default_factory=Counter)    # predicted facts that match a gold fact
    predicted: Counter = field(default_factory=Counter)
    gold: Counter = field(default_factory=Counter)
    polarity: list = field(default_factory=list)
    link_tp_pred: int = 0
    link_pred: int = 0
    link_tp_gold: int = 0
    link_gold: int = 0
    seconds: list = field(default_factory=list)
    misses: list = field(default_factory=list)
    false: list = field(default_factory=list)
    articles: list = field(default_factory=list)
    by_construction: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    predicted_confidence: list = field(default_factory=list)  # (confidence, right)
    gold_best: list = field(default_factory=list)  # best confidence that found each gold fact

    @property
    def precision(self) -> float:
        return _ratio(sum(self.pred_tp.values()), sum(self.predicted.values()))

    @property
    def recall(self) -> float:
        return _ratio(sum(self.tp.values()), sum(self.gold.values()))

    @property
    def link_f1(self) -> float:
        p, r = _ratio(self.link_tp_pred, self.link_pred), _ratio(self.link_tp_gold, self.link_gold)
        return 2 * p * r / (p + r) if p + r else 0.0


def short(node) -> str:
    return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def predicted_facts(layer, minter: Minter, origin: dict | None = None) -> list[tuple[str, str, str, str]]:
    """(subject, relation, object, modality) in the gold's terms; ``origin`` collects,
    per fact, the highest confidence a claim gave it and that claim's construction."""
    facts, stances = [], defaultdict(dict)
    origin = {} if origin is None else origin

    def note(fact, construction: str, confidence: float) -> None:
        if fact not in origin or confidence > origin[fact][1]:
            origin[fact] = (construction, confidence)

    for claim in layer.claims.claims:
        modality = MODALITIES[claim.modality]
        if claim.predicate in (AKG.stanceHolder, AKG.attitude, AKG.stanceTarget):
            stances[(claim.subject, claim.start)][claim.predicate] = claim.object
            stances[(claim.subject, claim.start)]["modality"] = modality
            stances[(claim.subject, claim.start)]["confidence"] = float(claim.confidence)
            continue
        relation = RELATIONS.get(claim.predicate)
        if relation is None:
            continue
        obj = claim.object
        if claim.predicate == AKG.status:
            obj = STATUSES.get(obj, short(obj))
        elif isinstance(obj, Literal):
            obj = str(obj)
        facts.append((claim.subject, relation, obj, modality))
        note(facts[-1], claim.source, float(claim.confidence))
    for parts in stances.values():
        if {AKG.stanceHolder, AKG.attitude, AKG.stanceTarget} <= set(parts):
            facts.append((parts[AKG.stanceHolder], f"stance:{short(parts[AKG.attitude]).lower()}",
                          parts[AKG.stanceTarget], parts["modality"]))
            note(facts[-1], "stance", parts["confidence"])
    confidence = {c.subject: float(c.confidence) for c in layer.claims.claims}
    for entity in layer.claims.entities:
        if entity.type != AKG.Stance:
            facts.append((entity.iri, "a", TYPES.get(entity.type, short(entity.type)), "fact"))
            note(facts[-1], f"type ({short(entity.method)})", confidence.get(entity.iri, 0.6))
    return list(dict.fromkeys(facts))


class Matcher:
    """Decides whether a predicted node is the node a gold reference means."""

    def __init__(self, gold: dict, minter: Minter, gazetteer) -> None:
        self.local = {k: [normalise(n) for n in v.get("names", [])] for k, v in
                      (gold.get("entities") or {}).items()}
        self.minter, self.gazetteer = minter, gazetteer

    def same(self, gold_ref: object, predicted: object) -> bool:
        ref = str(gold_ref)
        if not isinstance(predicted, URIRef):
            return normalise(ref) == normalise(str(predicted))
        if ref.startswith("id:"):
            return predicted == ID[ref[3:]]
        if ref.startswith("city:"):
            label = self.gazetteer.labels.get(predicted, "")
            return self.gazetteer.is_a(predicted, AKG.City) and fold(label) == fold(ref[5:])
        names = self.local.get(ref)
        label = self.minter.label(predicted) if isinstance(predicted, URIRef) else None
        if not names or not label:
            return False
        norm = normalise(label)
        return any(n == norm or (len(n) > 3 and n in norm) or fuzz.token_set_ratio(n, norm) >= 85
                   for n in names)

    def fact(self, gold: list, predicted: tuple) -> bool:
        s, rel, o = gold[0], str(gold[1]), gold[2]
        ps, prel, po = predicted[0], predicted[1], predicted[2]
        if rel != prel:
            return False
        if self.same(s, ps) and self.same(o, po):
            return True
        return rel == "partnerOf" and self.same(s, po) and self.same(o, ps)


def gold_path(article: Path) -> Path:
    return article.with_name(article.stem + ".gold.yaml")


def score_article(path: Path, split: Scores, gazetteer, supers, details: bool) -> None:
    gold = yaml.safe_load(gold_path(path).read_text(encoding="utf-8"))
    document = load_document(path)
    started = time.perf_counter()
    parse = parse_document(document)
    mentions, candidates = find_mentions(document, gazetteer, parse)
    minter = Minter(set(), supers)
    layer = read_document(document, parse, mentions, candidates, gazetteer, minter)
    split.seconds.append(time.perf_counter() - started)
    matcher = Matcher(gold, minter, gazetteer)
    origin: dict = {}
    predicted = predicted_facts(layer, minter, origin)
    gold_facts = [f for f in gold.get("facts") or [] if isinstance(f, list) and len(f) >= 3]
    gold_facts += [[key, "a", spec["type"], "fact"] for key, spec in (gold.get("entities") or {}).items()
                   if isinstance(spec, dict) and spec.get("type")
                   and not any(f[0] == key and str(f[1]) == "a" for f in gold_facts)]
    article_found = article_right = 0
    for fact in gold_facts:
        relation = _relation(fact)
        split.gold[relation] += 1
        found = [origin[p][1] for p in predicted if matcher.fact(fact, p)]
        split.gold_best.append(max(found, default=None))  # for recall at a confidence
        if found:
            split.tp[relation] += 1
            article_found += 1
        elif details:
            split.misses.append(f"{path.stem}: {fact}")
    for p in predicted:
        relation = p[1] if not p[1].startswith("stance") else "stance"
        split.predicted[relation] += 1
        right = any(matcher.fact(f, p) for f in gold_facts)
        construction, confidence = origin[p]
        split.by_construction[construction][0] += 1
        split.by_construction[construction][1] += right
        split.predicted_confidence.append((confidence, right))
        if right:
            split.pred_tp[relation] += 1
            article_right += 1
        elif details:
            split.false.append(f"{path.stem}: {short(p[0])} {p[1]} {short(p[2])} [{p[3]}]")
        if p[3] == "fact":
            hedged = [f for f in gold_facts if len(f) > 3 and f[3] == "speculation" and matcher.fact(f, p)]
            denied = [f for f in gold.get("not_facts") or [] if isinstance(f, list) and matcher.fact(f, p)]
            if (hedged or denied) and not any(matcher.fact(f, p) for f in gold_facts
                                              if len(f) > 3 and f[3] == "fact"):
                split.polarity.append(f"{path.stem}: {short(p[0])} {p[1]} {short(p[2])} "
                                      f"stated as fact; gold: {(hedged or denied)[0]}")
    _score_links(document, gold, mentions, matcher, gazetteer, split)
    split.articles.append(f"{path.stem:<40} written {str(gold.get('written', ''))[:10]}  "
                          f"gold {len(gold_facts):>3}  found {article_found:>3}  "
                          f"pred {len(predicted):>3}  right {article_right:>3}")


def _relation(fact: list) -> str:
    relation = str(fact[1])
    return "stance" if relation.startswith("stance") else relation


def _score_links(document, gold: dict, mentions, matcher: Matcher, gazetteer, split: Scores) -> None:
    spans = []  # (start, end, entity reference or None)
    taken: list[tuple[int, int]] = []
    entries = sorted((m for m in gold.get("mentions") or [] if isinstance(m, list) and m),
                     key=lambda m: -len(str(m[0])))
    for surface, ref, *_ in entries:
        pattern = r"(?<!\w)" + re.escape(str(surface)) + r"(?!\w)"
        for match in re.finditer(pattern, document.text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            spans.append((match.start(), match.end(), ref))
    listed = {str(ref) for _, _, ref in spans if ref}
    scoped = [m for m in mentions if gazetteer.is_a(m.entity, AKG.Actor)
              or gazetteer.is_a(m.entity, AKG.City) or f"id:{short(m.entity)}" in listed]
    for mention in scoped:
        split.link_pred += 1
        overlapping = [s for s in spans if s[0] < mention.end and mention.start < s[1]]
        if any(ref and matcher.same(ref, mention.entity) for _, _, ref in overlapping):
            split.link_tp_pred += 1
        else:
            split.false.append(f"{document.doc_id}: link {mention.surface!r} -> {short(mention.entity)} "
                               f"(gold: {[r for _, _, r in overlapping] or 'not listed'})")
    for start, end, ref in spans:
        if not ref:
            continue
        split.link_gold += 1
        if any(m.start < end and start < m.end and matcher.same(ref, m.entity) for m in mentions):
            split.link_tp_gold += 1
        else:
            split.misses.append(f"{document.doc_id}: link {document.text[start:end]!r} -> {ref}")


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def report(name: str, scores: Scores, count: int, details: bool) -> None:
    print(f"\n== {name} split: {count} articles ==")
    print(f"  {'relation':<16}{'gold':>6}{'found':>6}{'pred':>6}{'right':>6}{'P':>8}{'R':>8}")
    for relation in sorted(set(scores.gold) | set(scores.predicted)):
        found, right = scores.tp[relation], scores.pred_tp[relation]
        print(f"  {relation:<16}{scores.gold[relation]:>6}{found:>6}{scores.predicted[relation]:>6}{right:>6}"
              f"{_ratio(right, scores.predicted[relation]):>8.2f}{_ratio(found, scores.gold[relation]):>8.2f}")
    gold, pred = sum(scores.gold.values()), sum(scores.predicted.values())
    found, right = sum(scores.tp.values()), sum(scores.pred_tp.values())
    print(f"  {'all facts':<16}{gold:>6}{found:>6}{pred:>6}{right:>6}{_ratio(right, pred):>8.2f}"
          f"{_ratio(found, gold):>8.2f}   (P = right/pred, R = found/gold)")
    p, r = _ratio(scores.link_tp_pred, scores.link_pred), _ratio(scores.link_tp_gold, scores.link_gold)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"  linking: P {p:.2f} ({scores.link_tp_pred}/{scores.link_pred})  "
          f"R {r:.2f} ({scores.link_tp_gold}/{scores.link_gold})  F1 {f1:.2f}")
    print(f"  polarity errors (hedged/negated/denied/future stated as fact): {len(scores.polarity)}")
    for line in scores.polarity:
        print(f"    {line}")
    print("  by construction (predicted facts):")
    for construction, (pred, right) in sorted(scores.by_construction.items()):
        print(f"    {construction:<28}{pred:>5} predicted{right:>5} right   P {_ratio(right, pred):.2f}")
    print("  at a confidence threshold (the claims' akg:confidence):")
    for threshold in sorted({c for c, _ in scores.predicted_confidence}):
        kept = [right for c, right in scores.predicted_confidence if c >= threshold]
        found = sum(1 for c in scores.gold_best if c is not None and c >= threshold)
        print(f"    ≥ {threshold:.2f}: {len(kept):>4} facts  P {_ratio(sum(kept), len(kept)):.2f}"
              f"  R {_ratio(found, len(scores.gold_best)):.2f}")
    print("  per article (facts):")
    for line in scores.articles:
        print(f"    {line}")
    seconds = scores.seconds
    print(f"  seconds per document: mean {sum(seconds) / max(1, len(seconds)):.2f}, max {max(seconds, default=0):.2f}")
    if details:
        print("  missed:")
        for line in scores.misses:
            print(f"    {line}")
        print("  predicted, not in gold:")
        for line in scores.false:
            print(f"    {line}")


def evaluate(split: str, details: bool = False) -> tuple[Scores, int]:
    reference, ontology = load_reference(), load_ontology()
    gazetteer, supers = build_gazetteer(reference, ontology), superclasses(ontology)
    scores = Scores()
    paths = [p for p in document_paths(ROOT / split) if gold_path(p).is_file()]
    for path in paths:
        score_article(path, scores, gazetteer, supers, details)
    return scores, len(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["tuning", "heldout", "both"], default="both")
    parser.add_argument("--details", action="store_true", help="list misses and extra facts")
    args = parser.parse_args(argv)
    splits = ["tuning", "heldout"] if args.split == "both" else [args.split]
    for split in splits:
        scores, count = evaluate(split, args.details)
        report(split, scores, count, args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
