"""Find mentions of known entities in a document: a gazetteer, checked against the parse.

Input: the reference graph (labels, aliases, demonyms of any length, seats of
government, the U.S. states), a :class:`~allianceskg.build.corpus.Document` and, for the
disambiguation below, its :class:`~allianceskg.reading.nlp.Parse`. Output:
:class:`Mention` values (offsets, sentence, linked entity, how it was recognised) and
typed :class:`Candidate` names from the named-entity recogniser that the gazetteer
does not know.

Matching is on word tokens, longest match first, in one pass over the text (linear in
its length). Labels with capitals match with their case ("US" and "IRA" do not fire
on "us" or "ira"); lowercase labels (topics such as "semiconductors") match in any
case and in the plural. Dashes and apostrophes are normalised. Demonyms ("Chinese",
"South Korean") denote their actor, also inside a longer mention. Then the parse and
the recogniser decide:

- a name inside a longer proper name of a place or facility is not a mention ("China"
  in "the South China Sea"); nor is a city inside the name of a treaty or event
  ("Paris" in "the Paris Agreement", "the Paris climate agreement");
- a demonym after a region word is not the country's ("American" in "Latin American");
- a name inside a person's name is not a mention;
- a name with several readings (Georgia the country, Georgia the U.S. state) takes the
  reading its context supports (other U.S. states, "state", "governor", a U.S. city);
- a seat of government ("Washington", "Manila") stands for its actor (metonymy),
  unless the text uses it as a place ("the summit in Manila", "a plant near Seoul").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from allianceskg.build.corpus import Document
from allianceskg.model.load import superclasses
from allianceskg.vocab import AKG

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'"})
_MAX_TOKENS = 16
_PLACE_PREPOSITIONS = {"in", "at", "to", "near", "inside", "outside", "across", "around",
                       "into", "toward", "towards", "via", "through"}
_PEOPLE_IN = {"official", "officials", "diplomat", "diplomats", "leader", "leaders",
              "policymaker", "policymakers", "government", "lawmaker", "lawmakers",
              "negotiator", "negotiators", "minister", "ministers", "authorities"}
_VENUE_WORDS = {"summit", "meeting", "conference", "talks", "held", "hosted", "visit",
                "forum", "ceremony", "signed", "signing", "gathering", "met"}
_NAME_NOUNS = {"agreement", "accord", "treaty", "protocol", "convention", "declaration",
               "consensus", "club", "principles", "process", "format", "charter", "agenda",
               "pact", "deal", "framework", "statement", "communique", "communiqué"}
_REGION_WORDS = {"latin", "south", "north", "central", "pan", "east", "west", "sub", "meso",
                 "anglo", "afro", "euro"}
_US_STATE_CUES = {"state", "governor", "county", "statehouse", "legislature", "plant",
                  "factory", "fab", "facility", "site", "campus"}
_PLACE_LABELS = {"LOC", "FAC"}
_NAMED_WORK_LABELS = {"LAW", "EVENT", "WORK_OF_ART"}
CANDIDATE_KINDS = {"ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place",
                   "LAW": "law", "EVENT": "event", "PERSON": "person", "NORP": "nationality"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december", "monday", "tuesday", "wednesday",
           "thursday", "friday", "saturday", "sunday"}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those"}


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark with its offsets and matching keys."""

    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return fold(self.text)


def fold(text: str) -> str:
    """The matching key of a word: dashes and apostrophes unified, accents dropped
    ("Brasília" matches GeoNames' "Brasilia")."""
    text = text.translate(_DASHES)
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


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
    """A name the recogniser found that the gazetteer does not know, with its kind
    (organisation, state, place, law, event, person, nationality)."""

    start: int
    end: int
    surface: str
    sentence: int
    kind: str = "name"


