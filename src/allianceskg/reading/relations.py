"""Relation extraction over the dependency parse: facts read off each parsed sentence.

Input: a document, its :class:`~allianceskg.reading.nlp.Parse`, its mentions and
candidates, and the gazetteer. Output: a list of :class:`Proposal` values (a triple,
the sentence that supports it, the construction that produced it, and the clause's
:class:`~allianceskg.reading.modality.Decision`) and the new entities they name
(:class:`~allianceskg.reading.entities.Minted`).

Constructions (each named, so a reviewer sees which one fired):

- ``agreement``: an agreement noun (pact, deal, partnership, agreement …) with its
  parties from the verb's subjects and their conjuncts (lists of any length), "with
  X", "between X and Y", "by X and Y" (passive), "X joined Y and Z in …", and party
  names compounded into the noun ("the EU–Mercosur agreement"); status from the verb
  (launch, sign, ratify, negotiate, stall) and the clause (future → proposed); the
  date, the summit it was announced at and the place;
- ``measure``: export controls, licensing, tariffs, sanctions, bans, subsidies,
  investment screening — imposed by whom (subject, agent, possessive, demonym), on
  whom ("on X", "against X") and concerning what ("on gallium and germanium");
- ``crisis``: a crisis that exposed or revealed a dependency, for whom, on what;
- ``policy``: legislation and policies introduced or passed by an actor;
- ``membership``: "X is a member of Y", "X joined Y", "Y, which groups A, B and C",
  "Y's members A, B and C", "X, a member of Y";
- ``stance``: condemned, criticised, welcomed, opposed, backed, warned — holder and
  target;
- ``consequence``: who an agreement or measure benefits or harms; what it
  counterbalances;
- ``partnership``: "X and Y deepen their ties".

"The agreement", "the pact", "the bloc", "the grouping" refer to the last node of
that kind in the document when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from allianceskg.reading.mentions import Candidate, Gazetteer, Mention, tokenize
from allianceskg.reading.entities import Minter
from allianceskg.reading.modality import Decision, decide
from allianceskg.vocab import AKG

SCHEMA_LOCATION = URIRef("https://schema.org/location")

AGREEMENT_NOUNS = {"agreement", "deal", "pact", "partnership", "alliance", "accord", "treaty",
                   "framework", "dialogue", "initiative", "compact", "memorandum",
                   "arrangement", "fta", "charter", "corridor", "contract"}
STATUS_VERBS = {
    "launch": AKG.Launched, "establish": AKG.Launched, "form": AKG.Launched,
    "unveil": AKG.Launched, "announce": AKG.Launched, "create": AKG.Launched,
    "inaugurate": AKG.Launched, "start": AKG.Launched, "set": AKG.Launched,
    "sign": AKG.Concluded, "conclude": AKG.Concluded, "finalise": AKG.Concluded,
    "finalize": AKG.Concluded, "strike": AKG.Concluded, "ink": AKG.Concluded,
    "seal": AKG.Concluded, "reach": AKG.Concluded, "clinch": AKG.Concluded,
    "complete": AKG.Concluded, "agree": AKG.Concluded,
    "ratify": AKG.InForce, "implement": AKG.InForce,
    "negotiate": AKG.Proposed, "propose": AKG.Proposed, "discuss": AKG.Proposed,
    "pursue": AKG.Proposed, "explore": AKG.Proposed, "resume": AKG.Proposed,
    "stall": AKG.Stalled, "freeze": AKG.Stalled, "suspend": AKG.Stalled,
    "shelve": AKG.Stalled, "collapse": AKG.Stalled, "block": AKG.Stalled,
    "join": None, "expand": None, "renew": AKG.Concluded, "upgrade": AKG.Launched,
}
IN_FORCE_PHRASES = ("enter into force", "entered into force", "enters into force",
                    "came into force", "come into force", "took effect", "take effect",
                    "takes effect", "in force")
MEASURES = [  # (words at the end of the noun phrase, type)
    ("export controls", AKG.ExportControls), ("export control", AKG.ExportControls),
    ("export restrictions", AKG.ExportControls), ("export curbs", AKG.ExportControls),
    ("export licensing", AKG.LicensingRegime), ("licensing requirements", AKG.LicensingRegime),
    ("licensing requirement", AKG.LicensingRegime), ("licensing regime", AKG.LicensingRegime),
    ("licensing rules", AKG.LicensingRegime), ("licence requirements", AKG.LicensingRegime),
    ("license requirements", AKG.LicensingRegime), ("licensing", AKG.LicensingRegime),
    ("investment screening", AKG.InvestmentScreening), ("screening", AKG.InvestmentScreening),
    ("export ban", AKG.TradeBan), ("import ban", AKG.TradeBan), ("ban", AKG.TradeBan),
    ("embargo", AKG.Sanctions), ("price cap", AKG.Sanctions), ("sanctions", AKG.Sanctions),
    ("tariffs", AKG.Tariff), ("tariff", AKG.Tariff), ("duties", AKG.Tariff),
    ("levies", AKG.Tariff), ("subsidies", AKG.Subsidy), ("subsidy", AKG.Subsidy),
    ("tax credits", AKG.Subsidy), ("tax credit", AKG.Subsidy),
    ("controls", AKG.ExportControls), ("restrictions", AKG.TradeRestriction),
    ("curbs", AKG.TradeRestriction), ("quotas", AKG.TradeRestriction),
]
IMPOSE_VERBS = {"impose", "introduce", "tighten", "expand", "extend", "announce", "slap",
                "levy", "adopt", "unveil", "enact", "roll", "apply", "maintain", "place",
                "put", "approve", "issue", "widen", "broaden", "add", "lower", "raise", "set",
                "offer", "provide", "grant", "retaliate", "respond", "hit", "follow", "agree"}
POLICY_NOUNS = {"act", "law", "strategy", "policy", "plan", "regulation", "programme",
                "program", "directive", "rule", "bill", "package", "scheme", "doctrine"}
POLICY_VERBS = {"introduce", "pass", "enact", "adopt", "unveil", "launch", "publish",
                "approve", "sign", "announce", "propose", "issue", "release"}
CRISIS_NOUNS = {"pandemic", "war", "invasion", "crisis", "blockade", "shortage", "conflict",
                "shock", "embargo", "disruption", "outbreak"}
EXPOSE_VERBS = {"expose", "reveal", "highlight", "underscore", "spotlight", "lay", "show",
                "demonstrate", "underline", "illustrate", "exacerbate"}
DEPENDENCY_NOUNS = {"dependence", "dependency", "dependencies", "vulnerability",
                    "vulnerabilities", "reliance", "exposure"}
STANCE_VERBS = {
    "condemn": AKG.Condemnation, "denounce": AKG.Condemnation, "slam": AKG.Condemnation,
    "criticise": AKG.Criticism, "criticize": AKG.Criticism, "decry": AKG.Criticism,
    "lambast": AKG.Criticism, "fault": AKG.Criticism, "attack": AKG.Criticism,
    "welcome": AKG.Approval, "praise": AKG.Approval, "hail": AKG.Approval,
    "applaud": AKG.Approval, "laud": AKG.Approval, "celebrate": AKG.Approval,
    "oppose": AKG.Opposition, "reject": AKG.Opposition, "protest": AKG.Opposition,
    "resist": AKG.Opposition, "object": AKG.Opposition,
    "back": AKG.Support, "support": AKG.Support, "endorse": AKG.Support,
    "champion": AKG.Support, "warn": AKG.Warning,
}
BENEFIT_VERBS = {"benefit": AKG.benefits, "help": AKG.benefits, "boost": AKG.benefits,
                 "favour": AKG.benefits, "favor": AKG.benefits, "reward": AKG.benefits,
                 "hurt": AKG.harms, "harm": AKG.harms, "hit": AKG.harms, "damage": AKG.harms,
                 "penalise": AKG.harms, "penalize": AKG.harms, "undercut": AKG.harms,
                 "disadvantage": AKG.harms, "squeeze": AKG.harms, "threaten": AKG.harms,
                 "cost": AKG.harms}
BAN_VERBS = {"ban": AKG.TradeBan, "prohibit": AKG.TradeBan, "embargo": AKG.TradeBan,
             "sanction": AKG.Sanctions}
COUNTER_VERBS = {"counter", "counterbalance", "offset", "balance", "check", "contain",
                 "blunt", "dilute", "rival", "curb"}
_WITHDRAWING = {"drop", "withdraw", "end", "lift", "collapse", "fade", "soften", "abandon",
                "lose", "wane", "evaporate", "erode", "dwindle", "cool", "waver"}
STANCE_HOLDER_VERBS = {"lead", "voice", "express", "signal", "reiterate", "give", "offer",
                       "pledge", "declare", "register", "state", "lend", "throw", "announce",
                       "make", "repeat", "restate", "confirm", "spearhead"}
MEMBER_VERBS = {"group", "comprise", "include", "bring", "unite", "span", "gather"}
TIE_NOUNS = {"ties", "partnership", "cooperation", "relationship", "relations", "links"}
TIE_VERBS = {"deepen", "strengthen", "expand", "upgrade", "bolster", "elevate", "boost",
             "intensify", "broaden", "enhance", "forge", "build"}
GOVERNMENT_NOUNS = {"ministry", "government", "official", "officials", "president",
                    "minister", "leader", "leaders", "spokesperson", "spokesman",
                    "spokeswoman", "administration", "commission", "authorities",
                    "regulators", "lawmakers", "negotiators", "diplomats", "cabinet",
                    "parliament", "premier", "chancellor", "envoy", "delegation", "office",
                    "department", "prime", "state", "council", "congress", "senate",
                    "legislature", "treasury", "ministers", "regulator", "customs"}
INDUSTRY_NOUNS = {"farmers", "producers", "exporters", "manufacturers", "carmakers", "automakers",
                  "firms", "companies", "industry", "miners", "steelmakers", "chipmakers",
                  "makers", "workers", "businesses", "suppliers", "refiners", "growers"}
ANAPHORA = {"bloc": AKG.Organisation, "grouping": AKG.Organisation, "union": AKG.Organisation,
            "organisation": AKG.Organisation, "organization": AKG.Organisation}
_CANDIDATE_RANK = {"organisation": 0, "state": 1, "place": 2, "law": 3, "event": 4,
                   "nationality": 5, "person": 6}
STANCE_NOUNS = {"opposition": AKG.Opposition, "objection": AKG.Opposition,
                "objections": AKG.Opposition, "resistance": AKG.Opposition,
                "support": AKG.Support, "backing": AKG.Support, "endorsement": AKG.Support,
                "criticism": AKG.Criticism, "condemnation": AKG.Condemnation,
                "approval": AKG.Approval, "praise": AKG.Approval,
                "scepticism": AKG.Scepticism, "skepticism": AKG.Scepticism}
_DEFINITE = {"the", "this", "that", "these", "those"}
_NOT_YET_MEMBERS = {"prospective", "candidate", "observer", "aspiring", "future", "potential",
                    "would-be", "possible", "applicant"}
_AGREEMENT_NAME = re.compile(r"\b(Agreement|Pact|Partnership|Accord|Treaty|Compact|Framework|"
                             r"Dialogue|Initiative|Charter|Corridor|Deal|Arrangement|"
                             r"Memorandum)$")
_GOVERNMENT_NAME = re.compile(r"^(the )?(Ministry|Department|Office|Agency|Treasury|Bureau|"
                              r"Cabinet)\b|\b(Ministry|Department|Agency|Treasury)$")
_PRONOUN_POSSESSIVES = {"its", "their"}
_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}


@dataclass(frozen=True)
class Proposal:
    """One fact the reading layer proposes, with what supports it."""

    triple: tuple[URIRef, URIRef, Node]
    start: int  # the supporting sentence, as offsets into the document
    end: int
    construction: str
    decision: Decision
    confidence: float = 0.7


@dataclass
class Reading:
    """What the relation extractor proposes for one document."""

    proposals: list[Proposal] = field(default_factory=list)
    rejected: list[Proposal] = field(default_factory=list)  # negated or denied

    def add(self, proposal: Proposal) -> None:
        (self.proposals if proposal.decision.stated else self.rejected).append(proposal)


class _Sentence:
    """One parsed sentence with its tokens' linked entities."""

    def __init__(self, parsed, mentions: list[Mention], candidates: list[Candidate],
                 gazetteer: Gazetteer, minter: Minter) -> None:
        self.doc, self.offset = parsed.doc, parsed.offset
        self.start = parsed.sentence.start
        self.end = parsed.sentence.end
        self.gazetteer, self.minter = gazetteer, minter
        self.entity: dict[int, URIRef] = {}
        self.candidate: dict[int, Candidate] = {}
        ranked = sorted(mentions, key=lambda m: (not gazetteer.is_a(m.entity, AKG.Actor),
                                                 m.start - m.end))
        for mention in ranked:
            for token in self._tokens_in(mention.start, mention.end):
                self.entity.setdefault(token.i, mention.entity)
        # Where the recogniser offers several readings of a name ("Mercosur" as a
        # person and as a place), the one an actor can be comes first.
        for candidate in sorted(candidates, key=lambda c: _CANDIDATE_RANK.get(c.kind, 9)):
            if tuple(t.key.lower() for t in tokenize(candidate.surface)) in gazetteer.exact_folded:
                continue  # "MANILA" in a dateline is no new entity
            for token in self._tokens_in(candidate.start, candidate.end):
                self.candidate.setdefault(token.i, candidate)

    def _tokens_in(self, start: int, end: int):
        return [t for t in self.doc if start <= self.offset + t.idx < end]

    def char(self, token) -> int:
        return self.offset + token.idx


