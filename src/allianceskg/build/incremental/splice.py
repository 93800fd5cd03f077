"""Write a release as the previous one with some subjects' blocks rendered again.

Input: the previous release folder, its :class:`~.state.ReleaseIndex` (where each
graph and each subject's block sits in its text), and per changed graph the triples it
gains and loses. Output: the new release in a staging folder beside the previous one
(the caller swaps it in): graphs that do not change are copied as bytes (their Turtle
files hard-linked), the others keep every untouched block as it was and get the
touched subjects' blocks rendered by the canonical writer; VoID, the reports and the
manifest are updated. The bytes are those the canonical writer gives for the whole new
release (allianceskg.rdf.serialize orders blocks by their subject).
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
from array import array
from collections import Counter
from pathlib import Path

import numpy
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from allianceskg.build import pipeline
from allianceskg.build.incremental.rounds import NotIncremental, graph_of
from allianceskg.build.incremental.state import SavedState
from allianceskg.build.release import (TRIG_FILE, TermDigests, _example_map, _Statistics, _sync,
                                       _write_json, build_report, graph_file_name,
                                       jsonld_context, void_graph)
from allianceskg.rdf.serialize import BlockIndex, Writer, turtle
from allianceskg.vocab import GRAPH, PREFIXES


def write_spliced(target: Path, saved: SavedState, manifest: dict, changes: dict, report,
                  entry, order: list[str], hashes: dict, timings: dict, claims: int,
                  mentions: int) -> tuple[Path, int]:
    """The new release in a staging folder beside ``target``, and its triple count.
    ``changes``: per changed graph, the triples it gains and loses and its previous
    triples where known; ``report`` the new validation report, ``entry`` the new
    document's build report, ``order`` the corpus's document ids in build order."""
    index = saved.index
    writer = Writer(PREFIXES)
    old_trig = (target / TRIG_FILE).read_bytes()
    staging = target.parent / f".{target.name}.new-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    sizes = {URIRef(k): v for k, v in manifest["graphs"].items()}
    parts = [index.header]
    offset = len(index.header)
    new_graphs, new_blocks = {}, {}
    try:
        (staging / "graphs").mkdir(parents=True)
        for number, graph_name in enumerate(sorted(set(sizes) | set(changes), key=str), start=1):
            file_name = graph_file_name(graph_name)
            if graph_name in index.graphs and graph_name not in index.blocks:
                # A graph with blank nodes (the ontology): its labels carry its number
                # among the graphs, which the new document's graph may shift.
                if graph_name in changes:
                    raise NotIncremental(f"{graph_name} has blank nodes and changes")
                _link_or_copy(target / "graphs" / file_name, staging / "graphs" / file_name)
                graph = Graph().parse(target / "graphs" / file_name, format="turtle")
                nested = writer.trig_block(graph_name, writer.blocks(
                    graph, 1, label_prefix=f"g{number}b")).encode()
                parts.append(nested)
                new_graphs[graph_name] = (offset, len(nested))
                offset += len(nested)
                continue
            if graph_name not in changes:
                _link_or_copy(target / "graphs" / file_name, staging / "graphs" / file_name)
                if graph_name in index.graphs:
                    start, length = index.graphs[graph_name]
                    parts.append(old_trig[start:start + length])
                    new_graphs[graph_name] = (offset, length)
                    offset += length
                if graph_name in index.blocks:
                    new_blocks[graph_name] = index.blocks[graph_name]
                continue
            added, removed, previous = changes[graph_name]
            old_index = index.blocks.get(graph_name, BlockIndex((), _array(), _array()))
            old_ttl = (target / "graphs" / file_name).read_bytes() if graph_name in sizes else b""
            start, length = index.graphs.get(graph_name, (0, 0))
            ttl, nested, blocks, size_change = _splice(
                writer, graph_name, old_index, old_ttl, old_trig[start:start + length],
                added, removed, previous)
            (staging / "graphs" / file_name).write_bytes(ttl)
            sizes[graph_name] = sizes.get(graph_name, 0) + size_change
            new_blocks[graph_name] = blocks
            if nested:
                parts.append(nested)
                new_graphs[graph_name] = (offset, len(nested))
                offset += len(nested)
        with (staging / TRIG_FILE).open("wb") as stream:
            for piece in parts:
                stream.write(piece)
        void_state = saved.void
        statistics = _update_void(void_state, changes)
        sized = {n: range(v) for n, v in sizes.items()}
        sized[GRAPH["links"]] = graph_of(saved.build.links | changes.get(GRAPH["links"], (set(),))[0])
        (staging / "void.ttl").write_text(writer.turtle(void_graph(sized, statistics)),
                                          encoding="utf-8")
        prefixes = dict(PREFIXES, sh="http://www.w3.org/ns/shacl#")
        (staging / "validation-report.ttl").write_text(turtle(report.graph, prefixes),
                                                       encoding="utf-8")
        _write_json(staging / "build-report.json", _build_report(target, entry, report, order))
        _write_json(staging / "context.jsonld", jsonld_context())
        manifest = dict(manifest, inputs_sha256=hashes,
                        graphs={str(n): sizes[n] for n in sorted(sizes, key=str)},
                        triples=sum(sizes.values()), documents=manifest["documents"] + 1,
                        claims=manifest["claims"] + claims,
                        mentions=manifest["mentions"] + mentions,
                        violations=len(report.violations), warnings=len(report.warnings),
                        inferred=sizes[GRAPH["inferred"]], timings_seconds=timings)
        _write_json(staging / "manifest.json", manifest)
        _sync(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    index.graphs, index.blocks = new_graphs, new_blocks
    return staging, manifest["triples"]


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link (the file is not written again), or a copy where links cannot be made."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _array() -> array:
    return array("q")


def _splice(writer: Writer, name: URIRef, old: BlockIndex, ttl: bytes, trig: bytes,
            added: set, removed: set, previous) -> tuple[bytes, bytes, BlockIndex, int]:
    """A graph's Turtle text and TriG block with the subjects that ``added`` and
    ``removed`` touch rendered again; every other block is copied as it was. A touched
    subject that had a block keeps its other triples: from ``previous`` (the graph's
    triples before), or read back from its block where the state does not hold them."""
    touched: dict = {}
    for triple in added:
        touched.setdefault(triple[0], [set(), set()])[0].add(triple)
    for triple in removed:
        touched.setdefault(triple[0], [set(), set()])[1].add(triple)
    where = {key: i for i, key in enumerate(old.keys)}
    header = len(writer.header.encode())
    ttl_starts, trig_starts = [], []
    position, nested_position = header + 1, len(writer.graph_header(name).encode())
    for top, nested in zip(old.top, old.nested):
        ttl_starts.append(position)
        trig_starts.append(nested_position)
        position += top + 1
        nested_position += nested + 1
    had = {subject for subject in touched if writer.term(subject) in where}
    before_of: dict = {subject: set() for subject in had}
    if previous is not None:
        for triple in previous:
            if triple[0] in before_of:
                before_of[triple[0]].add(triple)
    triples, replaced, change = set(), set(), 0
    for subject, (plus, minus) in touched.items():
        before = before_of.get(subject, set())
        if subject in had:
            i = where[writer.term(subject)]
            replaced.add(i)
            if previous is None:
                block = ttl[ttl_starts[i]:ttl_starts[i] + old.top[i]]
                before = set(Graph().parse(data=writer.header.encode() + block, format="turtle"))
        after = (before | plus) - minus
        change += len(after) - len(before)
        triples |= after
    keys, tops, nesteds = writer.keyed_blocks(triples)
    fresh = {k: (t.encode(), n.encode()) for k, t, n in zip(keys, tops, nesteds)}
    order = sorted((k + " ", k) for k in fresh)
    out_ttl, out_trig, out_keys, out_top, out_nested = [], [], [], _array(), _array()
    run_start = None

    def flush(end: int) -> None:
        nonlocal run_start
        if run_start is not None and run_start < end:
            out_ttl.append(ttl[ttl_starts[run_start]:ttl_starts[end - 1] + old.top[end - 1]])
            out_trig.append(trig[trig_starts[run_start]:trig_starts[end - 1] + old.nested[end - 1]])
            out_keys.extend(old.keys[run_start:end])
            out_top.extend(old.top[run_start:end])
            out_nested.extend(old.nested[run_start:end])
        run_start = None

    i = 0

    def copy_until(stop: int) -> None:
        """The old blocks before ``stop`` that are not rendered again, in runs."""
        nonlocal i, run_start
        while i < stop:
            if i in replaced:
                flush(i)
            elif run_start is None:
                run_start = i
            i += 1
        flush(i)

    sort_keys = [k + " " for k in old.keys]
    for sort_key, key in order:
        copy_until(bisect.bisect_left(sort_keys, sort_key, lo=i))
        if i < len(old.keys) and old.keys[i] == key:
            i += 1  # replaced by its new block
        top, nested = fresh[key]
        out_ttl.append(top)
        out_trig.append(nested)
        out_keys.append(key)
        out_top.append(len(top))
        out_nested.append(len(nested))
    copy_until(len(old.keys))
    head = writer.header.encode()
    ttl_text = head + (b"\n" + b"\n".join(out_ttl) if out_ttl else b"")
    trig_text = (writer.graph_header(name).encode() + b"\n".join(out_trig) + b"}\n"
                 if out_trig else b"")
    return ttl_text, trig_text, BlockIndex(tuple(out_keys), out_top, out_nested), change


def _update_void(void, changes: dict) -> _Statistics:
    """The VoID statistics with the changes' added triples counted where they are new
    to the release (nothing leaves it: a removed triple moved to another graph)."""
    digests = TermDigests()
    fresh_triples, subjects, objects, entities, pairs = set(), set(), set(), set(), []
    for added, *_ in changes.values():
        for triple in added:
            fresh_triples.add(triple)
    new_triples = {t: digests.triple(t) for t in fresh_triples}
    known = void.triples
    values = numpy.fromiter(new_triples.values(), dtype=numpy.uint64, count=len(new_triples))
    present = _member(known, values)
    rdf_type = RDF.type
    for (triple, _), seen in zip(new_triples.items(), present):
        if seen:
            continue
        s, p, o = triple
        subjects.add(digests.term(s))
        objects.add(digests.term(o))
        void.predicates.add(p)
        if p == rdf_type:
            void.classes.add(o)
            pairs.append((s, o))
            if isinstance(s, URIRef):
                entities.add(digests.term(s))
    for cls, example in _example_map(pairs).items():
        void.examples[cls] = min(void.examples.get(cls, example), example)
    void.triples = numpy.union1d(known, values[~present])
    void.subjects = numpy.union1d(void.subjects, numpy.fromiter(subjects, dtype=numpy.uint64))
    void.objects = numpy.union1d(void.objects, numpy.fromiter(objects, dtype=numpy.uint64))
    void.entities = numpy.union1d(void.entities, numpy.fromiter(entities, dtype=numpy.uint64))
    return _Statistics.from_state(void)


def _member(sorted_values, values):
    if not len(sorted_values) or not len(values):
        return numpy.zeros(len(values), dtype=bool)
    found = numpy.searchsorted(sorted_values, values)
    found[found >= len(sorted_values)] = 0
    return sorted_values[found] == values


def _build_report(target: Path, entry, report, order: list[str]) -> dict:
    """The previous build report with the new document's entry."""
    previous = json.loads((target / "build-report.json").read_bytes())
    one = build_report(pipeline.Build(graphs={}, validation=report, documents=(entry,),
                                      input_hashes={}))
    documents = dict(previous["documents"])
    documents[entry.doc_id] = one["documents"][entry.doc_id]
    names = Counter(c["name"] for doc in documents.values() for c in doc["candidates"])
    return {"documents": documents, "candidate_names": dict(sorted(names.items())),
            "warnings": [r.describe() for r in report.warnings]
            + [w for doc_id in order for w in documents[doc_id]["warnings"]]}
