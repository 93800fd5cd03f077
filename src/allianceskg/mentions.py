"""Find mentions of known entities in a document, with a gazetteer.

Input: the reference graph (labels, aliases, demonyms, seats of government) and a
:class:`~allianceskg.corpus.Document`. Output: :class:`Mention` values (offsets,
sentence, linked entity, how it was recognised) and :class:`Candidate` names that the
gazetteer does not know, for the build report; candidates never become entities.

Matching is on word tokens, longest match first. Labels with capitals match with
their case (so "US" and "IRA" do not fire on "us" or "ira"); lowercase labels (topics
such as "semiconductors") match in any case and in the plural. Dashes and apostrophes
are normalised. Demonyms ("Chinese", "Japanese") are found even inside a longer
mention, and denote their actor. A city that is an actor's seat ("Washington",
"Brussels", "Tokyo") denotes that actor (metonymy) unless the text uses it as a venue
("the Summit in Tokyo"), where the city stays a place.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from allianceskg.corpus import Document
from allianceskg.vocab import AKG

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'"})
_VENUE_WORDS = {"summit", "meeting", "conference", "talks", "held", "hosted", "visit",
                "forum", "ceremony", "signed", "signing", "gathering"}
_VENUE_PREPOSITIONS = {"in", "at"}
_NOT_NAMES = {"the", "a", "an", "this", "that", "these", "those", "it", "its", "in", "on",
              "for", "as", "at", "by", "of", "and", "or", "but", "yet", "if", "while",
              "although", "despite", "however", "similarly", "more", "another", "both",
              "their", "they", "there", "such", "just", "countries", "final", "leave",
              "failing", "economic", "on", "with", "from", "to", "into", "is", "are"}
_CONNECTORS = {"of", "for", "and", "the", "de", "du", "la"}
_MAX_TOKENS = 16


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark with its offsets and matching keys."""

    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return self.text.translate(_DASHES)


@dataclass(frozen=True)
class Mention:
    """A known entity named in the text: ``text[start:end]`` denotes ``entity``."""

    start: int
    end: int
    surface: str
    entity: URIRef
    via: str  # label, alias, demonym, metonym
    sentence: int


@dataclass(frozen=True)
class Candidate:
    """A capitalised name the gazetteer does not know, for a curator to look at."""

    start: int
    end: int
    surface: str
    sentence: int


@dataclass(frozen=True)
class Gazetteer:
    """Surface forms (as token-key tuples) and the entities they name."""

    exact: dict[tuple[str, ...], tuple[tuple[URIRef, str], ...]]
    folded: dict[tuple[str, ...], tuple[tuple[URIRef, str], ...]]
    demonyms: dict[str, URIRef]
    seat_of: dict[URIRef, URIRef]
    types: dict[URIRef, frozenset[URIRef]]
    labels: dict[URIRef, str]

    def is_a(self, entity: URIRef, cls: URIRef) -> bool:
        return cls in self.types.get(entity, frozenset())


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def build_gazetteer(reference: Graph, ontology: Graph) -> Gazetteer:
    """Index every English label and alias of the reference data, with demonyms and
    seats; types are closed under the ontology's subclass axioms."""
    exact: dict[tuple[str, ...], set[tuple[URIRef, str]]] = defaultdict(set)
    folded: dict[tuple[str, ...], set[tuple[URIRef, str]]] = defaultdict(set)
    for predicate, via in ((RDFS.label, "label"), (SKOS.altLabel, "alias")):
        for entity, name in reference.subject_objects(predicate):
            if isinstance(entity, URIRef) and _english(name):
                _index(str(name), entity, via, exact, folded)
    demonyms = {str(name): entity for entity, name in reference.subject_objects(AKG.demonym)
                if isinstance(entity, URIRef) and _english(name)}
    seat_of = {place: actor for actor, place in reference.subject_objects(AKG.hasSeat)}
    seat_of.update(reference.subject_objects(AKG.seatOf))
    labels = {entity: str(name) for entity, name in reference.subject_objects(RDFS.label)
              if isinstance(entity, URIRef) and isinstance(name, Literal) and name.language == "en"}
    return Gazetteer(exact={k: tuple(sorted(v)) for k, v in exact.items()},
                     folded={k: tuple(sorted(v)) for k, v in folded.items()},
                     demonyms=demonyms, seat_of=seat_of, types=_types(reference, ontology),
                     labels=labels)


def _english(name: object) -> bool:
    return isinstance(name, Literal) and (name.language or "").lower().startswith("en")


def _index(name: str, entity: URIRef, via: str, exact: dict, folded: dict) -> None:
    key = tuple(t.key for t in tokenize(name))
    if not key or len(key) > _MAX_TOKENS:
        return
    if name == name.lower():
        folded[tuple(k.lower() for k in key)].add((entity, via))
        if not key[-1].endswith("s"):  # plural: "semiconductor" -> "semiconductors"
            folded[tuple(k.lower() for k in key[:-1]) + (key[-1].lower() + "s",)].add(
                (entity, via))
    else:
        exact[key].add((entity, via))


def _types(reference: Graph, ontology: Graph) -> dict[URIRef, frozenset[URIRef]]:
    supers: dict[URIRef, set[URIRef]] = defaultdict(set)
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        supers[sub].add(sup)

    def closure(cls: URIRef) -> set[URIRef]:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for entity, cls in reference.subject_objects(RDF.type):
        if isinstance(entity, URIRef) and isinstance(cls, URIRef):
            types[entity] |= closure(cls)
    return {entity: frozenset(classes) for entity, classes in types.items()}