class Extractor:
    """Reads one document's sentences; keeps what the document has introduced so far
    (for "the pact", "the bloc")."""

    def __init__(self, gazetteer: Gazetteer, minter: Minter, *, published: str | None = None) -> None:
        self.gazetteer, self.minter = gazetteer, minter
        self.anchor = _anchor(published)  # "last July", "10 February": read from the date of publication
        self.reading = Reading()
        self.last: dict[str, URIRef] = {}
        self.at: dict[int, URIRef] = {}
        self.recent: list[tuple[URIRef, frozenset[str]]] = []  # nodes read, with their words

    def read(self, parse, mentions: list[Mention], candidates: list[Candidate]) -> Reading:
        by_sentence: dict[int, list[Mention]] = {}
        for mention in mentions:
            by_sentence.setdefault(mention.sentence, []).append(mention)
        cands: dict[int, list[Candidate]] = {}
        for candidate in candidates:
            cands.setdefault(candidate.sentence, []).append(candidate)
        for parsed in parse.sentences:
            index = parsed.sentence.index
            sentence = _Sentence(parsed, by_sentence.get(index, []), cands.get(index, []),
                                 self.gazetteer, self.minter)
            self._sentence(sentence)
        return self.reading

    # -- the constructions -------------------------------------------------------
    def _sentence(self, s: _Sentence) -> None:
        self.at = {}  # token index -> the agreement or measure node read from it
        for token in s.doc:  # nouns first, so verbs find the nodes they are about
            lemma = token.lemma_.lower()
            if token.pos_ in ("NOUN", "PROPN") and (lemma in AGREEMENT_NOUNS or self._known(s, token, AKG.Agreement)):
                self._agreement(s, token)
            if token.pos_ in ("NOUN", "PROPN"):
                measure = _measure_type(token)
                if measure is not None:
                    self._measure(s, token, measure)
            if lemma == "member" and token.pos_ == "NOUN":
                self._member_noun(s, token)
            if token.pos_ == "NOUN" and token.lower_ in STANCE_NOUNS:
                self._stance_noun(s, token, STANCE_NOUNS[token.lower_])
        for token in s.doc:
            lemma = token.lemma_.lower()
            if token.pos_ == "VERB" or token.pos_ == "AUX":
                if lemma in STATUS_VERBS and STATUS_VERBS[lemma] is not None:
                    self._agreement_pronoun(s, token)
                if lemma in BAN_VERBS:
                    self._ban_verb(s, token, BAN_VERBS[lemma])
                if lemma in EXPOSE_VERBS:
                    self._crisis(s, token)
                if lemma in POLICY_VERBS:
                    self._policy(s, token)
                if lemma in STANCE_VERBS:
                    self._stance(s, token, STANCE_VERBS[lemma])
                if lemma in BENEFIT_VERBS:
                    self._consequence(s, token, BENEFIT_VERBS[lemma])
                if lemma in COUNTER_VERBS:
                    self._counter(s, token)
                if lemma in TIE_VERBS:
                    self._ties(s, token)
                if lemma in ("join", "accede", "become") or lemma in MEMBER_VERBS:
                    self._membership_verb(s, token)

    def _remember(self, kind: str, token, node: URIRef) -> None:
        self.last[kind] = node
        self.last["thing"] = node  # what "it" most likely refers to next
        self.at[token.i] = node
        words = {t.lemma_.lower() for t in token.lefts if t.dep_ in ("compound", "amod", "nmod")}
        words.add(token.lemma_.lower())
        if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ == "NOUN":
            head = token.head.head  # "a 20th package of sanctions": also "the package"
            words |= {head.lemma_.lower()} | {t.lemma_.lower() for t in head.lefts
                                               if t.dep_ in ("compound", "amod", "nmod")}
        label = self.minter.label(node) or ""
        words |= {w.lower() for w in re.findall(r"[\w-]+", label)}
        self.recent.append((node, frozenset(words)))

    def _refer(self, noun) -> URIRef | None:
        """A definite description ("the package", "the dynamic cap", "its controls")
        refers to the last node the document read whose words hold the noun and every
        modifier; nothing when no node does, or when a bare noun fits two (no guessing)."""
        determiners = {c.lower_ for c in noun.children if c.dep_ in ("det", "poss")}
        if not determiners & (_DEFINITE | _PRONOUN_POSSESSIVES) or noun.pos_ != "NOUN":
            return None
        if any(c.pos_ == "PROPN" or c.dep_ in ("prep", "relcl", "acl") for c in noun.children):
            return None
        needed = {noun.lemma_.lower()} | {c.lemma_.lower() for c in noun.children
                                          if c.dep_ in ("compound", "amod", "nmod")}
        found = []
        for node, words in reversed(self.recent):
            if needed <= words and node not in found:
                found.append(node)
                if len(found) == 2:
                    break
        if len(found) == 2 and len(needed) == 1:
            return None  # "the tariffs" after two different tariffs: ambiguous
        return found[0] if found else None

    def _propose(self, s: _Sentence, triple, construction: str, predicate_token,
                 decision: Decision | None = None) -> None:
        if triple[0] is None or triple[2] is None or triple[0] == triple[2]:
            return
        decision = decision or decide(predicate_token)
        self.reading.add(Proposal(triple, s.start, s.end, construction, decision))

    # agreements ---------------------------------------------------------------
    def _agreement(self, s: _Sentence, noun) -> None:
        if noun.dep_ == "compound" and noun.head.lemma_.lower() in AGREEMENT_NOUNS:
            return  # "Partnership" in "… Partnership Agreement": the head reads it
        candidate = s.candidate.get(noun.i)
        if candidate is not None and _AGREEMENT_NAME.search(candidate.surface) and \
                s.char(noun) + len(noun.text) < candidate.end:
            return  # "Partnership" inside "… Strategic Partnership Agreement"
        verb = _governing_verb(noun)
        if verb is not None and verb.lemma_.lower() in TIE_VERBS:
            return  # "deepened their partnership": ties, read by _ties
        named = self._parties(s, noun, None)
        parties = _unique(named + self._parties(s, noun, verb))
        known = self._known(s, noun, AKG.Agreement)
        node = known or self._agreement_node(s, noun, named, parties)
        if node is None:
            return
        self._remember("agreement", noun, node)
        predicate_token = verb if verb is not None else noun
        decision = decide(predicate_token, noun)
        for party in parties:
            self._propose(s, (node, AKG.hasParty, party), "agreement", predicate_token, decision)
        status = self._status(s, noun, verb, decision)
        if status is not None:
            self._propose(s, (node, AKG.status, status), "agreement-status", predicate_token,
                          decision)
        if verb is not None:
            self._when_and_where(s, node, verb, decision)
        self._noun_date(s, node, noun, predicate_token, decision)

    def _agreement_pronoun(self, s: _Sentence, verb) -> None:
        """'It was signed at the summit in Brussels on 23 June 2025', 'It stalled':
        "it" is the agreement the document read last, when nothing else was read since."""
        if any(c.dep_ in ("ccomp", "xcomp", "csubj", "csubjpass", "dobj") for c in verb.children):
            return  # "It was agreed that …" (a dummy subject), "It suspends tariffs"
        subjects = _children(verb, "nsubjpass") or (
            _children(verb, "nsubj") if STATUS_VERBS[verb.lemma_.lower()] == AKG.Stalled else [])
        if not any(t.lower_ == "it" for t in subjects):
            return
        node = self.last.get("agreement")
        if node is None or self.last.get("thing") != node:
            return
        decision = decide(verb)
        status = _as_decided(STATUS_VERBS[verb.lemma_.lower()], decision)
        self._propose(s, (node, AKG.status, status), "agreement-status", verb, decision)
        self._when_and_where(s, node, verb, decision)

    def _agreement_node(self, s: _Sentence, noun, named: list[URIRef],
                        parties: list[URIRef]) -> URIRef | None:
        phrase = _noun_phrase(noun, s)
        determiner = {c.lower_ for c in noun.children if c.dep_ in ("det", "poss")}
        bare = phrase.lower() == noun.lower_ or phrase.lower() in ("trade " + noun.lower_,)
        if not named and determiner & {"the", "this", "that", "its", "their"} and bare \
                and (self.last.get("agreement") or not parties):
            return self.last.get("agreement")  # "the pact": the one the text is about
        candidate = s.candidate.get(noun.i)
        if candidate is not None and _AGREEMENT_NAME.search(candidate.surface) \
                and candidate.surface.lower().endswith(noun.lower_):
            name = re.sub(r"^the\s+", "", candidate.surface, flags=re.I).strip()
            kind = _agreement_kind(noun, name)
            return self.minter.mint(name, kind, "agreement", phrase_key=(kind, name.lower()))
        name = _proper_name(noun)
        if name is not None:  # "the India–Middle East–Europe Economic Corridor": its name
            kind = _agreement_kind(noun, name)
            return self.minter.mint(name, kind, "agreement", phrase_key=(kind, name.lower()))
        if not parties and not _has_name(noun):
            return None
        kind = _agreement_kind(noun, phrase)
        label = _party_label(parties, self.gazetteer, phrase)
        return self.minter.mint(label, kind, "agreement", phrase_key=(kind, tuple(sorted(parties))))

    def _parties(self, s: _Sentence, noun, verb) -> list[URIRef]:
        parties: list[URIRef] = []
        for child in noun.children:  # "the EU–Mercosur agreement", "a US-Japan deal"
            if child.dep_ in ("compound", "amod", "nmod", "poss") and child.i < noun.i:
                parties += self._actors(s, child, include_children=True)
                for inner in child.subtree:  # nested compounds: EU ← Mercosur ← agreement
                    if inner.i < child.i and inner.dep_ in ("compound", "amod", "nmod", "conj"):
                        parties += self._actors(s, inner, include_children=False)
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in ("between", "with", "among", "linking"):
                for pobj in _children(prep, "pobj"):
                    parties += self._actor_list(s, pobj)
        if verb is not None and _is_object_of(noun, verb) and (
                verb.lemma_.lower() in STATUS_VERBS or verb.lemma_.lower() in ("enter", "come", "take")):
            lemma = verb.lemma_.lower()
            for subject in _subjects(verb):
                parties += self._actor_list(s, subject)
            for agent in _children(verb, "agent"):
                for pobj in _children(agent, "pobj"):
                    parties += self._actor_list(s, pobj)
            for prep in _children(verb, "prep"):
                if prep.lower_ in ("with", "between"):
                    for pobj in _children(prep, "pobj"):
                        parties += self._actor_list(s, pobj)
            if lemma == "join":  # "X joined Y and Z in the pact"
                for dobj in _children(verb, "dobj"):
                    if dobj != noun:
                        parties += self._actor_list(s, dobj)
        return _unique(p for p in parties if self.gazetteer.is_a(p, AKG.Actor) or self.minter.is_actor(p))

    def _status(self, s: _Sentence, noun, verb, decision: Decision) -> URIRef | None:
        text = s.doc.text.lower()
        if verb is None:
            return None
        lemma = verb.lemma_.lower()
        window = s.doc[verb.i:min(len(s.doc), verb.i + 4)].text.lower()
        if any(p in window for p in IN_FORCE_PHRASES) or (
                lemma in ("enter", "come", "take") and "force" in text[verb.idx:verb.idx + 30]):
            status = AKG.InForce
        elif not _is_object_of(noun, verb) and lemma not in ("stall", "collapse", "enter", "come", "take"):
            return None
        else:
            status = STATUS_VERBS.get(lemma)
        if status is None:
            return None
        return _as_decided(status, decision)

    def _when_and_where(self, s: _Sentence, node: URIRef, verb, decision: Decision) -> None:
        date = None
        for token in _attached(verb):
            if token.ent_type_ == "DATE":
                date = normalise_date(_entity_text(token), self.anchor)
                if date:
                    self._propose(s, (node, AKG.date, Literal(date)), "date", verb, decision)
                    break
        for prep in _children(verb, "prep"):
            for pobj in _children(prep, "pobj"):
                if pobj.lemma_.lower() in ("summit", "meeting", "conference", "forum", "talks") \
                        and prep.lower_ in ("at", "during", "on"):  # not "before the summit"
                    phrase = _noun_phrase(pobj, s, keep_names=True)
                    if date:  # one summit of a series: "G7 summit 2026"
                        phrase = f"{phrase} {date[:4]}" if date[:4] not in phrase else phrase
                    event = self.minter.mint(phrase, AKG.Summit, "agreement",
                                             phrase_key=(AKG.Summit, phrase.lower()))
                    self._propose(s, (node, AKG.announcedAt, event), "venue", verb, decision)
                    if date:  # the summit met on the day the agreement was announced there
                        self._propose(s, (event, AKG.date, Literal(date)), "date", verb, decision)
                    for inner in _children(pobj, "prep"):
                        for place in _children(inner, "pobj"):
                            self._place(s, event, place, AKG.venue, verb, decision)
                elif prep.lower_ == "in":
                    self._place(s, node, pobj, SCHEMA_LOCATION, verb, decision)

    def _place(self, s: _Sentence, node: URIRef, token, predicate: URIRef, verb,
               decision: Decision) -> None:
        entity = s.entity.get(token.i)
        if entity is not None and self.gazetteer.is_a(entity, AKG.Place):
            self._propose(s, (node, predicate, entity), "venue", verb, decision)

    # measures -----------------------------------------------------------------
    def _measure(self, s: _Sentence, noun, kind: URIRef) -> None:
        verb = _governing_verb(noun)
        imposers, targets, goods = [], [], []
        for child in noun.children:
            if child.dep_ in ("poss", "compound", "amod", "nmod") and child.i < noun.i:
                found = self._actors(s, child, include_children=True)
                imposers += found
                if not found:
                    goods += self._topics(s, child)
            if child.dep_ == "prep":
                self._on_what(s, child, targets, goods)
            if child.dep_ in ("acl", "relcl") and child.lemma_.lower() in IMPOSE_VERBS:
                # "sanctions imposed by the EU on Russia", "curbs that China introduced"
                for agent in _children(child, "agent"):
                    for pobj in _children(agent, "pobj"):
                        imposers += self._actor_list(s, pobj)
                if child.dep_ == "relcl":
                    for subject in _children(child, "nsubj"):
                        imposers += self._actor_list(s, subject)
                for prep in _children(child, "prep"):
                    self._on_what(s, prep, targets, goods)
        if verb is not None:
            lemma = verb.lemma_.lower()
            if noun.dep_ in ("dobj", "nsubjpass", "pobj") and (lemma in IMPOSE_VERBS or noun.dep_ == "nsubjpass"):
                for subject in _subjects(verb) if noun.dep_ != "nsubjpass" else []:
                    imposers += self._actor_list(s, subject)
                for agent in _children(verb, "agent"):
                    for pobj in _children(agent, "pobj"):
                        imposers += self._actor_list(s, pobj)
                for prep in _children(verb, "prep"):
                    self._on_what(s, prep, targets, goods)
        imposers, targets = _unique(imposers), [t for t in _unique(targets) if t not in imposers]
        if not imposers and not targets:
            previous = self.last.get("measure")
            if _definite_bare(noun) and previous is not None and self.minter.is_a(previous, kind):
                self.at[noun.i] = previous  # "the ban": the one the text just named
                return
            if not goods:
                return
        phrase = _measure_phrase(noun, s)
        named = _measure_phrase(noun, s, keep_actors=True)
        # the text's own words where they name the imposer ("the Dutch licensing
        # regime"), else the imposer's name before them ("China export controls")
        label = named if named != phrase else _measure_label(phrase, imposers, targets, self.gazetteer)
        node = self.minter.mint(label, kind, "measure",
                                phrase_key=(kind, tuple(imposers), tuple(targets), tuple(goods)))
        self._remember("measure", noun, node)
        token = verb if verb is not None and noun.dep_ in ("dobj", "nsubjpass", "pobj") else noun
        decision = decide(token, noun)
        for actor in imposers:
            self._propose(s, (node, AKG.imposedBy, actor), "measure", token, decision)
        for actor in targets:
            self._propose(s, (node, AKG.imposedOn, actor), "measure", token, decision)
        for good in _unique(goods):
            self._propose(s, (node, AKG.concerns, good), "measure", token, decision)
        if verb is not None and noun.dep_ in ("dobj", "nsubjpass", "pobj", "nsubj"):
            self._date(s, node, verb, token, decision)
        self._noun_date(s, node, noun, token, decision)

    def _date(self, s: _Sentence, node: URIRef, verb, token, decision: Decision) -> None:
        for t in _attached(verb):
            if t.ent_type_ == "DATE":
                date = normalise_date(_entity_text(t), self.anchor)
                if date:
                    self._propose(s, (node, AKG.date, Literal(date)), "date", token, decision)
                    return

    def _noun_date(self, s: _Sentence, node: URIRef, noun, token, decision: Decision) -> None:
        """A date in a clause attached to the noun: 'controls, which took effect in
        September 2025', 'the Act, passed in August 2022', 'ban, in force since 2020'."""
        for child in noun.children:
            if child.dep_ in ("acl", "relcl", "appos", "amod", "advcl") or (
                    child.dep_ == "prep" and child.lower_ in ("since", "from")):
                for t in child.subtree:
                    if t.ent_type_ == "DATE":
                        date = normalise_date(_entity_text(t), self.anchor)
                        if date:
                            self._propose(s, (node, AKG.date, Literal(date)), "date", token, decision)
                            return

    def _ban_verb(self, s: _Sentence, verb, kind: URIRef) -> None:
        """'Indonesia banned exports of nickel ore', 'Washington sanctioned Russian banks'."""
        imposers = []
        for subject in _subjects(verb):
            imposers += self._actor_list(s, subject)
        for agent in _children(verb, "agent"):
            for pobj in _children(agent, "pobj"):
                imposers += self._actor_list(s, pobj)
        targets, goods = [], []
        for obj in _children(verb, "dobj") + _children(verb, "nsubjpass"):
            actors = self._actor_list(s, obj)
            if actors and kind == AKG.Sanctions:
                targets += actors
                continue
            for item in [obj, *obj.conjuncts]:
                goods += self._topics(s, item, mint=item.lemma_.lower() not in ("export", "import"))
                for prep in _children(item, "prep"):
                    if prep.lower_ == "of":
                        for inner in _children(prep, "pobj"):
                            for good in [inner, *inner.conjuncts]:
                                goods += self._topics(s, good, mint=True)
        imposers, targets, goods = _unique(imposers), _unique(targets), _unique(goods)
        if not imposers or not (targets or goods):
            return
        what = _labels(targets, self.gazetteer) or ", ".join(
            self.minter.label(g) or self.gazetteer.labels.get(g, "") for g in goods)
        noun = {AKG.TradeBan: "ban", AKG.Sanctions: "sanctions"}.get(kind, "measure")
        label = f"{_labels(imposers, self.gazetteer)} {noun} on {what}".strip()
        node = self.minter.mint(label, kind, "measure",
                                phrase_key=(kind, tuple(imposers), tuple(targets), tuple(goods)))
        self._remember("measure", verb, node)
        decision = decide(verb)
        for actor in imposers:
            self._propose(s, (node, AKG.imposedBy, actor), "measure", verb, decision)
        for actor in targets:
            self._propose(s, (node, AKG.imposedOn, actor), "measure", verb, decision)
        for good in goods:
            self._propose(s, (node, AKG.concerns, good), "measure", verb, decision)
        self._date(s, node, verb, verb, decision)

    def _on_what(self, s: _Sentence, prep, targets: list, goods: list) -> None:
        if prep.lower_ not in ("on", "against", "targeting", "to", "for", "over"):
            return
        for pobj in _children(prep, "pobj"):
            actors = self._actor_list(s, pobj)
            if actors and prep.lower_ in ("on", "against", "targeting"):
                targets += actors
            elif prep.lower_ in ("on", "over", "for"):
                for item in [pobj, *pobj.conjuncts]:
                    goods += self._topics(s, item, mint=prep.lower_ == "on")
                    if prep.lower_ == "on" and item.pos_ == "NOUN":  # "on Russian oil": on Russia
                        targets += [s.entity[c.i] for c in item.children
                                    if c.dep_ in ("amod", "compound", "poss") and c.i in s.entity
                                    and self.gazetteer.is_a(s.entity[c.i], AKG.State)]
                    for sub in item.children:  # "on exports of gallium"
                        if sub.dep_ == "prep" and sub.lower_ == "of":
                            for inner in _children(sub, "pobj"):
                                for good in [inner, *inner.conjuncts]:
                                    goods += self._topics(s, good, mint=True)

    # crises, policies, stances, consequences ------------------------------------
    def _crisis(self, s: _Sentence, verb) -> None:
        subjects = _subjects(verb)
        crisis = None
        for subject in subjects:
            crisis = self._known(s, subject, AKG.Crisis) or self._crisis_node(s, subject)
            if crisis:
                break
        if crisis is None:
            return
        for dobj in _children(verb, "dobj") + [c for p in _children(verb, "prt") for c in p.children]:
            if dobj.lemma_.lower() not in DEPENDENCY_NOUNS and dobj.lower_ not in DEPENDENCY_NOUNS:
                continue
            holders = []
            for child in dobj.children:
                if child.dep_ in ("poss", "compound", "amod"):
                    holders += self._actors(s, child, include_children=True)
            for prep in _children(verb, "prep") + [p for p in _children(s.doc[verb.i].head, "prep") if p.lower_ == "for"]:
                if prep.lower_ == "for":
                    for pobj in _children(prep, "pobj"):
                        holders += self._actor_list(s, pobj)
            on, suppliers = [], []
            for prep in _children(dobj, "prep"):
                if prep.lower_ in ("on", "in", "for"):
                    for pobj in _children(prep, "pobj"):
                        suppliers += [a for a in self._actors(s, pobj, include_children=True)]
                        for item in [pobj, *pobj.conjuncts]:
                            on += self._topics(s, item, mint=True)
            holders = _unique(holders)
            energy = any("energy" in str(t) or "gas" in str(t) or "oil" in str(t) for t in on)
            kind = AKG.EnergyDependence if energy else AKG.SupplyDependency
            label = " ".join(filter(None, [_labels(holders, self.gazetteer), "dependency",
                                           ("on " + ", ".join(self.minter.label(t) or "" for t in on)) if on else ""]))
            risk = self.minter.mint(label, kind, "crisis", phrase_key=(kind, tuple(holders), tuple(on)))
            decision = decide(verb)
            self._propose(s, (risk, AKG.exposedBy, crisis), "crisis", verb, decision)
            for holder in holders:
                self._propose(s, (risk, AKG.facedBy, holder), "crisis", verb, decision)
            for supplier in _unique(suppliers):
                if supplier not in holders:
                    self._propose(s, (risk, AKG.posedBy, supplier), "crisis", verb, decision)
            for topic in _unique(on):
                self._propose(s, (risk, AKG.affects, topic), "crisis", verb, decision)

    def _crisis_node(self, s: _Sentence, token) -> URIRef | None:
        if token.lemma_.lower() not in CRISIS_NOUNS and token.ent_type_ != "EVENT":
            return None
        phrase = _noun_phrase(token, s, keep_names=True)
        if phrase.lower() == token.lower_:
            return None
        return self.minter.mint(phrase, AKG.Crisis, "crisis", phrase_key=(AKG.Crisis, phrase.lower()))

    def _policy(self, s: _Sentence, verb) -> None:
        objects = _children(verb, "dobj") + _children(verb, "nsubjpass")
        if verb.dep_ == "acl":  # "the Inflation Reduction Act, passed by Congress in 2022"
            objects.append(verb.head)
        for obj in objects:
            is_law = obj.ent_type_ == "LAW" or obj.lemma_.lower() in POLICY_NOUNS
            if not is_law or _measure_type(obj) is not None:
                continue
            node = self._known(s, obj, AKG.Policy) or self._policy_node(s, obj)
            if node is None and _definite_bare(obj) and self.last.get("policy"):
                node = self.last["policy"]  # "the act": the one the text just named
            if node is None:
                continue
            self.last["policy"] = node
            self.last["thing"] = node
            self.recent.append((node, frozenset({obj.lemma_.lower()} | {
                w.lower() for w in re.findall(r"[\w-]+", self.minter.label(node) or "")})))
            actors = []
            if obj.dep_ == "dobj" and obj.head == verb:
                for subject in _subjects(verb):
                    actors += self._actor_list(s, subject)
            for agent in _children(verb, "agent"):
                for pobj in _children(agent, "pobj"):
                    actors += self._actor_list(s, pobj)
            decision = decide(verb)
            for actor in _unique(actors):
                self._propose(s, (node, AKG.introducedBy, actor), "policy", verb, decision)
            if actors:
                self._date(s, node, verb, verb, decision)

    def _policy_node(self, s: _Sentence, token) -> URIRef | None:
        phrase = _noun_phrase(token, s, keep_names=True)
        candidate = s.candidate.get(token.i)
        if candidate is not None and candidate.kind == "law" and \
                candidate.surface.lower().endswith(token.lower_):
            phrase = re.sub(r"^the\s+", "", candidate.surface, flags=re.I).strip()
        elif token.ent_type_ == "LAW":  # "the CHIPS and Science Act", "chips" linked or not
            span = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
            if span is not None and span.root == token:
                phrase = re.sub(r"^the\s+", "", span.text, flags=re.I).strip()
        if not _has_name(token) and token.ent_type_ != "LAW":
            return None
        kind = AKG.Legislation if token.lemma_.lower() in ("act", "law", "bill", "regulation", "directive") \
            else AKG.Strategy if token.lemma_.lower() in ("strategy", "doctrine") else AKG.Policy
        return self.minter.mint(phrase, kind, "policy", phrase_key=(kind, phrase.lower()))

    def _stance(self, s: _Sentence, verb, attitude: URIRef) -> None:
        holders = []
        for subject in _subjects(verb):
            holders += self._actor_list(s, subject)
        for agent in _children(verb, "agent"):
            for pobj in _children(agent, "pobj"):
                holders += self._actor_list(s, pobj)
        targets = []
        objects = _children(verb, "dobj") + _children(verb, "nsubjpass")
        objects += [p for prep in _children(verb, "prep") if prep.lower_ in ("about", "against", "of", "to")
                    for p in _children(prep, "pobj")]
        for obj in objects:
            targets += self._targets(s, obj)
        decision = decide(verb)
        for holder in _unique(holders):
            for target in _unique(targets):
                if target == holder:
                    continue
                self._propose_stance(s, holder, attitude, target, verb, decision)

    def _propose_stance(self, s: _Sentence, holder: URIRef, attitude: URIRef, target: URIRef,
                        token, decision: Decision) -> None:
        stance = self.minter.stance(holder, attitude, target)
        for predicate, value in ((AKG.stanceHolder, holder), (AKG.attitude, attitude),
                                 (AKG.stanceTarget, target)):
            self._propose(s, (stance, predicate, value), "stance", token, decision)

    def _stance_noun(self, s: _Sentence, noun, attitude: URIRef) -> None:
        """'Paris has led the opposition to the deal', 'France's objections to the
        pact', 'Tokyo voiced support for the ban'."""
        holders = []
        for child in noun.children:
            if child.dep_ in ("poss", "amod", "compound") and child.i < noun.i:
                holders += self._actors(s, child, include_children=False)
        verb = noun.head if noun.dep_ == "dobj" else None
        if verb is not None and verb.lemma_.lower() in STANCE_HOLDER_VERBS:
            for subject in _subjects(verb):
                holders += self._actor_list(s, subject)
        targets = []
        for prep in _children(noun, "prep"):
            if prep.lower_ in ("to", "for", "of", "against", "over", "about"):
                for pobj in _children(prep, "pobj"):
                    targets += self._targets(s, pobj)
        if attitude == AKG.Support:  # "state support for chipmakers" is a subsidy
            targets = [t for t in targets if not self.gazetteer.is_a(t, AKG.Actor)
                       and not self.minter.is_actor(t)]
        if noun.head.lemma_.lower() in _WITHDRAWING or any(
                c.lower_ in ("little", "no", "scant", "waning", "dwindling") for c in noun.children):
            return  # "dropped its opposition", "support … has collapsed", "little support"
        decision = decide(verb if verb is not None else noun, noun)
        for holder in _unique(holders):
            for target in _unique(targets):
                if target != holder:
                    self._propose_stance(s, holder, attitude, target,
                                         verb if verb is not None else noun, decision)

    def _targets(self, s: _Sentence, token) -> list[URIRef]:
        """What a stance or consequence is about: a node the text names there."""
        found = []
        for item in [token, *token.conjuncts]:
            lemma = item.lemma_.lower()
            if item.i in self.at:  # an agreement or measure read from this very noun
                found.append(self.at[item.i])
            elif item.lower_ in ("it", "them") and self.last.get("thing"):
                found.append(self.last["thing"])
            elif lemma in AGREEMENT_NOUNS and self.last.get("agreement"):
                found.append(self._agreement_target(s, item))
            elif lemma in ("move", "measure", "step", "decision") and _definite_bare(item) \
                    and self.last.get("thing"):
                found.append(self.last["thing"])
            elif lemma in POLICY_NOUNS and _definite_bare(item) and self.last.get("policy"):
                found.append(self.last["policy"])  # "the law", "the act"
            elif (referred := self._refer(item)) is not None:
                found.append(referred)  # "the package", "the dynamic cap"
            else:
                found += self._actors(s, item, include_children=True) or [
                    e for e in [self._known(s, item, AKG.Agreement), self._known(s, item, AKG.Policy)] if e]
        return [f for f in found if f is not None]

    def _agreement_target(self, s: _Sentence, noun) -> URIRef | None:
        known = self._known(s, noun, AKG.Agreement)
        if known:
            return known
        parties = self._parties(s, noun, None)
        if parties:
            return self._agreement_node(s, noun, parties, parties)
        return self.last.get("agreement")

    def _consequence(self, s: _Sentence, verb, predicate: URIRef) -> None:
        things = []
        for subject in _subjects(verb):
            things += self._targets(s, subject)
        things = [t for t in things if not self.gazetteer.is_a(t, AKG.Actor) and not self.minter.is_actor(t)]
        actors = []
        for obj in _children(verb, "dobj"):
            actors += self._actor_list(s, obj)
        if not things and verb.dep_ == "conj":  # "benefits X and harms Y"
            for subject in _subjects(verb.head):
                things += self._targets(s, subject)
        for thing in _unique(things):
            for actor in _unique(actors):
                self._propose(s, (thing, predicate, actor), "consequence", verb)

    def _counter(self, s: _Sentence, verb) -> None:
        agreements = []
        head = verb
        for _ in range(4):  # "a pact aimed at countering China": up to the noun
            if head.lemma_.lower() in AGREEMENT_NOUNS:
                agreements.append(self._agreement_target(s, head))
                break
            for subject in _subjects(head) + _children(head, "nsubjpass"):
                agreements += [t for t in self._targets(s, subject) if t and not self.gazetteer.is_a(t, AKG.Actor)]
            if agreements or head.head == head:
                break
            head = head.head
        actors = []
        for obj in _children(verb, "dobj"):  # "countering China", "China's influence"
            actors += self._actors(s, obj, include_children=True) or [
                s.entity[c.i] for c in obj.children if c.dep_ in ("poss", "amod", "compound")
                and c.i in s.entity and self.gazetteer.is_a(s.entity[c.i], AKG.Actor)]
        for agreement in _unique(a for a in agreements if a):
            for actor in _unique(actors):
                self._propose(s, (agreement, AKG.counterbalances, actor), "consequence", verb)

    def _ties(self, s: _Sentence, verb) -> None:
        if not any(o.lemma_.lower() in TIE_NOUNS or o.lower_ in TIE_NOUNS for o in _children(verb, "dobj")):
            return
        actors = []
        for subject in _subjects(verb):
            actors += self._actor_list(s, subject)
        for obj in _children(verb, "dobj"):
            for prep in _children(obj, "prep"):
                if prep.lower_ in ("with", "between"):
                    for pobj in _children(prep, "pobj"):
                        actors += self._actor_list(s, pobj)
        actors = _unique(actors)
        for i, a in enumerate(actors):
            for b in actors[i + 1:]:
                self._propose(s, (a, AKG.partnerOf, b), "partnership", verb)

    # membership ---------------------------------------------------------------
    def _membership_verb(self, s: _Sentence, verb) -> None:
        lemma = verb.lemma_.lower()
        if lemma in ("join", "accede"):
            objects = _children(verb, "dobj") + [p for prep in _children(verb, "prep") if prep.lower_ == "to"
                                                 for p in _children(prep, "pobj")]
            for obj in objects:
                org = self._organisation(s, obj)
                if org is None:
                    continue
                for subject in _subjects(verb):
                    for actor in self._actor_list(s, subject):
                        self._propose(s, (actor, AKG.memberOf, org), "membership", verb)
        elif lemma in MEMBER_VERBS:  # "Mercosur, which groups Brazil, Argentina …"
            orgs = []
            for subject in _subjects(verb):
                if subject.lower_ in ("which", "that", "who") and verb.dep_ == "relcl":
                    orgs.append(self._organisation(s, verb.head))
                elif subject.lemma_.lower() == "member":  # "whose / its / the bloc's members include"
                    for poss in _children(subject, "poss"):
                        if poss.lower_ == "whose" and verb.dep_ == "relcl":
                            owner = verb.head
                            orgs += [self._organisation(s, owner)] + (
                                [self._organisation(s, owner.head)] if owner.dep_ == "appos" else [])
                        elif poss.lower_ in _PRONOUN_POSSESSIVES:
                            orgs.append(self.last.get("organisation"))
                        else:
                            orgs.append(self._organisation(s, poss))
                else:
                    orgs.append(self._organisation(s, subject))
            members = []
            for obj in _children(verb, "dobj"):
                members += self._actor_list(s, obj)
            for org in filter(None, orgs):
                for member in _unique(members):
                    self._propose(s, (member, AKG.memberOf, org), "membership", verb)

    def _member_noun(self, s: _Sentence, noun) -> None:
        orgs = [self._organisation(s, p) for prep in _children(noun, "prep") if prep.lower_ == "of"
                for p in _children(prep, "pobj")]
        orgs += [self._organisation(s, c) for c in noun.children if c.dep_ == "poss"]
        orgs += [self._organisation(s, c) for c in noun.children  # "Mercosur members A and B"
                 if c.dep_ == "compound" and c.i == noun.i - 1 and any(a.dep_ == "appos" for a in noun.children)]
        relative = noun.head if noun.dep_ == "nsubj" and noun.head.lemma_ == "be" else None
        if any(c.lower_ == "whose" for c in noun.children) and relative is not None \
                and relative.dep_ == "relcl":
            owner = relative.head  # "the bloc whose members are …": the bloc, or what it is
            owners = [owner] + ([owner.head] if owner.dep_ == "appos" else [])
            orgs += [self._organisation(s, o) for o in owners]
        if any(c.lower_ in _NOT_YET_MEMBERS for c in noun.children if c.dep_ in ("amod", "compound")):
            return  # "a prospective member", "a candidate member", "an observer member"
        admitting = noun.head.head if noun.dep_ == "pobj" and noun.head.lower_ == "as" and \
            noun.head.head.lemma_.lower() in ("admit", "accept", "welcome") else None
        if admitting is not None:  # "Y admitted X as a full member"
            orgs += [self._organisation(s, t) for t in _subjects(admitting)]
        orgs = [o for o in orgs if o is not None]
        if not orgs:
            return
        members = []
        if admitting is not None:
            for obj in _children(admitting, "dobj"):
                members += self._actor_list(s, obj)
        if relative is not None:  # "its members are A, B and C"
            for attr in _children(relative, "attr"):
                members += self._actor_list(s, attr)
        if noun.dep_ == "appos":  # "Kazakhstan, a member of the EAEU, …"
            members += self._actor_list(s, noun.head)
        elif noun.dep_ in ("attr",):  # "X is a member of Y"
            for subject in _subjects(noun.head):
                members += self._actor_list(s, subject)
        elif noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lower_ == "one" \
                and noun.head.head.dep_ == "attr":  # "X is one of the founding members of Y"
            for subject in _subjects(noun.head.head.head):
                members += self._actor_list(s, subject)
        for child in noun.children:  # "members Brazil, Argentina and Uruguay"
            if child.dep_ in ("appos", "dobj"):
                members += self._actor_list(s, child)
        predicate_token = noun.head if noun.dep_ == "attr" else admitting if admitting is not None else noun
        decision = decide(predicate_token, noun)
        for org in orgs:
            for member in _unique(members):
                self._propose(s, (member, AKG.memberOf, org), "membership", predicate_token, decision)

    def _organisation(self, s: _Sentence, token) -> URIRef | None:
        entity = s.entity.get(token.i)
        if entity is not None and self.gazetteer.is_a(entity, AKG.Organisation):
            return entity
        if token.lower_ in ANAPHORA and self.last.get("organisation"):
            return self.last["organisation"]
        candidate = s.candidate.get(token.i)
        if candidate is not None and _AGREEMENT_NAME.search(candidate.surface):
            return None
        if candidate is not None and (candidate.kind == "organisation" or (
                candidate.kind == "place" and _looks_like_bloc(candidate.surface))):
            node = self.minter.mint(candidate.surface, AKG.Bloc if _looks_like_bloc(candidate.surface)
                                    else AKG.Organisation, "membership",
                                    phrase_key=(AKG.Organisation, candidate.surface.lower()))
            self.last["organisation"] = node
            return node
        return None

    # resolving noun phrases to entities -----------------------------------------
    def _actor_list(self, s: _Sentence, token) -> list[URIRef]:
        found = []
        for item in [token, *token.conjuncts]:
            found += self._actors(s, item, include_children=True)
        for child in token.children:  # "the three members, Brazil, Argentina and Uruguay"
            if child.dep_ == "appos":
                for item in [child, *child.conjuncts]:
                    found += self._actors(s, item, include_children=False)
        return _unique(found)

    def _actors(self, s: _Sentence, token, *, include_children: bool) -> list[URIRef]:
        entity = s.entity.get(token.i)
        if entity is not None and (self.gazetteer.is_a(entity, AKG.Actor)):
            return [entity]
        if token.lower_ in ANAPHORA and self.last.get("organisation") and any(
                c.lower_ == "the" for c in token.children):
            return [self.last["organisation"]]
        candidate = s.candidate.get(token.i)
        if candidate is not None and _AGREEMENT_NAME.search(candidate.surface):
            return []  # "the Comprehensive Economic Partnership Agreement" is no party
        government = self._government(s, token, candidate)
        if government is not None:
            return [government]
        if candidate is not None and (candidate.kind in ("organisation", "state") or (
                candidate.kind == "place" and _looks_like_bloc(candidate.surface))):
            return [self._organisation(s, token)]
        if include_children and token.lower_ in INDUSTRY_NOUNS:
            group = self._industry_group(s, token)
            if group is not None:
                return [group]
        if include_children and (token.lemma_.lower() in GOVERNMENT_NOUNS or token.pos_ in ("NOUN", "PROPN")):
            found = []
            for child in token.children:
                if child.dep_ in ("poss", "compound", "amod", "nmod"):
                    entity = s.entity.get(child.i)
                    if entity is not None and self.gazetteer.is_a(entity, AKG.Actor):
                        found.append(entity)
            if found and (token.lemma_.lower() in GOVERNMENT_NOUNS or token.dep_ in ("nsubj", "agent", "pobj")):
                return found[:1] if token.lemma_.lower() in GOVERNMENT_NOUNS else []
        return []

    def _government(self, s: _Sentence, token, candidate) -> URIRef | None:
        """A state's government body acts for the state: "Japan's Ministry of Economy,
        Trade and Industry", "its Treasury Department" (its: the last state the
        sentence names before it)."""
        if candidate is None or not _GOVERNMENT_NAME.search(candidate.surface):
            return None
        first = min((t for t in s.doc if s.candidate.get(t.i) is candidate), key=lambda t: t.i)
        for child in [*token.children, *first.children]:
            if child.dep_ != "poss":
                continue
            entity = s.entity.get(child.i)
            if entity is not None and self.gazetteer.is_a(entity, AKG.State):
                return entity
            if child.lower_ in _PRONOUN_POSSESSIVES:
                before = [s.entity[t.i] for t in s.doc[:child.i] if t.i in s.entity
                          and self.gazetteer.is_a(s.entity[t.i], AKG.State)]
                return before[-1] if before else None
        return None

    def _industry_group(self, s: _Sentence, token) -> URIRef | None:
        """'French farmers', 'South Korean battery makers': an industry group."""
        modifiers = [c for c in token.lefts if c.dep_ in ("amod", "compound", "poss")]
        if not any(c.i in s.entity and self.gazetteer.is_a(s.entity[c.i], AKG.Actor) for c in modifiers):
            return None
        start = min(c.left_edge.i for c in modifiers)
        phrase = s.doc[start:token.i + 1].text.removeprefix("the ").strip()
        return self.minter.mint(phrase, AKG.IndustryGroup, "actor",
                                phrase_key=(AKG.IndustryGroup, phrase.lower()))

    def _topics(self, s: _Sentence, token, *, mint: bool = False) -> list[URIRef]:
        entity = s.entity.get(token.i)
        if entity is not None and self.gazetteer.is_a(entity, AKG.Topic):
            return [entity]
        if mint and (token.pos_ == "NOUN" or (token.pos_ == "PROPN" and token.is_lower)) \
                and token.lemma_.lower() not in GOVERNMENT_NOUNS \
                and token.lemma_.lower() not in ("export", "exports", "import", "imports"):
            phrase = _noun_phrase(token, s)
            return [self.minter.mint(phrase.lower(), AKG.CriticalGood, "measure",
                                     phrase_key=(AKG.Topic, phrase.lower()))]
        return []

    def _known(self, s: _Sentence, token, cls: URIRef) -> URIRef | None:
        entity = s.entity.get(token.i)
        if entity is not None and (self.gazetteer.is_a(entity, cls) or self.minter.is_a(entity, cls)):
            return entity
        return None


