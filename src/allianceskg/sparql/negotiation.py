"""Content negotiation for SPARQL responses (SPARQL 1.1 Protocol, §2.1 and §2.2;
RFC 9110 §12.5.1 for Accept and quality values).

Input: the Accept header, an optional ``format`` parameter that overrides it, and the
kind of result (SELECT/ASK give tabular results, CONSTRUCT/DESCRIBE give graphs).
Output: the chosen format, or None when nothing acceptable can be produced (406).
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from allianceskg.rdf.formats import GRAPH_FORMATS, RESULT_FORMATS, Format

# Media types we answer with, in order of preference when the client has none.
TABULAR = [RESULT_FORMATS[n] for n in ("json", "xml", "csv", "tsv")]
GRAPH = [GRAPH_FORMATS[n] for n in ("turtle", "ntriples", "jsonld", "xml")]
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
}
_GRAPH_ALIASES = {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
                  "text/xml": "application/rdf+xml", "application/x-turtle": "text/turtle",
                  "text/plain": "application/n-triples"}
# Names accepted by the format parameter (as Fuseki and Virtuoso clients send them).
_FORMAT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
                 "tsv": "tsv", "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples",
                 "nt": "ntriples", "n-triples": "ntriples", "jsonld": "jsonld",
                 "json-ld": "jsonld", "rdfxml": "xml", "rdf+xml": "xml", "rdf": "xml",
                 "n3": "turtle"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their quality, highest first (stable for equal q)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, quality) for media, quality, _ in ranges]


def choose(kind: str, accept: str | None, format_param: str | tuple[str, ...] | None) -> Format | None:
    """The format to answer a ``kind`` ("tabular" or "graph") result in.

    ``format_param`` (one value or several, as SPARQLWrapper sends them) overrides the
    Accept header: each value is a format name (json, csv, turtle …) or media types;
    the first one that can be produced wins.
    """
    values = (format_param,) if isinstance(format_param, str) else tuple(format_param or ())
    values = tuple(v for v in values if v and v.strip())
    if values:
        for value in values:
            chosen = _named(kind, value) if "/" not in value else _negotiate(kind, value)
            if chosen is not None:
                return chosen
        return None
    return _negotiate(kind, accept)


def _named(kind: str, value: str) -> Format | None:
    name = _FORMAT_NAMES.get(value.strip().lower())
    table = RESULT_FORMATS if kind == "tabular" else GRAPH_FORMATS
    return table.get(name) if name else None


def _negotiate(kind: str, accept: str | None) -> Format | None:
    """The offered format the client prefers, by RFC 9110 §12.5.1: a media range's
    quality applies to the types it matches, the most specific range deciding
    (``text/*, text/csv;q=0.2`` prefers TSV to CSV); ties go to our order of preference.
    Uses werkzeug's MIMEAccept, after mapping the aliases clients send."""
    offered = TABULAR if kind == "tabular" else GRAPH
    aliases = _ALIASES if kind == "tabular" else _GRAPH_ALIASES
    ranges = [(aliases.get(media, media), quality) for media, quality in parse_accept(accept)]
    best = MIMEAccept(ranges).best_match([f.media_type for f in offered])
    return next((f for f in offered if f.media_type == best), None)
