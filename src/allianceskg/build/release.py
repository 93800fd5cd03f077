"""Write a build as a release folder, atomically, and read a release back.

Input: a :class:`~allianceskg.build.pipeline.Build`. Output, in ``data/kg/``:

- ``allianceskg.trig`` — every named graph;
- ``graphs/{name}.ttl`` — one Turtle file per graph (``doc/ID`` becomes ``doc-ID``);
- ``void.ttl`` — VoID statistics: triples, entities, classes, properties, subsets per
  graph and the linksets to Wikidata and GeoNames;
- ``validation-report.ttl`` — the SHACL report (warnings are kept here);
- ``build-report.json`` — per document: mentions, candidate names, claims by method;
- ``context.jsonld`` — the JSON-LD context of the exports (the project's prefixes),
  published so that other JSON-LD documents can use the same short names;
- ``manifest.json`` — version, input hashes, counts per graph, time per stage.

All RDF is canonical (allianceskg.rdf.serialize) and the JSON sorted, so unchanged inputs
give byte-identical files; only the manifest's ``timings_seconds`` differ between runs.
The folder is written beside the target and swapped in by renaming, so a failed or
interrupted write never replaces the last good release.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

import numpy

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from allianceskg import __version__
from allianceskg.errors import ResourceNotFoundError
from allianceskg.model.load import ontology_version
from allianceskg.build.pipeline import Build
from allianceskg.rdf.rdfio import read_dataset
from allianceskg.build.incremental.state import (ReleaseIndex, SavedState, VoidState, save_state,
                                                 state_key)
from allianceskg.rdf.serialize import Writer, nt_term, turtle
from allianceskg.vocab import AKG, GRAPH, ID, PREFIXES

DATASET = URIRef("https://w3id.org/allianceskg/dataset")
TRIG_FILE = "allianceskg.trig"
_LINK_TARGETS = {
    "wikidata": ("http://www.wikidata.org/entity/", URIRef("http://www.wikidata.org/")),
    "geonames": ("https://sws.geonames.org/", URIRef("https://sws.geonames.org/")),
    "dbpedia": ("http://dbpedia.org/resource/", URIRef("http://dbpedia.org/")),
}


def graph_file_name(name: URIRef) -> str:
    """``graph/doc/000_x`` → ``doc-000_x.ttl``; ``graph/reference`` → ``reference.ttl``."""
    return str(name)[len(str(GRAPH)):].replace("/", "-") + ".ttl"


def write_release(result: Build, target: Path, state_file: Path | None = None) -> Path:
    """Write ``result`` to ``target`` and switch to it in one atomic step; then, with
    ``state_file``, save what the next ``ingest`` continues from (allianceskg.build.incremental)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_release(target)
    staging = target.parent / f".{target.name}.new-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        index, void_state = _write_all(result, staging, keep_state=state_file is not None)
        _sync(staging)  # on disk before it becomes the release, so a power cut loses nothing
        if state_file is not None:
            state_file.unlink(missing_ok=True)  # never a state for another release
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    if state_file is not None and result.state is not None and void_state is not None:
        save_state(state_file, SavedState(result.state, index, void_state,
                                          key=state_key(target)))
    return target


def write_graphs(graphs: dict[URIRef, Graph], target: Path) -> Path:
    """A release of ``graphs`` alone, with no documents and no validation: to serve a
    dataset made elsewhere (the W3C test suites, benchmarks) like any release."""
    from allianceskg.build.validation import ValidationReport

    return write_release(Build(graphs=graphs, validation=ValidationReport(True, (), Graph()),
                               documents=(), input_hashes={}), target)


def _sync(folder: Path) -> None:
    """fsync every file of ``folder``, then the folders themselves."""
    for path in sorted(folder.rglob("*"), reverse=True):
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        descriptor = os.open(path, flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE) (Linux 3.15+,
    glibc 2.28+); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def _swap(staging: Path, target: Path) -> None:
    """Make ``staging`` the release at ``target`` in one step: an atomic exchange of
    the two folders (the old release then sits in ``staging`` and is removed), or a
    plain rename when there is no release yet. Where the exchange is unavailable, two
    renames, which :func:`recover_release` completes or undoes after a crash."""
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging)
        return
    previous = target.parent / f".{target.name}.old-{os.getpid()}"
    target.rename(previous)
    try:
        staging.rename(target)
    except OSError:
        previous.rename(target)
        raise
    shutil.rmtree(previous)