# -- small helpers over spaCy tokens ------------------------------------------------
def _children(token, dep: str) -> list:
    return [c for c in token.children if c.dep_ == dep]


def _subjects(verb) -> list:
    found = _children(verb, "nsubj")
    head = verb
    while not found and head.dep_ in ("xcomp", "conj", "advcl", "ccomp") and head.head != head:
        head = head.head  # "X plans to sign", "X met and signed"
        found = _children(head, "nsubj")
    if not found and verb.dep_ == "relcl":
        found = [verb.head]
    return found


def _governing_verb(noun):
    head = noun
    for _ in range(3):
        if head.dep_ in ("dobj", "nsubjpass", "nsubj", "attr", "pobj", "appos", "conj", "compound", "prep"):
            head = head.head
            if head.pos_ in ("VERB", "AUX"):
                return head
        else:
            break
    return None


def _is_object_of(noun, verb) -> bool:
    node = noun
    for _ in range(3):
        if node.head == verb:
            return node.dep_ in ("dobj", "nsubjpass", "attr", "pobj", "nsubj") or (
                node.dep_ == "prep" and node.lower_ in ("in", "to", "into") and verb.lemma_.lower() == "join")
        if node.dep_ in ("conj", "pobj", "prep", "compound"):
            node = node.head
        else:
            return False
    return False


