"""Text views for the CLI: build summaries, validation reports, query results,
exports, statistics and explanations. Each function returns text; the CLI prints it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from allianceskg.errors import AllianceskgError, InputFileError
from allianceskg.analysis.explain import Explanation, explain, knowledge_base, to_json
from allianceskg.rdf.formats import GRAPH_FORMATS, parse_term, write_dataset, write_graph
from allianceskg.model.load import load_ontology, load_shapes
from allianceskg.build.pipeline import Build
from allianceskg.analysis.queries import find_query, load_query, load_queries, run_query
from allianceskg.rdf.rdfio import DATASET_SUFFIXES, read_dataset, read_graph
from allianceskg.build.release import load_release, release_graphs
from allianceskg.rdf.serialize import turtle
from allianceskg.sparql.engine import in_order
from allianceskg.sparql.results import write_result
from allianceskg.build.validation import ValidationReport, validate
from allianceskg.vocab import AKG, GRAPH, PREFIXES


def build_summary(result: Build, target: Path, *, quiet: bool) -> str:
    """What a build produced, per stage and per graph."""
    triples = sum(len(g) for g in result.graphs.values())
    head = (f"Built {len(result.documents)} document(s): {result.claims} claims, "
            f"{sum(len(d.mentions) for d in result.documents)} mentions, {triples} triples, "
            f"{len(result.validation.violations)} violations, "
            f"{len(result.validation.warnings)} warnings → {target}")
    if quiet:
        return head + "\n"
    lines = [head, "", "graphs:"]
    for name, graph in sorted(result.graphs.items()):
        lines.append(f"  {_short(name):<40} {len(graph):>8} triples")
    lines += ["", "documents:"]
    for document in result.documents:
        methods = ", ".join(f"{m} {n}" for m, n in document.claims_by_method.items()) or "none"
        lines.append(f"  {document.doc_id}: {document.sentences} sentences, "
                     f"{len(document.mentions)} mentions, claims: {methods}, "
                     f"{len(document.candidates)} unknown names")
    lines += ["", "time per stage (s): " + ", ".join(f"{k} {v}" for k, v in result.timings.items())]
    for warning in result.validation.warnings:
        lines.append("warning: " + warning.describe())
    lines.append("Unknown names (candidates) are listed in build-report.json.")
    return "\n".join(lines) + "\n"


def validate_file(path: Path) -> tuple[ValidationReport, Graph]:
    """Validate an RDF file (a release's TriG, or any graph) against the shapes."""
    if path.suffix.lower() in DATASET_SUFFIXES:  # named graphs: validate their union
        dataset = read_dataset(path)
        data = Graph()
        skip = {GRAPH["ontology"], GRAPH["inferred"]}
        for s, p, o, g in dataset.quads((None, None, None, None)):
            if g not in skip and getattr(g, "identifier", g) not in skip:
                data.add((s, p, o))
    else:
        data = read_graph(path)
    if not len(data):
        raise InputFileError(path, "no triples to validate")
    return validate(data, load_shapes(), load_ontology()), data


def report_text(report: ValidationReport, data: Graph, fmt: str) -> str:
    if fmt == "turtle":
        return turtle(report.graph, dict(PREFIXES, sh="http://www.w3.org/ns/shacl#"))
    if fmt == "json":
        results = [{"severity": r.severity, "focusNode": str(r.focus_node),
                    "path": str(r.path) if r.path is not None else None,
                    "value": str(r.value) if r.value is not None else None,
                    "sourceShape": str(r.source_shape), "message": r.message}
                   for r in report.results]
        return json.dumps({"conforms": report.conforms, "results": results}, indent=2) + "\n"
    lines = [r.describe(data) for r in report.results]
    verdict = "Conforms." if report.conforms else f"Does not conform: {len(report.violations)} violation(s)."
    return "\n".join([*lines, verdict]) + "\n"


def run_cli_query(text: str, folder: Path, fmt: str | None, params: tuple[str, ...]) -> str:
    """Resolve QUERY (file, stored name or text), bind parameters, format the result."""
    stored = _stored_query(text)
    dataset = load_release(folder)
    bindings = dict(_binding(p, dataset) for p in params)
    if stored is not None:
        result = run_query(stored, dataset, bindings)
    else:
        try:
            result = dataset.query(text, initNs=PREFIXES, initBindings=bindings)
        except Exception as exc:  # rdflib's parser raises pyparsing errors and others
            raise AllianceskgError(f"the query cannot be evaluated: {exc}",
                                   hint="check the SPARQL syntax") from None
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return write_graph(result.graph, fmt or "turtle")
    if result.type == "SELECT":
        result.vars = in_order(list(result.vars), stored.text if stored else text)
    return write_result(result, fmt or "table")


_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _stored_query(text: str):
    """A .rq file, a stored query's name, or None for SPARQL text. A word that is no
    stored query's name is refused with the closest names (it is not SPARQL)."""
    path = Path(text)
    if text.endswith(".rq"):
        if not path.is_file():
            raise InputFileError(path, "no such query file")
        return load_query(path)
    if _NAME.fullmatch(text.strip()):
        return find_query(text.strip(), load_queries())
    return None


def _binding(param: str, dataset) -> tuple[str, object]:
    """NAME=VALUE: a term (id:japan, <https://…>, "text"@en, 42) or a label of the
    release ("Japan", "European Union"), which must name one entity."""
    name, sep, value = param.partition("=")
    if not sep or not name:
        raise AllianceskgError(f"cannot read the parameter {param!r}", hint="write NAME=VALUE")
    value = value.strip()
    if re.fullmatch(r"[^\s:<>\"']+( [^\s:<>\"']+)*", value) and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return name.strip().lstrip("?$"), _by_label(value, dataset, name)
    return name.strip().lstrip("?$"), parse_term(value)


def _by_label(label: str, dataset, name: str) -> URIRef:
    from rdflib.namespace import RDFS, SKOS

    folded = label.casefold()
    found = {s for p in (RDFS.label, SKOS.altLabel) for s, o in dataset.subject_objects(p)
             if isinstance(s, URIRef) and str(o).casefold() == folded}
    if len(found) == 1:
        return next(iter(found))
    if not found:
        raise AllianceskgError(f"-p {name}={label}: no entity has the label {label!r}",
                               hint="give an IRI such as id:japan, or a label of the release")
    listed = ", ".join(sorted(_short(f) for f in found)[:5])
    raise AllianceskgError(f"-p {name}={label}: the label names several entities ({listed})",
                           hint="give one of them as id:slug")


def export_text(folder: Path, graph_name: str, fmt: str, *, entity: str | None = None) -> str:
    graphs = release_graphs(folder)
    if entity is not None:
        described = _description(graphs, entity)
        return write_graph(described, fmt) if fmt in GRAPH_FORMATS else write_dataset([described], fmt)
    if graph_name == "all":
        selected = list(graphs.values())
    else:
        iri = URIRef(graph_name) if graph_name.startswith("http") else GRAPH[graph_name]
        if iri not in graphs:
            known = ", ".join(sorted(str(g)[len(str(GRAPH)):] for g in graphs))
            raise AllianceskgError(f"the release has no graph {graph_name!r}",
                                   hint=f"use all or one of: {known}")
        selected = [graphs[iri]]
    if fmt in ("trig", "nquads") or (fmt == "jsonld" and graph_name == "all"):
        return write_dataset(selected, fmt)  # graph names kept
    merged = Graph()
    for graph in selected:
        for triple in graph:
            merged.add(triple)
    if fmt not in GRAPH_FORMATS:
        raise AllianceskgError(f"unknown format {fmt!r}")
    return write_graph(merged, fmt)


def _description(graphs: dict[URIRef, Graph], name: str) -> Graph:
    """One entity's symmetric concise bounded description (as /id/… gives tools)."""
    node = parse_term(name)
    if not isinstance(node, URIRef):
        raise AllianceskgError(f"not an IRI: {name!r}", hint="give id:NAME or a full IRI")
    found = Graph(identifier=node)
    for graph_name, graph in graphs.items():
        if graph_name in (GRAPH["mentions"], GRAPH["inferred-tentative"]):
            continue
        for triple in graph.triples((node, None, None)):
            found.add(triple)
        for triple in graph.triples((None, None, node)):
            found.add(triple)
    if not len(found):
        raise AllianceskgError(f"nothing in the release is about {name!r}",
                               hint="check the name with: allianceskg query \"SELECT ?s WHERE "
                                    "{ ?s rdfs:label ?l FILTER (CONTAINS(?l, '…')) }\"")
    return found


def stats_text(folder: Path) -> str:
    graphs = release_graphs(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    lines = [f"allianceskg {manifest['version']} release at {folder}",
             f"documents: {manifest['documents']}, claims: {manifest['claims']}, "
             f"mentions: {manifest['mentions']}, inferred triples: {manifest['inferred']}", "",
             "graphs:"]
    lines += [f"  {_short(n):<40} {len(g):>8}" for n, g in sorted(graphs.items())]
    provenance = graphs.get(GRAPH["provenance"], Graph())
    modalities = Counter(_short(m) for m in provenance.objects(None, AKG.modality))
    lines += ["", "claims by modality:"] + [f"  {m:<24} {n:>6}" for m, n in sorted(modalities.items())]
    classes = Counter()
    for name, graph in graphs.items():
        if name not in (GRAPH["ontology"], GRAPH["provenance"], GRAPH["mentions"], GRAPH["inferred"],
                        GRAPH["inferred-tentative"]):
            classes.update(_short(o) for o in graph.objects(None, RDF.type))
    lines += ["", "entities by asserted class:"]
    lines += [f"  {c:<32} {n:>6}" for c, n in sorted(classes.items(), key=lambda x: (-x[1], x[0]))]
    return "\n".join(lines) + "\n"


def explain_text(folder: Path, subject: str, predicate: str, obj: str, fmt: str) -> tuple[str, bool]:
    graphs = release_graphs(folder)
    kb = knowledge_base(graphs)
    triple = (parse_term(subject), parse_term(predicate), parse_term(obj))
    explanation = explain(kb, triple)
    known = explanation.status != "unknown"
    if fmt == "json":
        return json.dumps(to_json(explanation), indent=2, ensure_ascii=False) + "\n", known
    return "\n".join(_explanation_lines(explanation, 0)) + "\n", known


def _explanation_lines(node: Explanation, depth: int) -> list[str]:
    pad = "  " * depth
    s, p, o = (_short(t) for t in node.triple)
    standing = f"  [{_short(node.modality)}]" if node.modality is not None else ""
    lines = [f"{pad}{s} {p} {o}{standing}"]
    if node.status == "asserted":
        lines.append(f"{pad}  asserted in {', '.join(_short(g) for g in node.graphs)}")
        for quote in node.quotes:
            lines.append(f"{pad}  “{quote.exact}” ({_short(quote.document)} {quote.start}–{quote.end}, "
                         f"{_short(quote.modality)}, {_short(quote.method)})")
    elif node.status == "inferred":
        for quote in node.quotes:  # also stated, more weakly than the inference holds
            lines.append(f"{pad}  stated as “{quote.exact}” ({_short(quote.document)} "
                         f"{quote.start}–{quote.end}, {_short(quote.modality)}), and")
        lines.append(f"{pad}  inferred by {node.rule} ({node.axiom}) from:")
        for premise in node.premises:
            lines += _explanation_lines(premise, depth + 2)
    else:
        lines.append(f"{pad}  does not hold in this release")
    return lines


def _short(term) -> str:
    text = str(term)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda x: -len(x[1])):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>" if isinstance(term, URIRef) else text