def recover_release(target: Path, *, clean: bool = True) -> None:
    """After a crash: if ``target`` is gone, roll forward to a complete new release
    (its manifest is written last) or back to the previous one. With ``clean`` (the
    builder's call; readers leave other processes' folders alone), also remove the
    staging folders of builds that are no longer running."""
    parent = target.parent
    if not parent.is_dir():
        return
    by_pid = lambda p: int(p.name.rsplit("-", 1)[-1]) if p.name.rsplit("-", 1)[-1].isdigit() else -1  # noqa: E731
    leftovers = sorted(list(parent.glob(f".{target.name}.new-*")) +
                       list(parent.glob(f".{target.name}.old-*")), key=by_pid)
    leftovers = [p for p in leftovers if not _running(p)]
    if not target.exists():
        complete = [p for p in leftovers if ".new-" in p.name and (p / "manifest.json").is_file()]
        previous = [p for p in leftovers if ".old-" in p.name]
        for candidate in complete[-1:] or previous[-1:]:
            candidate.rename(target)
            leftovers.remove(candidate)
    if clean:
        for leftover in leftovers:
            shutil.rmtree(leftover, ignore_errors=True)


def _running(path: Path) -> bool:
    """Whether the build that made a staging folder (named …-PID) is still running."""
    pid = path.name.rsplit("-", 1)[-1]
    return pid.isdigit() and int(pid) != os.getpid() and pid_alive(int(pid))


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_all(result: Build, folder: Path,
               keep_state: bool = False) -> tuple[ReleaseIndex, VoidState | None]:
    (folder / "graphs").mkdir(parents=True)
    writer = Writer(PREFIXES)
    combined, documents, blocks = writer.indexed_release(list(result.graphs.items()))
    (folder / TRIG_FILE).write_text(combined, encoding="utf-8")
    for name, text in documents.items():
        (folder / "graphs" / graph_file_name(name)).write_text(text, encoding="utf-8")
    statistics, void_state = _Statistics.with_state(result.graphs.values(),
                                                    keep=keep_state and result.state is not None)
    (folder / "void.ttl").write_text(writer.turtle(void_graph(result.graphs, statistics)),
                                     encoding="utf-8")
    _write_reports(result, folder)
    return release_index(writer, result.graphs, blocks), void_state


def _write_reports(result: Build, folder: Path) -> None:
    """The validation report, build report, JSON-LD context and manifest (last)."""
    prefixes = dict(PREFIXES, sh="http://www.w3.org/ns/shacl#")
    (folder / "validation-report.ttl").write_text(turtle(result.validation.graph, prefixes),
                                                  encoding="utf-8")
    _write_json(folder / "build-report.json", build_report(result))
    _write_json(folder / "context.jsonld", jsonld_context())
    _write_json(folder / "manifest.json", manifest(result))


def release_index(writer: Writer, graphs: dict, blocks: dict) -> ReleaseIndex:
    """Where each graph's block starts in the TriG text and how long it is, in bytes,
    from the block lengths the writer measured (graphs with blank nodes are measured)."""
    header = writer.header.encode()
    index = ReleaseIndex(header=header)
    position = len(header)
    for number, name in enumerate(sorted(graphs, key=str), start=1):
        found = blocks.get(name)
        if found is None:
            if not len(graphs[name]):
                continue
            length = len(writer.trig_block(name, writer.blocks(
                graphs[name], 1, label_prefix=f"g{number}b")).encode())
        elif not found.keys:
            index.blocks[name] = found
            continue
        else:
            index.blocks[name] = found
            length = (len(writer.graph_header(name).encode()) + sum(found.nested)
                      + len(found.keys) - 1 + 2)
        index.graphs[name] = (position, length)
        position += length
    return index