def _attached(verb) -> list:
    found = []
    for child in verb.children:
        if child.dep_ == "prep":
            found += [p for p in child.children if p.dep_ == "pobj"]
        elif child.dep_ in ("npadvmod", "tmod"):
            found.append(child)
    return found


def _entity_text(token) -> str:
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent.text
    return token.text


def _measure_type(token) -> URIRef | None:
    lemma = token.lower_
    phrase = " ".join([c.lower_ for c in token.lefts if c.dep_ in ("compound", "amod")] + [lemma])
    for words, kind in MEASURES:
        if phrase.endswith(words):
            return kind
    return None


def _noun_phrase(noun, s: _Sentence, *, keep_names: bool = False, keep_actors: bool = False) -> str:
    """The noun with its compounds and adjectives, without determiners and possessors."""
    left = [t for t in noun.subtree if t.i < noun.i and t.dep_ in ("compound", "amod", "nmod", "nummod", "punct", "npadvmod")
            and t.head.i <= noun.i]
    start = noun.i
    for token in reversed(left):
        if token.i == start - 1 and not token.is_punct or (token.is_punct and token.text in "-–—" and token.i == start - 1):
            start = token.i
    if keep_names:  # a coordinated name: "the CHIPS and Science Act"
        for child in noun.lefts:
            if child.dep_ in ("compound", "nmod") and child.pos_ == "PROPN" and \
                    any(c.dep_ == "conj" for c in child.children):
                start = min(start, child.left_edge.i)
    if not keep_names and not keep_actors:
        while start < noun.i and s.entity.get(start) is not None and \
                (s.gazetteer.is_a(s.entity[start], AKG.Actor)):
            start += 1  # the parties are in the label anyway
    words = s.doc[start:noun.i + 1].text
    right = []
    if keep_names:
        for child in noun.rights:
            if child.dep_ == "prep" and child.lower_ in ("of",) and child.i == noun.i + 1:
                right.append(s.doc[child.i:child.right_edge.i + 1].text)
            break
    return re.sub(r"\s+", " ", " ".join([words, *right])).strip(" -–—'’\"“”")