@dataclass(frozen=True)
class Gazetteer:
    """Surface forms (as token-key tuples) and the entities they name."""

    exact: dict[tuple[str, ...], tuple[tuple[URIRef, str], ...]]
    folded: dict[tuple[str, ...], tuple[tuple[URIRef, str], ...]]
    demonyms: dict[str, URIRef]
    seat_of: dict[URIRef, URIRef]
    types: dict[URIRef, frozenset[URIRef]]
    labels: dict[URIRef, str]
    territory_of: dict[URIRef, URIRef]
    exact_folded: frozenset[tuple[str, ...]] = frozenset()  # the exact names, lower-cased

    def is_a(self, entity: URIRef, cls: URIRef) -> bool:
        return cls in self.types.get(entity, frozenset())


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def build_gazetteer(reference: Graph, ontology: Graph) -> Gazetteer:
    """Index every English label, alias and demonym of the reference data, with seats
    and territories; types are closed under the ontology's subclass axioms."""
    exact: dict[tuple[str, ...], set[tuple[URIRef, str]]] = defaultdict(set)
    folded: dict[tuple[str, ...], set[tuple[URIRef, str]]] = defaultdict(set)
    for predicate, via in ((RDFS.label, "label"), (SKOS.altLabel, "alias"),
                           (AKG.demonym, "demonym")):
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
                     labels=labels, territory_of=dict(reference.subject_objects(AKG.territoryOf)),
                     exact_folded=frozenset(tuple(k.lower() for k in key) for key in exact))


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
    supers = superclasses(ontology)
    types: dict[URIRef, set[URIRef]] = defaultdict(set)
    for entity, cls in reference.subject_objects(RDF.type):
        if isinstance(entity, URIRef) and isinstance(cls, URIRef):
            types[entity] |= supers.get(cls, frozenset({cls}))
    return {entity: frozenset(classes) for entity, classes in types.items()}


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    index: int  # of the first regex token
    entries: tuple[tuple[URIRef, str], ...]


class _Context:
    """What the parse says around a character offset: its spaCy token and entity."""

    def __init__(self, document: Document, parse) -> None:
        self.tokens: dict[int, object] = {}
        self.entities: list[tuple[int, int, str]] = []
        self.sentence_starts = [s.start for s in document.sentences]
        for parsed in (parse.sentences if parse is not None else ()):
            for token in parsed.doc:
                self.tokens[parsed.offset + token.idx] = token
            self.entities.extend(_merged_entities(parsed))
        self.entity_starts = [e[0] for e in self.entities]

    def sentence(self, offset: int) -> int:
        return max(0, bisect_right(self.sentence_starts, offset) - 1)

    def token(self, offset: int):
        return self.tokens.get(offset)

    def entity_around(self, start: int, end: int) -> tuple[int, int, str] | None:
        """The recognised entity that holds [start, end), if any."""
        last = bisect_right(self.entity_starts, start)
        for entity in reversed(self.entities[max(0, last - 3):last]):  # entities do not nest
            if entity[0] <= start and end <= entity[1]:
                return entity
        return None


def _merged_entities(parsed) -> list[tuple[int, int, str]]:
    """The recogniser's entities, with a name it split in two joined again
    ("Ursula von der" + "Leyen")."""
    merged: list[tuple[int, int, str]] = []
    for entity in parsed.doc.ents:
        start, end = parsed.offset + entity.start_char, parsed.offset + entity.end_char
        if merged and start - merged[-1][1] <= 1 \
                and "PERSON" in (entity.label_, merged[-1][2]) \
                and parsed.doc.text[entity.start_char - 1:entity.start_char] in (" ", "") \
                and parsed.doc[entity.start - 1].is_lower:
            merged[-1] = (merged[-1][0], end, merged[-1][2])
        else:
            merged.append((start, end, entity.label_))
    return merged


def find_mentions(document: Document, gazetteer: Gazetteer,
                  parse=None) -> tuple[list[Mention], list[Candidate]]:
    """Every mention of a known entity in ``document``, and the unknown names.

    Without ``parse`` (a :class:`~allianceskg.reading.nlp.Parse`) only the gazetteer
    and surface rules apply, and no candidates are proposed."""
    tokens = tokenize(document.text)
    context = _Context(document, parse)
    matches = _longest_matches(tokens, gazetteer)
    mentions: list[Mention] = []
    unambiguous: dict[int, list[URIRef]] = defaultdict(list)  # sentence -> entities named
    for m in matches:
        if len({e for e, _ in m.entries}) == 1:
            unambiguous[context.sentence(m.start)].append(m.entries[0][0])
    for match in matches:
        for entity, via in _readings(match, gazetteer, unambiguous, tokens, document, context):
            if _is_part_of_another_name(match, entity, via, gazetteer, tokens, context):
                continue
            sentence = context.sentence(match.start)
            mention = Mention(match.start, match.end, document.text[match.start:match.end],
                              entity, via, sentence)
            mentions.append(_resolve_metonym(document, tokens, gazetteer, mention, match, context))
            mentions.extend(_inner_demonyms(document, tokens, match, entity, gazetteer, context))
    mentions.sort(key=lambda m: (m.start, -m.end, str(m.entity)))
    return mentions, _candidates(document, mentions, context, parse, gazetteer)


