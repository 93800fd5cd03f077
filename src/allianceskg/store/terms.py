"""RDF terms from other stores as rdflib terms, so that every store's answer goes
through the same writers."""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from allianceskg.store.base import QueryFailed

_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class OxigraphTerms:
    """pyoxigraph terms → rdflib terms, remembering IRIs (results repeat them)."""

    def __init__(self) -> None:
        import pyoxigraph

        self._named, self._blank, self._literal = (pyoxigraph.NamedNode, pyoxigraph.BlankNode,
                                                   pyoxigraph.Literal)
        self._iris: dict[str, URIRef] = {}

    def __call__(self, term):
        if term is None:
            return None
        kind = type(term)
        if kind is self._named:
            value = term.value
            found = self._iris.get(value)
            if found is None:
                found = self._iris[value] = URIRef(value)
            return found
        if kind is self._literal:
            return literal(term.value, term.language, term.datatype.value)
        if kind is self._blank:
            return BNode(term.value)
        raise QueryFailed(406, "the answer holds an RDF-star triple term, which the result "
                               "writers cannot carry", "select the triple's parts instead")


def literal(value: str, language: str | None, datatype: str | None) -> Literal:
    """A literal as RDF 1.1 has it: a language tag, or a datatype other than xsd:string."""
    if language:
        return Literal(value, lang=language)
    if not datatype or datatype in (_XSD_STRING, _LANG_STRING):
        return Literal(value)
    return Literal(value, datatype=URIRef(datatype))


def from_json(term: dict):
    """A term of the SPARQL 1.1 Query Results JSON Format (§3.2.2), including the
    ``typed-literal`` of the 2008 note that some stores still send."""
    kind = term.get("type")
    value = term.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        return literal(value, term.get("xml:lang"), term.get("datatype"))
    raise QueryFailed(502, f"the remote store sent a term of unknown type {kind!r}",
                      "the remote endpoint must answer in the SPARQL 1.1 JSON results format")