def _definite_bare(noun) -> bool:
    """'the ban', 'these measures', 'the move': a definite noun with no modifier."""
    determiners = {c.lower_ for c in noun.children if c.dep_ == "det"}
    modified = any(c.dep_ in ("compound", "amod", "poss", "prep", "acl", "relcl", "nmod")
                   for c in noun.children)
    return bool(determiners & {"the", "this", "these", "those", "that"}) and not modified


def _measure_phrase(noun, s: _Sentence, *, keep_actors: bool = False) -> str:
    """The measure as the text names it, with what it is on: 'ban on exports of
    unprocessed nickel ore' (at most eight words after the noun); with
    ``keep_actors`` the names of actors before it stay ('Dutch licensing regime')."""
    phrase = _noun_phrase(noun, s, keep_actors=keep_actors)
    head = noun.head.head if noun.dep_ == "pobj" and noun.head.lower_ == "of" else None
    if head is not None and head.lemma_.lower() in _BATCH_NOUNS:
        phrase = f"{_noun_phrase(head, s)} of {phrase}"  # "20th package of sanctions"
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ in ("on", "against", "of") and child.i == noun.i + 1:
            end = min(child.right_edge.i, child.i + 8)
            return f"{phrase} {s.doc[child.i:end + 1].text}".strip()
    return phrase


