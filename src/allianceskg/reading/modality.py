"""Modality decided on the whole clause: reported, assessed, speculated, or not stated.

Input: the spaCy token of a predicate (the verb or noun a relation was read from).
Output: a :class:`Decision`. The clause and every clause above it up to the root of
the sentence are examined, so that "It is unlikely that India and the EU will sign a
trade agreement" is decided by "unlikely", and "Reports that Indonesia and the EU
signed a nickel deal were denied" by "denied":

- negation ("has not signed", "never joined") and denial ("reports … were denied",
  "denied that …") — the fact is **not stated** (``modality`` is None);
- hedges (may, might, could, would, likely, unlikely, possible, is expected to,
  reportedly, hinted), conditions (if, unless) and media reports ("newspapers reported
  that …") — a **speculation**;
- future and intention (will, plans to, intends to, aims to, is set to, agreed to) —
  reported as a plan: the agreement's status is *proposed*, never concluded;
- attribution (officials argue, Brussels says, according to) — the **speaker's
  assessment**, with the speaker recorded.

The words are data (the sets below), the walk is the same for every relation.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from allianceskg.vocab import AKG

HEDGE_AUX = {"may", "might", "could", "would", "should"}
FUTURE_AUX = {"will", "shall", "'ll"}
HEDGE_ADVERBS = {"reportedly", "possibly", "perhaps", "probably", "likely", "potentially",
                 "allegedly", "apparently", "conceivably", "maybe", "supposedly"}
HEDGE_ADJECTIVES = {"likely", "unlikely", "possible", "probable", "uncertain", "doubtful",
                    "conceivable", "plausible", "poised", "unclear"}
NEGATIVE_HEDGES = {"unlikely", "doubtful", "uncertain", "unclear"}
HEDGE_VERBS = {"hint", "suggest", "signal", "speculate", "rumour", "rumor", "float",
               "mull", "consider", "explore", "weigh", "expect"}
INTENT_VERBS = {"plan", "intend", "aim", "seek", "hope", "want", "set", "prepare", "agree",
                "propose", "pledge", "promise", "vow", "push", "look", "move", "try", "offer",
                "threaten", "go", "due"}
DENIAL_VERBS = {"deny", "dismiss", "refute", "reject", "rebut", "debunk"}
DENIABLE_NOUNS = {"report", "reports", "claim", "claims", "rumour", "rumours", "rumor",
                  "rumors", "speculation", "suggestion", "suggestions", "allegation"}
REPORTING_VERBS = {"say", "argue", "claim", "believe", "insist", "contend", "assert",
                   "think", "note", "stress", "maintain", "fear", "predict", "estimate",
                   "allege", "acknowledge", "tell", "state", "add", "told", "warn", "caution",
                   "point", "emphasise", "emphasize", "reckon", "suspect", "worry"}
CONDITION_MARKS = {"if", "unless", "provided", "should"}
# A fact read from a noun is hedged by the noun's own words: "a tariff floated by state
# media", "possible sanctions", "the rumoured deal" …
NOUN_HEDGE_VERBS = {"float", "moot", "rumour", "rumor", "suggest", "speculate", "consider",
                    "discuss", "mull", "weigh", "threaten"}
NOUN_HEDGE_ADJECTIVES = {"possible", "potential", "likely", "rumoured", "rumored", "mooted",
                         "floated", "prospective", "hypothetical", "putative", "alleged",
                         "threatened", "speculative"}
# … and negated when what it is "has not materialised", "never happened".
EXISTENCE_VERBS = {"materialise", "materialize", "happen", "occur", "exist", "emerge",
                   "arrive", "eventuate", "transpire"}
# "declined to admit", "failed to sign", "refused to join": the complement did not happen.
REFUSAL_VERBS = {"decline", "refuse", "fail", "veto", "reject", "balk", "neglect"}
# "Newspapers reported that …": what the media report, unconfirmed, is hearsay.
HEARSAY_VERBS = {"report", "claim", "allege", "rumour", "rumor"}
MEDIA_NOUNS = {"newspaper", "newspapers", "media", "press", "outlet", "outlets", "reports",
               "report", "sources", "source", "tabloid", "tabloids", "broadcaster",
               "broadcasters", "daily", "dailies", "reporters"}


@dataclass(frozen=True)
class Decision:
    """What the clause makes of a fact read from it."""

    modality: URIRef | None  # None: the text does not state it (negated or denied)
    future: bool = False
    speaker: str | None = None
    reason: str = ""

    @property
    def stated(self) -> bool:
        return self.modality is not None


def decide(token, about=None) -> Decision:
    """The modality of a fact whose predicate is ``token`` (a spaCy Token); ``about``,
    the noun the fact was read from when it is not ``token`` ("possible sanctions were
    discussed"), is hedged by its own modifiers too."""
    hedge, future, speaker = None, False, None
    if about is not None and about is not token:
        negated = _negated(about, None)  # "No agreement was signed"
        if negated:
            return Decision(None, reason=negated)
        hedge = _hedge(about, None)
    node, child = token, None
    for _ in range(12):
        negated = _negated(node, child)
        if negated:
            return Decision(None, reason=negated)
        denial = _denied(node, child)
        if denial:
            return Decision(None, reason=denial)
        hedge = hedge or _hedge(node, child)
        future = future or _future(node, child)
        speaker = speaker or _speaker(node, child)
        if node.head == node:
            break
        node, child = node.head, node
    if hedge:
        return Decision(AKG.Speculation, future=future, speaker=speaker, reason=hedge)
    if speaker:
        return Decision(AKG.AuthorAssessment, future=future, speaker=speaker,
                        reason=f"attributed to {speaker}")
    return Decision(AKG.ReportedFact, future=future,
                    reason="future or intention" if future else "reported")


def _children(node, dep: str) -> list:
    return [c for c in node.children if c.dep_ == dep]


def _negated(node, child) -> str | None:
    if child is not None and child.dep_ not in ("xcomp", "ccomp", "conj", "advcl", "acl",
                                                "relcl", "aux", "auxpass", "dobj", "pobj",
                                                "prep", "attr", "nsubj", "nsubjpass", "acomp"):
        return None
    if child is not None and child.dep_ == "xcomp" and node.lemma_.lower() in REFUSAL_VERBS:
        return f"refused ({node.text!r})"
    if child is not None and child.dep_ in ("nsubj", "nsubjpass") and child.pos_ == "NOUN" and \
            node.lemma_.lower() in EXISTENCE_VERBS and \
            not any(c.dep_ in ("xcomp", "acomp", "ccomp") for c in node.children):
        for neg in _children(node, "neg"):  # "the tariff has not materialised"
            return f"negated by {neg.text!r} ({node.text!r})"
    if child is not None and child.dep_ in ("nsubj", "nsubjpass", "pobj", "prep", "dobj"):
        return None  # "X has not signed" negates the verb, not its arguments' other facts
    for neg in _children(node, "neg"):
        if neg.lower_ in ("not", "n't", "never", "no"):
            return f"negated by {neg.text!r}"
    for det in _children(node, "det"):
        if det.lower_ == "no" and node.pos_ == "NOUN":
            return f"negated by {det.text!r}"
    return None


def _denied(node, child) -> str | None:
    if node.lemma_.lower() in DENIAL_VERBS and child is not None \
            and child.dep_ in ("ccomp", "dobj", "nsubjpass", "xcomp"):
        return f"denied ({node.text!r})"
    if node.lower_ in DENIABLE_NOUNS and node.head.lemma_.lower() in DENIAL_VERBS:
        return f"denied ({node.head.text!r} {node.text!r})"
    return None


def _hedge(node, child) -> str | None:
    if child is None and node.pos_ in ("NOUN", "PROPN"):  # the noun a fact was read from
        for modifier in node.children:
            if modifier.dep_ in ("acl", "relcl") and modifier.lemma_.lower() in NOUN_HEDGE_VERBS:
                return f"hedged by {modifier.text!r}"
            if modifier.dep_ == "amod" and modifier.lower_ in NOUN_HEDGE_ADJECTIVES:
                return f"hedged by {modifier.text!r}"
    for aux in _children(node, "aux") + _children(node, "auxpass"):
        if aux.lower_ in HEDGE_AUX:
            return f"hedged by {aux.text!r}"
    for adverb in _children(node, "advmod"):
        if adverb.lower_ in HEDGE_ADVERBS:
            return f"hedged by {adverb.text!r}"
    for adjective in _children(node, "acomp") + ([node] if node.pos_ == "ADJ" else []):
        if adjective.lower_ in HEDGE_ADJECTIVES:
            return f"hedged by {adjective.text!r}"
    if node.lemma_.lower() in HEARSAY_VERBS and child is not None and child.dep_ == "ccomp" \
            and any(subject.lower_ in MEDIA_NOUNS for subject in _children(node, "nsubj")):
        return f"reported by the media ({node.text!r})"
    if node.lemma_.lower() in HEDGE_VERBS and child is not None \
            and child.dep_ in ("xcomp", "ccomp", "dobj"):
        if node.lemma_.lower() == "expect" and not _children(node, "auxpass") \
                and not any(c.dep_ == "nsubjpass" for c in node.children) and child.dep_ == "dobj":
            return None
        return f"hedged by {node.text!r}"
    if child is not None and child.dep_ == "advcl":
        return None
    for mark in _children(node, "mark"):
        if mark.lower_ in CONDITION_MARKS and node.dep_ == "advcl":
            return f"conditional ({mark.text!r})"
    for clause in _children(node, "advcl"):
        if any(m.lower_ in CONDITION_MARKS for m in _children(clause, "mark")):
            return f"conditional ({clause.text!r} clause)"
    return None


def _future(node, child) -> bool:
    if any(a.lower_ in FUTURE_AUX for a in _children(node, "aux")):
        return True
    if child is not None and child.dep_ in ("xcomp", "ccomp") \
            and node.lemma_.lower() in INTENT_VERBS:
        return True
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children) and \
        node.dep_ == "xcomp" and node.head.lemma_.lower() in INTENT_VERBS


