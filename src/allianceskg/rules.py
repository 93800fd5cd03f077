"""Pattern rules: claims found automatically in any document.

Input: the rules file (``data/rules/patterns.yaml``, data not code), a document, its
mentions and the gazetteer. Output: a :class:`~allianceskg.claims.ClaimSet` whose
claims carry the rule as their extraction method, the matched text as their quote,
and a modality set by hedges ("may", "could", "is likely to" … make a speculation).

Each sentence is rewritten with its mentions replaced by typed slots, so a rule reads
"{actor:a} and {actor:b} have launched … alliance" and never has to know names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from allianceskg.claims import Claim, ClaimSet, Entity
from allianceskg.countries import slug
from allianceskg.corpus import Document, Sentence
from allianceskg.errors import InputFileError, yaml_problem
from allianceskg.mentions import Gazetteer, Mention
from allianceskg.vocab import AKG, ID

SLOT_TYPES = {"actor": AKG.Actor, "org": AKG.Organisation, "crisis": AKG.Crisis,
              "agreement": AKG.Agreement, "topic": AKG.Topic, "place": AKG.Place}
_SLOT = re.compile(r"\{(" + "|".join(SLOT_TYPES) + r"):(\w+)\}")
_PLACEHOLDER = re.compile(r"⟦(\d+):[a-z,]*⟧")
_TEMPLATE_VAR = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Rule:
    """One pattern rule, compiled."""

    id: str
    label: str
    description: str
    regex: re.Pattern
    confidence: Decimal
    new: dict
    facts: tuple
    slots: frozenset[str]

    @property
    def iri(self) -> URIRef:
        return ID[f"rule/{self.id}"]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    hedges: re.Pattern


def load_rules(path: Path) -> RuleSet:
    """Read and compile the rules file; a bad rule is refused with its id and line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise yaml_problem(path, exc) from None
    rules = []
    for item in data.get("rules") or []:
        try:
            rules.append(_compile(item))
        except (KeyError, re.error, ValueError) as exc:
            raise InputFileError(path, f"rule {item.get('id', '?')!r}: {exc}",
                                 line=_line_of(path, item.get("id"))) from None
    hedges = "|".join(re.escape(h) for h in sorted(data.get("hedges") or [], key=len, reverse=True))
    return RuleSet(rules=tuple(rules),
                   hedges=re.compile(rf"\b(?:{hedges})\b", re.IGNORECASE) if hedges else re.compile("(?!)"))


_PHRASE = re.compile(r"\{phrase:(\w+)\}")


def _compile(item: dict) -> Rule:
    def phrase(match: re.Match) -> str:
        return rf"(?P<{match.group(1)}>(?:(?:[\w-]+|⟦\d+:[a-z,]*⟧) ){{0,3}}?)"

    def slot(match: re.Match) -> str:
        kind, name = match.groups()
        return rf"(?:[Tt]he )?⟦(?P<{name}>\d+):[a-z,]*\b{kind}\b[a-z,]*⟧"

    return Rule(id=str(item["id"]), label=str(item["label"]),
                description=str(item.get("description", "")),
                regex=re.compile(_SLOT.sub(slot, _PHRASE.sub(phrase, item["pattern"])),
                                 re.IGNORECASE),
                confidence=Decimal(str(item.get("confidence", "0.7"))),
                new=item.get("new") or {}, facts=tuple(item["facts"]),
                slots=frozenset(name for _, name in _SLOT.findall(item["pattern"])))


def _line_of(path: Path, rule_id: object) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if rule_id is not None and re.match(rf"\s*- id: {re.escape(str(rule_id))}\s*$", line):
            return number
    return None


@dataclass(frozen=True)
class _Marked:
    """A sentence with its mentions replaced by slots, and the way back to offsets."""

    text: str
    pieces: tuple[tuple[int, int, int, int], ...]  # marked start/end, original start/end
    mentions: tuple[Mention, ...]
    source: str  # the document's text

    def original(self, offset: int, *, end: bool) -> int:
        for m_start, m_end, o_start, o_end in self.pieces:
            if m_start <= offset < m_end or (end and offset == m_end):
                if o_end - o_start != m_end - m_start:  # a slot: its whole mention
                    return o_end if end else o_start
                return o_start + (offset - m_start)
        return self.pieces[-1][3]


def apply_rules(document: Document, mentions: list[Mention], gazetteer: Gazetteer,
                ruleset: RuleSet) -> ClaimSet:
    """Run every rule on every sentence of ``document``."""
    claims: list[Claim] = []
    entities: dict[URIRef, Entity] = {}
    for sentence in document.sentences:
        in_sentence = [m for m in mentions if m.sentence == sentence.index]
        marked = _mark(document, sentence, in_sentence, gazetteer)
        hedged = bool(ruleset.hedges.search(document.text[sentence.start:sentence.end]))
        for rule in ruleset.rules:
            for match in rule.regex.finditer(marked.text):
                found = _apply(rule, match, marked, gazetteer, hedged)
                if found is not None:
                    new_claims, new_entities = found
                    claims += new_claims
                    entities.update((e.iri, e) for e in new_entities)
    unique = {(c.triple, c.start, c.end, c.method): c for c in claims}
    return ClaimSet(claims=tuple(unique.values()),
                    entities=tuple(sorted(entities.values(), key=lambda e: str(e.iri))))