_BATCH_NOUNS = {"package", "round", "set", "wave", "raft", "batch", "series", "tranche", "slate"}


_TRADE_WORDS = re.compile(r"\b(trade|fta|free-trade|economic partnership agreement|cepa|customs union)\b")
_SECURITY_WORDS = re.compile(r"\b(security|defen[cs]e|military|mutual|maritime|alliance)\b")


def _agreement_kind(noun, phrase: str) -> URIRef:
    """The most specific type the words support: a trade agreement when they say trade,
    an alliance when the noun is one or a pact or treaty is about security or defence,
    else an agreement (a "partnership", "dialogue" or "corridor" is not evidence of more)."""
    text = phrase.lower()
    if _TRADE_WORDS.search(text):
        return AKG.TradeAgreement
    lemma = noun.lemma_.lower()
    if lemma == "alliance" or (lemma in ("pact", "treaty", "accord", "partnership")
                               and _SECURITY_WORDS.search(text)):
        return AKG.Alliance
    return AKG.Agreement


def _as_decided(status: URIRef, decision: Decision) -> URIRef:
    """The status the clause supports: speculative when hedged (foreseen by the source,
    no step taken), proposed when only intended or in the future."""
    if decision.modality == AKG.Speculation:
        return AKG.Speculative
    if decision.future and status in (AKG.Launched, AKG.Concluded, AKG.InForce):
        return AKG.Proposed
    return status