def _speaker(node, child) -> str | None:
    if child is not None and node.lemma_.lower() in REPORTING_VERBS \
            and child.dep_ in ("ccomp", "parataxis"):
        subjects = _children(node, "nsubj")
        if subjects:
            return _phrase(subjects[0])
    if node.lower_ == "according" or (node.lower_ == "to" and node.head.lower_ == "according"):
        for pobj in (_children(node, "pobj") or [c for p in _children(node, "prep")
                                                 for c in _children(p, "pobj")]):
            return _phrase(pobj)
    for prep in _children(node, "prep"):
        if prep.lower_ == "according":
            for to in _children(prep, "prep"):
                for pobj in _children(to, "pobj"):
                    return _phrase(pobj)
    return None


def _phrase(token, longest: int = 8) -> str:
    """The speaker's noun phrase as written ("people familiar with the talks"), without
    a leading determiner or trailing punctuation; just the head word's left part when
    the phrase runs longer than ``longest`` tokens."""
    doc = token.doc
    left, right = token.left_edge.i, token.right_edge.i
    if right - left >= longest:
        right = token.i
    while left < right and (doc[left].dep_ == "det" or doc[left].is_punct):
        left += 1
    while right > left and doc[right].is_punct:
        right -= 1
    return doc[left:right + 1].text.strip() or token.text