def find_mentions(document: Document, gazetteer: Gazetteer) -> tuple[list[Mention], list[Candidate]]:
    """Every mention of a known entity in ``document``, and the unknown names."""
    tokens = tokenize(document.text)
    mentions = _longest_matches(document, tokens, gazetteer)
    mentions += _demonyms(document, tokens, gazetteer, mentions)
    mentions = [_resolve_metonym(document, tokens, gazetteer, m) for m in mentions]
    mentions.sort(key=lambda m: (m.start, -m.end, str(m.entity)))
    return mentions, _candidates(document, tokens, mentions)


def _longest_matches(document: Document, tokens: list[Token], gazetteer: Gazetteer) -> list[Mention]:
    mentions, i = [], 0
    while i < len(tokens):
        match = _match_at(tokens, i, gazetteer)
        if match is None:
            i += 1
            continue
        length, entries = match
        start, end = tokens[i].start, tokens[i + length - 1].end
        sentence = document.sentence_at(start).index
        for entity in sorted({entity for entity, _ in entries}):
            via = "label" if (entity, "label") in entries else "alias"
            mentions.append(Mention(start, end, document.text[start:end], entity, via, sentence))
        i += length
    return mentions


def _match_at(tokens: list[Token], i: int, gazetteer: Gazetteer):
    if i > 0 and tokens[i - 1].text == "#" and tokens[i - 1].end == tokens[i].start:
        return None  # hashtags are not mentions
    for length in range(min(_MAX_TOKENS, len(tokens) - i), 0, -1):
        window = tokens[i:i + length]
        key = tuple(t.key for t in window)
        entries = gazetteer.exact.get(key) or gazetteer.folded.get(tuple(k.lower() for k in key))
        if entries and _whole_words(tokens, i, length):
            return length, entries
    return None


def _whole_words(tokens: list[Token], i: int, length: int) -> bool:
    """A match must not be glued to a neighbouring word ("EU" in "EUJapan")."""
    last = tokens[i + length - 1]
    return not (i + length < len(tokens) and tokens[i + length].start == last.end
                and tokens[i + length].text[0].isalnum() and last.text[-1].isalnum())


def _demonyms(document: Document, tokens: list[Token], gazetteer: Gazetteer,
              found: list[Mention]) -> list[Mention]:
    """Demonyms denote their actor, even inside a longer mention ("Chinese export
    controls" names a risk and, inside it, China)."""
    mentions = []
    for token in tokens:
        entity = gazetteer.demonyms.get(token.text)
        named = any(m.entity == entity and m.start <= token.start and token.end <= m.end
                    for m in found)  # "European" inside "European Union" adds nothing
        if entity is not None and not named:
            sentence = document.sentence_at(token.start).index
            mentions.append(Mention(token.start, token.end, token.text, entity, "demonym",
                                    sentence))
    return mentions


def _resolve_metonym(document: Document, tokens: list[Token], gazetteer: Gazetteer,
                     mention: Mention) -> Mention:
    actor = gazetteer.seat_of.get(mention.entity)
    if actor is None or _used_as_venue(document, tokens, mention):
        return mention
    return Mention(mention.start, mention.end, mention.surface, actor, "metonym",
                   mention.sentence)


def _used_as_venue(document: Document, tokens: list[Token], mention: Mention) -> bool:
    """'… Summit in Tokyo', 'talks held in Brussels': the city is where, not who."""
    index = bisect_left(tokens, mention.start, key=lambda t: t.start)  # tokens are in order
    if index == 0 or tokens[index - 1].text.lower() not in _VENUE_PREPOSITIONS:
        return False
    sentence = document.sentences[mention.sentence]
    before = [t.text.lower() for t in tokens[max(0, index - 7):index - 1]
              if t.start >= sentence.start]
    return any(word in _VENUE_WORDS for word in before)


def _candidates(document: Document, tokens: list[Token], mentions: list[Mention]) -> list[Candidate]:
    """Runs of capitalised words that no mention covers, outside headings and hashtags."""
    covered = [(m.start, m.end) for m in mentions]
    candidates, run = [], []
    for index, token in enumerate(tokens):
        inside = any(s <= token.start < e for s, e in covered)
        capital = token.text[:1].isupper() and not inside and (
            index == 0 or tokens[index - 1].text != "#"
            or tokens[index - 1].end != token.start)
        if capital or (run and token.text in _CONNECTORS and not inside):
            run.append(token)
            continue
        candidates += _close_run(document, run)
        run = []
    candidates += _close_run(document, run)
    return candidates


def _close_run(document: Document, run: list[Token]) -> list[Candidate]:
    while run and run[-1].text in _CONNECTORS:
        run = run[:-1]
    while run and run[0].text.lower() in _NOT_NAMES:
        run = run[1:]
    if not run:
        return []
    sentence = document.sentence_at(run[0].start)
    if _is_heading(document, sentence):
        return []
    if len(run) == 1 and run[0].start == sentence.start:
        return []  # a capitalised first word is no evidence of a name
    start, end = run[0].start, run[-1].end
    return [Candidate(start, end, document.text[start:end], sentence.index)]


def _is_heading(document: Document, sentence) -> bool:
    text = document.text[sentence.start:sentence.end].strip()
    return bool(text) and text[-1] not in ".!?”\"" and len(text.split()) <= 8