def _proper_name(noun) -> str | None:
    """The name a proper-noun head closes: the run of capitalised words and dashes
    before it ("India–Middle East–Europe Economic Corridor"); None for a single word
    or when the head is not a proper noun."""
    if noun.pos_ != "PROPN" or not noun.text[:1].isupper():
        return None
    start = noun.i
    while start > 0:
        before = noun.doc[start - 1]
        if before.lower_ in STATUS_VERBS or before.lemma_.lower() in STATUS_VERBS:
            break  # a headline's "Vietnam, Japan Sign Landmark Minerals Pact"
        if (before.pos_ == "PROPN" and before.text[:1].isupper()) or (
                before.text in "-–—" and start - 2 >= 0 and noun.doc[start - 2].pos_ == "PROPN"):
            start -= 1
        else:
            break
    if start == noun.i:
        return None
    return noun.doc[start:noun.i + 1].text


def _has_name(token) -> bool:
    return token.pos_ == "PROPN" or any(t.pos_ == "PROPN" for t in token.lefts)


def _party_label(parties: list[URIRef], gazetteer: Gazetteer, phrase: str) -> str:
    names = "–".join(gazetteer.labels.get(p, str(p).rsplit("/", 1)[-1]) for p in parties)
    return f"{names} {phrase}".strip() if names else phrase