def _longest_matches(tokens: list[Token], gazetteer: Gazetteer) -> list[_Match]:
    """Left to right, the longest gazetteer entry starting at each token. Each token's
    key is computed once, and a token no entry starts with is skipped at once, so the
    pass is linear in the number of tokens."""
    keys = [t.key for t in tokens]
    lowered = [k.lower() for k in keys]
    firsts = {k[0] for k in gazetteer.exact} | {k[0] for k in gazetteer.folded}
    matches, i = [], 0
    while i < len(tokens):
        found = None
        if keys[i] in firsts or lowered[i] in firsts:
            found = _match_at(tokens, keys, lowered, i, gazetteer)
        if found is None:
            i += 1
            continue
        length, entries = found
        matches.append(_Match(tokens[i].start, tokens[i + length - 1].end, i, entries))
        i += length
    return matches


def _match_at(tokens: list[Token], keys: list[str], lowered: list[str], i: int,
              gazetteer: Gazetteer):
    if i > 0 and tokens[i - 1].text == "#" and tokens[i - 1].end == tokens[i].start:
        return None  # hashtags are not mentions
    for length in range(min(_MAX_TOKENS, len(tokens) - i), 0, -1):
        entries = gazetteer.exact.get(tuple(keys[i:i + length])) or \
            gazetteer.folded.get(tuple(lowered[i:i + length]))
        if entries and _whole_words(tokens, i, length):
            return length, entries
    return None


def _whole_words(tokens: list[Token], i: int, length: int) -> bool:
    """A match must not be glued to a neighbouring word ("EU" in "EUJapan")."""
    last = tokens[i + length - 1]
    return not (i + length < len(tokens) and tokens[i + length].start == last.end
                and tokens[i + length].text[0].isalnum() and last.text[-1].isalnum())


def _readings(match: _Match, gazetteer: Gazetteer, unambiguous: dict[int, list[URIRef]],
              tokens: list[Token], document: Document, context: _Context) -> list[tuple[URIRef, str]]:
    """The entities a match denotes; where a U.S. state rivals another reading, the
    context decides (one reading wins, never both)."""
    entities = sorted({e for e, _ in match.entries})
    via: dict[URIRef, str] = {}
    for entity, how in sorted(match.entries, key=lambda x: x[1] != "label"):
        via.setdefault(entity, how)  # a label beats an alias of the same entity
    states = [e for e in entities if gazetteer.territory_of.get(e) is not None
              and gazetteer.is_a(e, AKG.Region)]
    if not states or len(entities) == 1:
        return [(e, via[e]) for e in entities]
    others = [e for e in entities if e not in states]
    if _us_context(match, tokens, document, context, gazetteer, unambiguous):
        return [(states[0], via[states[0]])]
    return [(e, via[e]) for e in others]


def _us_context(match: _Match, tokens: list[Token], document: Document, context: _Context,
                gazetteer: Gazetteer, unambiguous: dict[int, list[URIRef]]) -> bool:
    """A U.S. state reading needs the U.S. or another state named in this sentence or
    a neighbouring one, or a cue word nearby."""
    sentence = context.sentence(match.start)
    united_states = next(iter(gazetteer.territory_of.values()), None)
    for index in (sentence - 1, sentence, sentence + 1):
        for entity in unambiguous.get(index, ()):
            if gazetteer.territory_of.get(entity) == united_states or entity == united_states:
                return True
    near = tokens[max(0, match.index - 6):match.index + 6]
    return any(t.text.lower() in _US_STATE_CUES for t in near)


def _is_part_of_another_name(match: _Match, entity: URIRef, via: str, gazetteer: Gazetteer,
                             tokens: list[Token], context: _Context) -> bool:
    if via == "demonym" and match.index > 0:
        before = tokens[match.index - 1]
        if before.text == "-" and match.index > 1:
            before = tokens[match.index - 2]
        if before.text.lower() in _REGION_WORDS and before.text[:1].isupper() \
                and match.start - before.end <= 1:
            return True  # "Latin American", "South-American"
    around = context.entity_around(match.start, match.end)
    if around is not None and (around[0], around[1]) != (match.start, match.end):
        label = around[2]
        if _longer_than(around, match):
            if label == "PERSON":
                return True
            if label in _PLACE_LABELS and via != "demonym":
                return True  # "China" in "the South China Sea"
            if label in _NAMED_WORK_LABELS and gazetteer.is_a(entity, AKG.City):
                return True  # "Paris" in "the Paris Agreement"
            if label in _NAMED_WORK_LABELS | {"ORG"} and gazetteer.is_a(entity, AKG.Topic) \
                    and gazetteer.labels.get(entity, "").islower():
                return True  # "Trade" in "the Trade and Technology Council"
    return gazetteer.is_a(entity, AKG.City) and _names_an_agreement(match, context)


def _longer_than(around: tuple[int, int, str], match: _Match) -> bool:
    """True when the entity is longer than the match by more than a determiner."""
    return around[1] > match.end or around[0] < match.start - 4