def jsonld_context() -> dict:
    """The context every JSON-LD export embeds (JSON-LD 1.1 §3.1): the project's
    prefixes as terms."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def manifest(result: Build) -> dict:
    """Version, input hashes, counts per graph and time per stage."""
    ontology = result.graphs.get(GRAPH["ontology"], Graph())
    return {
        "name": "allianceskg",
        "version": __version__,
        "ontology_version": ontology_version(ontology),
        "inputs_sha256": result.input_hashes,
        "graphs": {str(name): len(graph) for name, graph in sorted(result.graphs.items())},
        "triples": sum(len(g) for g in result.graphs.values()),
        "documents": len(result.documents),
        "claims": result.claims,
        "mentions": sum(len(d.mentions) for d in result.documents),
        "violations": len(result.validation.violations),
        "warnings": len(result.validation.warnings),
        "inferred": len(result.graphs.get(GRAPH["inferred"], ())),
        "timings_seconds": result.timings,
    }


def build_report(result: Build) -> dict:
    """Per document: sentences, mentions by kind, unknown names, claims by method."""
    documents = {}
    for report in result.documents:
        documents[report.doc_id] = {
            "sentences": report.sentences,
            "curated": report.curated,
            "mentions": len(report.mentions),
            "mentions_by_recognition": dict(sorted(Counter(m.via for m in report.mentions).items())),
            "claims_by_method": report.claims_by_method,
            "facts_by_layer": report.layers,
            "minted_entities": list(report.minted),
            "candidate_links": list(report.candidate_links),
            "not_stated": list(report.not_stated),
            "dropped": list(report.dropped),
            "warnings": list(report.warnings),
            "candidates": [{"name": c.surface, "kind": c.kind, "start": c.start, "end": c.end,
                            "sentence": c.sentence} for c in report.candidates],
        }
    names = Counter(c.surface for r in result.documents for c in r.candidates)
    return {"documents": documents,
            "candidate_names": dict(sorted(names.items())),
            "warnings": [r.describe() for r in result.validation.warnings]
            + [w for r in result.documents for w in r.warnings]}


def void_graph(graphs: dict[URIRef, Graph], statistics: _Statistics | None = None) -> Graph:
    """VoID (W3C Interest Group Note 2011) and DCAT description of the release: the
    dataset, counted over the distinct triples of every graph (the ontology included,
    as it is a subset); a subset per graph; one linkset per link target and predicate
    (VoID §4.3: a linkset has one link predicate), only where links exist; the
    vocabularies used; the IRI space and example resources. What depends on where the
    release is served (endpoint, dumps, modification time) the service adds
    (allianceskg.web.ops)."""
    void = Graph()
    statistics = statistics or _Statistics.of(graphs.values())
    void.add((DATASET, RDF.type, VOID.Dataset))
    void.add((DATASET, RDF.type, DCAT.Dataset))
    void.add((DATASET, DCTERMS.title, Literal("allianceskg knowledge graph", lang="en")))
    void.add((DATASET, DCTERMS.description, Literal(
        "Actors, agreements, strategic pillars and risks of geopolitics and economic security, "
        "each fact traceable to a verbatim quote of its source.", lang="en")))
    void.add((DATASET, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    void.add((DATASET, OWL.versionInfo, Literal(__version__)))
    void.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    for vocabulary in sorted(_namespaces(statistics.predicates | statistics.classes)):
        void.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    for example in statistics.examples:
        void.add((DATASET, VOID.exampleResource, example))
    _counts(void, DATASET, statistics)
    for name, graph in sorted(graphs.items()):
        void.add((DATASET, VOID.subset, name))
        void.add((name, RDF.type, VOID.Dataset))
        void.add((name, VOID.triples, _int(len(graph))))  # a graph, or its size
    links = graphs.get(GRAPH["links"], Graph())
    for key, (prefix, target) in _LINK_TARGETS.items():
        by_predicate = Counter(p for _, p, o in links if str(o).startswith(prefix))
        for predicate, count in sorted(by_predicate.items()):
            linkset = URIRef(f"{DATASET}/linkset/{key}-{str(predicate).rsplit('#', 1)[-1]}")
            void.add((DATASET, VOID.subset, linkset))
            void.add((linkset, RDF.type, VOID.Linkset))
            void.add((linkset, VOID.subjectsTarget, DATASET))
            void.add((linkset, VOID.objectsTarget, target))
            void.add((linkset, VOID.linkPredicate, predicate))
            void.add((linkset, VOID.triples, _int(count)))
    return void


@dataclass(frozen=True)
class _Statistics:
    """What VoID counts over a set of distinct triples, gathered in one pass (rdflib
    terms compare in Python, so ``p == RDF.type`` per triple is what made it slow)."""

    triples: int
    subjects: int
    objects: int
    predicates: set
    classes: set
    entities: int          # IRIs with a type
    examples: list         # a few entities of the IRI space (void:exampleResource)

    @classmethod
    def of(cls, graphs) -> _Statistics:
        """Over the distinct triples of ``graphs`` (a triple in two graphs counts once)."""
        return cls.with_state(graphs, keep=False)[0]

    @classmethod
    def with_state(cls, graphs, keep: bool = True) -> tuple[_Statistics, VoidState | None]:
        """:meth:`of`, and with ``keep`` the :class:`VoidState` a later addition updates."""
        is_type = {RDF.type}.__contains__  # a hash probe; __eq__ only on a hit
        seen: set = set()
        subjects, objects, predicates, classes, entities, pairs = set(), set(), set(), set(), set(), []
        for graph in graphs:
            for triple in graph:
                if triple in seen:
                    continue
                seen.add(triple)
                s, p, o = triple
                subjects.add(s)
                objects.add(o)
                predicates.add(p)
                if is_type(p):
                    classes.add(o)
                    pairs.append((s, o))
                    if isinstance(s, URIRef):
                        entities.add(s)
        examples = _example_map(pairs)
        statistics = cls(len(seen), len(subjects), len(objects), predicates, classes,
                         len(entities), [examples[c] for c in _EXAMPLE_CLASSES if c in examples])
        if not keep:
            return statistics, None
        digests = TermDigests()
        state = VoidState(triples=digests.sorted(digests.triple(t) for t in seen),
                          subjects=digests.sorted(digests.term(t) for t in subjects),
                          objects=digests.sorted(digests.term(t) for t in objects),
                          entities=digests.sorted(digests.term(t) for t in entities),
                          predicates=predicates, classes=classes, examples=examples)
        return statistics, state

    @classmethod
    def from_state(cls, state: VoidState) -> _Statistics:
        return cls(len(state.triples), len(state.subjects), len(state.objects), state.predicates,
                   state.classes, len(state.entities),
                   [state.examples[c] for c in _EXAMPLE_CLASSES if c in state.examples])


class TermDigests:
    """Stable 64-bit digests of terms (their N-Triples text) and triples, for the
    sets a :class:`VoidState` keeps (Python's own hash changes between processes)."""

    def __init__(self) -> None:
        self._terms: dict = {}

    def _digest(self, term) -> bytes:
        found = self._terms.get(term)
        if found is None:
            found = self._terms[term] = blake2b(nt_term(term).encode(), digest_size=8).digest()
        return found

    def term(self, term) -> int:
        return int.from_bytes(self._digest(term), "little")

    def triple(self, triple) -> int:
        s, p, o = triple
        return int.from_bytes(blake2b(self._digest(s) + self._digest(p) + self._digest(o),
                                      digest_size=8).digest(), "little")

    @staticmethod
    def sorted(values) -> numpy.ndarray:
        return numpy.unique(numpy.fromiter(values, dtype=numpy.uint64))


def _namespaces(terms) -> set[str]:
    """The namespaces of the predicates and classes used (VoID §3.5, void:vocabulary)."""
    known = sorted(PREFIXES.values(), key=len, reverse=True)
    found = set()
    for term in terms:
        text = str(term)
        namespace = next((ns for ns in known if text.startswith(ns) and ns not in _INSTANCE_SPACES),
                         None)
        if namespace is None:
            cut = max(text.rfind("#"), text.rfind("/"))
            namespace = text[:cut + 1]
        found.add(namespace)
    return found


_INSTANCE_SPACES = {str(ID), "https://w3id.org/allianceskg/doc/", str(GRAPH)}


_EXAMPLE_CLASSES = (AKG.Agreement, AKG.State, AKG.Risk)


def _example_map(typed_pairs) -> dict:
    """A few entities of the IRI space: the first agreement, state and risk by IRI."""
    chosen = {}
    space = str(ID)
    for cls in _EXAMPLE_CLASSES:
        wanted = {cls}.__contains__
        instances = [s for s, o in typed_pairs if wanted(o) and str(s).startswith(space)]
        if instances:
            chosen[cls] = min(instances)
    return chosen


def _counts(void: Graph, node: URIRef, statistics: _Statistics) -> None:
    void.add((node, VOID.triples, _int(statistics.triples)))
    void.add((node, VOID.entities, _int(statistics.entities)))
    void.add((node, VOID.classes, _int(len(statistics.classes))))
    void.add((node, VOID.properties, _int(len(statistics.predicates))))
    void.add((node, VOID.distinctSubjects, _int(statistics.subjects)))
    void.add((node, VOID.distinctObjects, _int(statistics.objects)))


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _release_file(folder: Path) -> Path:
    path = folder / TRIG_FILE
    if not path.is_file():
        raise ResourceNotFoundError(f"no release at {folder}",
                                    hint="run 'allianceskg build' first, or pass --data")
    return path


def load_release(folder: Path) -> Dataset:
    """Read a release's TriG into a Dataset whose default graph is the union (after
    recovering the last good release if a build crashed while switching)."""
    recover_release(folder, clean=False)
    dataset = read_dataset(_release_file(folder))
    dataset.default_union = True
    return dataset


def named_graphs(dataset: Dataset) -> dict[URIRef, Graph]:
    """The non-empty named graphs of a dataset, by name (views, not copies)."""
    return {g.identifier: g for g in dataset.graphs()
            if len(g) and isinstance(g.identifier, URIRef)}


def release_graphs(folder: Path) -> dict[URIRef, Graph]:
    """The named graphs of a release, by name."""
    return named_graphs(load_release(folder))
