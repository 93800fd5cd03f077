"""What can be told about a SPARQL text without parsing it: the nesting depth, the
query form, whether SERVICE occurs, and where the dataset clauses (FROM, FROM NAMED)
are. One scanner, aware of strings (short and long), IRIs and comments, so that a
keyword inside ``"…"``, ``<…>`` or after ``#`` never counts.

These checks run before a query reaches any store; where they find something that
needs a real parse (a SERVICE, a FROM), the caller parses with rdflib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')  # SPARQL 1.1 grammar [139]
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@dataclass(frozen=True)
class Token:
    """A bracket, an IRI, or a bare word (keyword, prefixed-name part, variable name)."""

    kind: str  # "open", "close", "iri", "word"
    text: str
    start: int
    end: int
    after: str = ""  # for words: the character just before them (":", "?", "$" mean not a keyword)


def tokens(text: str):
    """Brackets, IRIs and words outside strings and comments, in order."""
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end + 1
        elif char in "\"'":
            index = _string_end(text, index)
        elif char == "<":
            match = _IRIREF.match(text, index)
            if match:
                yield Token("iri", match.group(), index, match.end())
                index = match.end()
            else:
                index += 1  # the less-than operator
        elif char in "{([":
            yield Token("open", char, index, index + 1)
            index += 1
        elif char in "})]":
            yield Token("close", char, index, index + 1)
            index += 1
        else:
            match = _WORD.match(text, index) if char.isalpha() or char == "_" else None
            if match:
                yield Token("word", match.group(), index, match.end(),
                            text[index - 1] if index else "")
                index = match.end()
            else:
                index += 1


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    if text.startswith(quote * 3, start):  # a long string: ends at the next unescaped triple
        index = start + 3
        while index < len(text):
            if text[index] == "\\":
                index += 2
            elif text.startswith(quote * 3, index):
                return index + 3
            else:
                index += 1
        return len(text)
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text[index] == quote or text[index] == "\n":
            return index + 1
        else:
            index += 1
    return len(text)


def _keywords(text: str):
    for token in tokens(text):
        if token.kind == "word" and token.after not in (":", "?", "$", "@") \
                and not text.startswith(":", token.end):
            yield token


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    for token in tokens(text):
        if token.kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "close":
            depth = max(0, depth - 1)
    return deepest


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword; None for anything
    else (an update, or not SPARQL)."""
    for token in _keywords(text):
        word = token.text.upper()
        if word in _FORMS:
            return word
        if word not in ("PREFIX", "BASE"):
            return None
    return None


def mentions_service(text: str) -> bool:
    """Whether the keyword SERVICE occurs (then the caller parses to find the endpoints)."""
    return any(t.text.upper() == "SERVICE" for t in _keywords(text))


def dataset_clause_spans(text: str) -> list[tuple[int, int]]:
    """Where each ``FROM [NAMED] iri`` is, as (start, end) offsets, so that a store
    that lets clauses win over the protocol's graph parameters can be given the query
    without them (SPARQL 1.1 Protocol §2.1.4 says the parameters win)."""
    spans, pending = [], None
    for token in tokens(text):
        keyword = token.kind == "word" and token.after not in (":", "?", "$", "@")
        if pending is None:
            if keyword and token.text.upper() == "FROM" and not text.startswith(":", token.end):
                pending = token.start
            continue
        if keyword and token.text.upper() == "NAMED" and not text.startswith(":", token.end):
            continue
        end = token.end
        if token.kind == "word" and text.startswith(":", token.end):  # prefix:local
            match = re.compile(r":[^\s{}()\[\]<>]*").match(text, token.end)
            end = match.end() if match else token.end
        elif token.kind == "word" and token.after == ":":  # :local
            pass
        spans.append((pending, end))
        pending = None
    return spans
