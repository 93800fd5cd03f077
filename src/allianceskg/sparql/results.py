"""Write SPARQL results with a row cap: JSON (SPARQL 1.1 Query Results JSON), XML
(SPARQL Query Results XML), CSV and TSV (SPARQL 1.1 Query Results CSV and TSV), and
graphs in the RDF formats. Truncation is visible: the caller sets a header, and JSON
results also carry ``"truncated": true`` beside ``head`` and ``results``.
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from allianceskg.rdf.formats import Format, write_graph
from allianceskg.rdf.serialize import NOT_XML, nt_term


def write_result(result, name: str) -> str:
    """An rdflib SELECT or ASK result in a results format, or as a text table: the
    CLI's writer, the same code the service answers with."""
    from allianceskg.rdf.formats import RESULT_FORMATS, results_table, unknown_format

    if name == "table":
        return results_table(result)
    if name not in RESULT_FORMATS:
        raise unknown_format(name, {**RESULT_FORMATS, "table": Format("table", "", "", "")})
    fmt = RESULT_FORMATS[name]
    if result.type == "ASK":
        return write_boolean(bool(result.askAnswer), fmt).decode("utf-8")
    variables = [str(v) for v in result.vars]
    rows = [tuple(row) for row in result]
    return write_tabular(variables, rows, fmt, False).decode("utf-8")


def write_tabular(variables: list[str], rows: list[tuple], fmt: Format, truncated: bool) -> bytes:
    """SELECT results in ``fmt``."""
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return writer(variables, rows, truncated).encode("utf-8")


def write_boolean(answer: bool, fmt: Format) -> bytes:
    """ASK results in ``fmt`` (CSV and TSV as a single value, as common servers do)."""
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": answer}).encode()
    if fmt.name == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if answer else 'false'}</boolean></sparql>\n").encode()
    header = "_askResult" if fmt.name == "csv" else "?_askResult"
    return f"{header}\n{'true' if answer else 'false'}\n".encode()


def write_rdf(graph: Graph, fmt: Format) -> bytes:
    if fmt.name == "xml":
        for triple in graph:
            for term in triple:
                xml_safe(str(term))
    return write_graph(graph, fmt.name).encode("utf-8")


def _json_term(term: Node) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype:
        value["datatype"] = str(term.datatype)
    return value


def _json(variables: list[str], rows: list[tuple], truncated: bool) -> str:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if truncated:
        document["truncated"] = True
    return json.dumps(document, ensure_ascii=False)




class NotXmlError(ValueError):
    """A result holds a character XML 1.0 cannot carry."""


def xml_safe(text: str) -> str:
    found = NOT_XML.search(text)
    if found:
        raise NotXmlError(f"U+{ord(found.group()):04X}")
    return text


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(xml_safe(str(term)))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    attributes = ""
    if term.language:
        attributes = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype:
        attributes = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attributes}>{escape(xml_safe(str(term)))}</literal>"


def _xml(variables: list[str], rows: list[tuple], truncated: bool) -> str:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
           "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables)]
    if truncated:
        out.append('<link href="#truncated"/>')
    out += ["</head>", "<results>"]
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row) if t is not None]
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _csv(variables: list[str], rows: list[tuple], truncated: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t))
                         for t in row])
    return buffer.getvalue()


def _tsv(variables: list[str], rows: list[tuple], truncated: bool) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join("" if t is None else nt_term(t).replace("\t", "\\t") for t in row))
    return "\n".join(lines) + "\n"