def _mark(document: Document, sentence: Sentence, mentions: list[Mention],
          gazetteer: Gazetteer) -> _Marked:
    chosen = _non_overlapping(mentions, gazetteer)
    text, pieces, cursor, position = [], [], sentence.start, 0
    for index, mention in enumerate(chosen):
        plain = document.text[cursor:mention.start]
        text.append(plain)
        pieces.append((position, position + len(plain), cursor, mention.start))
        position += len(plain)
        tags = ",".join(k for k, cls in SLOT_TYPES.items() if gazetteer.is_a(mention.entity, cls))
        slot = f"⟦{index}:{tags}⟧"
        text.append(slot)
        pieces.append((position, position + len(slot), mention.start, mention.end))
        position += len(slot)
        cursor = mention.end
    tail = document.text[cursor:sentence.end]
    text.append(tail)
    pieces.append((position, position + len(tail), cursor, sentence.end))
    return _Marked("".join(text), tuple(pieces), tuple(chosen), document.text)


def _non_overlapping(mentions: list[Mention], gazetteer: Gazetteer) -> list[Mention]:
    """Where mentions overlap, keep actors first, then the longest."""
    ranked = sorted(mentions, key=lambda m: (not gazetteer.is_a(m.entity, AKG.Actor),
                                             -(m.end - m.start), m.start))
    chosen: list[Mention] = []
    for mention in ranked:
        if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def _apply(rule: Rule, match: re.Match, marked: _Marked, gazetteer: Gazetteer,
           hedged: bool) -> tuple[list[Claim], list[Entity]] | None:
    values = _bindings(rule, match, marked)
    start, end = _trimmed(marked.original(match.start(), end=False),
                          marked.original(match.end(), end=True), marked)
    new_entities = []
    for name, spec in rule.new.items():
        reused = _reused(spec, match, marked, gazetteer)
        if reused is not None:
            values[name] = reused
            continue
        entity = _mint(spec, values, gazetteer, hedged)
        values[name] = entity.iri
        new_entities.append(entity)
    modality = AKG.Speculation if hedged else AKG.ReportedFact
    claims = []
    for entity in new_entities:
        claims.append(_claim(rule, (entity.iri, RDF.type, entity.type), start, end, modality))
    for fact in rule.facts:
        triple = tuple(_node(part, values, gazetteer, hedged, position)
                       for position, part in enumerate(fact))
        if None in triple or triple[0] == triple[2]:
            continue
        claims.append(_claim(rule, triple, start, end, modality))
    facts_found = len(claims) > len(new_entities)
    return (claims, new_entities) if facts_found else None


def _trimmed(start: int, end: int, marked: _Marked) -> tuple[int, int]:
    """The quote without the spaces a pattern may have matched at either end."""
    text = marked.source
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _claim(rule: Rule, triple: tuple, start: int, end: int, modality: URIRef) -> Claim:
    return Claim(*triple, start=start, end=end, modality=modality, method=rule.iri,
                 confidence=rule.confidence, source=rule.id)


def _bindings(rule: Rule, match: re.Match, marked: _Marked) -> dict[str, Node | str | None]:
    values: dict[str, Node | str | None] = {}
    for name, value in match.groupdict().items():
        if value is None:
            values[name] = None
        elif name in rule.slots:
            values[name] = marked.mentions[int(value)].entity
        else:
            values[name] = _PLACEHOLDER.sub(lambda m: marked.mentions[int(m.group(1))].surface,
                                            value).strip()
    return values


def _reused(spec: dict, match: re.Match, marked: _Marked, gazetteer: Gazetteer) -> URIRef | None:
    kind = spec.get("reuse")
    if kind is None:
        return None
    for placeholder in _PLACEHOLDER.finditer(match.group(0)):
        entity = marked.mentions[int(placeholder.group(1))].entity
        if gazetteer.is_a(entity, SLOT_TYPES[kind]):
            return entity
    return None


def _mint(spec: dict, values: dict, gazetteer: Gazetteer, hedged: bool) -> Entity:
    label = " ".join(_render(spec["label"], values, gazetteer, as_id=False).split())
    identifier = slug(_render(spec["id"], values, gazetteer, as_id=True))
    kind = _choose(spec["type"], values, gazetteer, hedged)
    return Entity(iri=ID[identifier], type=kind, label=label)


def _render(template: str, values: dict, gazetteer: Gazetteer, *, as_id: bool) -> str:
    def value(match: re.Match) -> str:
        found = values.get(match.group(1))
        if isinstance(found, URIRef):
            return str(found).rsplit("/", 1)[-1] if as_id else gazetteer.labels.get(found, "")
        return found or ""

    return _TEMPLATE_VAR.sub(value, template)


def _choose(spec: dict, values: dict, gazetteer: Gazetteer, hedged: bool) -> URIRef | None:
    if hedged and "hedged" in spec:
        return getattr(AKG, spec["hedged"])
    text = _render(spec.get("choose", ""), values, gazetteer, as_id=False).lower()
    for words, term in spec.get("cases") or []:
        if any(word in text for word in words.split()):
            return getattr(AKG, term)
    return getattr(AKG, spec["default"]) if spec.get("default") else None


def _node(part: object, values: dict, gazetteer: Gazetteer, hedged: bool, position: int):
    if isinstance(part, dict):
        return _choose(part, values, gazetteer, hedged)
    name = str(part)
    if name in values:
        found = values[name]
        return found if isinstance(found, URIRef) else None
    if position == 1 and name == "a":
        return RDF.type
    return getattr(AKG, name)