def _names_an_agreement(match: _Match, context: _Context) -> bool:
    """'Paris' in 'the Paris climate agreement': a city modifying a treaty noun."""
    token = context.token(match.start)
    steps = 0
    while token is not None and steps < 4 and token.dep_ in ("compound", "nmod", "amod"):
        token = token.head
        steps += 1
        if token.lemma_.lower() in _NAME_NOUNS:
            return True
    return False


def _inner_demonyms(document: Document, tokens: list[Token], match: _Match, entity: URIRef,
                    gazetteer: Gazetteer, context: _Context) -> list[Mention]:
    """Demonyms inside a longer mention denote their actor too ("Chinese export
    controls" names a risk and, inside it, China)."""
    found = []
    index = match.index
    while index < len(tokens) and tokens[index].end <= match.end:
        token = tokens[index]
        actor = gazetteer.demonyms.get(token.text)
        if actor is not None and actor != entity and (token.start, token.end) != (match.start, match.end):
            found.append(Mention(token.start, token.end, token.text, actor, "demonym",
                                 context.sentence(token.start)))
        index += 1
    return found


def _resolve_metonym(document: Document, tokens: list[Token], gazetteer: Gazetteer,
                     mention: Mention, match: _Match, context: _Context) -> Mention:
    actor = gazetteer.seat_of.get(mention.entity)
    if actor is None or _used_as_place(document, tokens, match, context):
        return mention
    return Mention(mention.start, mention.end, mention.surface, actor, "metonym",
                   mention.sentence)


def _used_as_place(document: Document, tokens: list[Token], match: _Match,
                   context: _Context) -> bool:
    """'the summit in Manila', 'a plant near Seoul': the city is where, not who;
    'officials in Beijing', 'a deal with Washington', 'Tokyo said': the government."""
    token = context.token(match.start)
    if token is not None:
        head = token
        while head.dep_ == "compound" and head.head != head:
            head = head.head
        if head.dep_ == "pobj" and head.head.lower_ in _PLACE_PREPOSITIONS:
            governor = head.head.head
            return not (governor.lower_ in _PEOPLE_IN or governor.lemma_.lower() in _PEOPLE_IN)
        return False
    index = match.index
    if index == 0 or tokens[index - 1].text.lower() not in ("in", "at"):
        return False
    sentence = document.sentences[context.sentence(match.start)]
    before = [t.text.lower() for t in tokens[max(0, index - 7):index - 1]
              if t.start >= sentence.start]
    return any(word in _VENUE_WORDS for word in before)


def _candidates(document: Document, mentions: list[Mention], context: _Context,
                parse, gazetteer: Gazetteer) -> list[Candidate]:
    """Named entities of the recogniser that no mention covers, typed by their label;
    no months, no sentence fragments, no names joined by "and"."""
    if parse is None:
        return []
    covered = sorted((m.start, m.end) for m in mentions)
    starts = [c[0] for c in covered]
    found: dict[tuple[int, int], Candidate] = {}
    for start, end, label in context.entities:
        kind = CANDIDATE_KINDS.get(label)
        if kind is None:
            continue
        start, end = _trim_span(document.text, start, end)
        surface = document.text[start:end]
        if not _good_name(surface) or _overlaps(covered, starts, start, end) \
                or _known_name(surface, gazetteer) or _joins_names(surface, gazetteer):
            continue
        found[(start, end)] = Candidate(start, end, surface, context.sentence(start), kind)
    return sorted(found.values(), key=lambda c: c.start)


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    words = text[start:end].split(" ", 1)
    if len(words) == 2 and words[0].lower() in _DETERMINERS:
        start += len(words[0]) + 1
    while end > start and text[end - 1] in "'’s" and text[end - 2:end] in ("'s", "’s"):
        end -= 2
    return start, end


def _good_name(surface: str) -> bool:
    words = surface.split()
    if not words or "\n" in surface or not any(c.isupper() for c in surface):
        return False
    if all(w.lower().strip(".,") in _MONTHS for w in words):
        return False
    if len(words) == 1 and len(surface) < 2:
        return False
    return surface[0].isupper() or surface[0].isdigit()


def _known_name(surface: str, gazetteer: Gazetteer) -> bool:
    return tuple(t.key for t in tokenize(surface)) in gazetteer.exact


def _joins_names(surface: str, gazetteer: Gazetteer) -> bool:
    """'Arizona and Samsung': a known name joined to another, not one name such as
    'Trade and Technology Council'."""
    parts = re.split(r"\s(?:and|or|&)\s", surface)
    return len(parts) > 1 and any(_known_name(part, gazetteer) for part in parts)


def _overlaps(covered: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    index = bisect_right(starts, end)
    for c_start, c_end in covered[max(0, index - 8):index]:
        if c_start < end and start < c_end:
            return True
    return False