def _labels(entities: list[URIRef], gazetteer: Gazetteer) -> str:
    return "–".join(gazetteer.labels.get(e, str(e).rsplit("/", 1)[-1]) for e in entities)


def _measure_label(phrase: str, imposers: list[URIRef], targets: list[URIRef],
                   gazetteer: Gazetteer) -> str:
    label = " ".join(filter(None, [_labels(imposers, gazetteer), phrase]))
    named = {gazetteer.labels.get(t, "\0") for t in targets} | {
        demonym for demonym, entity in gazetteer.demonyms.items() if entity in targets}
    if targets and not any(re.search(rf"\b{re.escape(n)}\b", phrase) for n in named):
        return f"{label} on {_labels(targets, gazetteer)}"
    return label


def _looks_like_bloc(name: str) -> bool:
    return name.isupper() or name in ("Mercosur", "ECOWAS", "Comesa") or any(
        w in name for w in ("Union", "Community", "Association", "Cooperation Council"))


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if item is not None and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _anchor(published: str | None) -> tuple[int, int, int] | None:
    found = re.fullmatch(r"((?:19|20)\d{2})-(\d{2})-(\d{2})", str(published or "").strip())
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def normalise_date(text: str, anchor: tuple[int, int, int] | None = None) -> str | None:
    """'3 March 2025', 'March 3, 2025', 'Sept. 5, 2025', 'September 2025', '2025' → ISO
    8601 (partial). With ``anchor`` (the publication date as year, month, day), dates
    without a year are read as the last such date on or before it — "last July", "10
    February", "in March" — and "last year", "this year" as years; the future ("next
    year", a month still ahead) is left without a date rather than guessed. A day is
    kept only when it stands next to its month and exists."""
    lowered = text.lower().replace(",", " ")
    year = re.search(r"\b(19|20)\d{2}\b", lowered)
    found = next(((n, m) for name, n in _MONTHS.items()
                  for m in [re.search(rf"\b{name[:3]}[a-z]*\.?(?=\s|$)", lowered)]
                  if m and name.startswith(m.group(0).rstrip(".")[:len(name)])), None)
    month = found[0] if found else None
    day = None
    if found is not None:
        around = re.search(rf"(?:\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{re.escape(found[1].group(0))})|"
                           rf"(?:{re.escape(found[1].group(0))}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b)", lowered)
        if around:
            day = int(around.group(1) or around.group(2))
    if not year:
        if anchor is None or re.search(r"\b(next|coming|following)\b", lowered):
            return None
        if month is None:
            if re.search(r"(?<!the )\blast year\b", lowered):
                return str(anchor[0] - 1)
            if re.search(r"\bthis year\b", lowered):
                return str(anchor[0])
            return None
        last = "last" in lowered.split()
        if not last and (month < anchor[1] or (month == anchor[1] and (day or 1) <= anchor[2])):
            when = anchor[0]
        elif last:
            when = anchor[0] if month < anchor[1] else anchor[0] - 1
        else:
            return None  # still ahead of the publication date
    else:
        when = int(year.group(0))
        if month is None:
            return year.group(0)
    if day is not None and _real_day(when, month, day):
        return f"{when}-{month:02d}-{day:02d}"
    return f"{when}-{month:02d}"


def _real_day(year: int, month: int, day: int) -> bool:
    import datetime

    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True
