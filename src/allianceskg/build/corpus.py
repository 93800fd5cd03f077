"""Read the corpus: documents, their metadata sidecars, and their sentences.

Input: a folder of UTF-8 ``.txt`` or ``.md`` documents, each with a sidecar
``NAME.meta.yaml`` (title, language, document type; author and publication date may
be ``unknown``). Output: a :class:`Corpus` of :class:`Document` values whose text is
exactly the file's content, with sentence spans as Python code-point offsets into it.
A non-UTF-8, empty or duplicate document, or a missing or malformed sidecar, is
refused with its file name and the reason.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


from allianceskg.errors import InputFileError
from allianceskg.rdf.serialize import NOT_XML
from allianceskg.yamlio import decode, load_yaml

DOCUMENT_SUFFIXES = (".txt", ".md")  # compared case-insensitively (.TXT too)
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_REQUIRED_METADATA = ("title", "language", "document_type")
# Abbreviations whose final period does not end a sentence.
_ABBREVIATIONS = ("U.S.", "U.K.", "U.N.", "e.g.", "i.e.", "Mr.", "Mrs.", "Ms.", "Dr.",
                  "St.", "vs.", "etc.", "Inc.", "Ltd.", "Co.", "No.")
_SENTENCE_END = re.compile(r"[.!?…][”\"’')\]]*(?=\s+)")


@dataclass(frozen=True)
class Sentence:
    """A sentence as a span of its document's text: ``text[start:end]``."""

    index: int
    start: int
    end: int


@dataclass(frozen=True)
class Metadata:
    """What the sidecar says of a document; unknown values stay None, never guessed."""

    title: str
    language: str
    document_type: str
    author: str | None
    published: str | None
    source: str | None


@dataclass(frozen=True)
class Document:
    """One source document, its text exactly as stored, and its sentences."""

    doc_id: str
    path: Path
    text: str
    sha256: str
    metadata: Metadata
    sentences: tuple[Sentence, ...]

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence holding the character at ``offset``."""
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        raise ValueError(f"offset {offset} is outside every sentence of {self.doc_id}")


@dataclass(frozen=True)
class Corpus:
    """The documents of a corpus, ordered by id."""

    documents: tuple[Document, ...]

    def get(self, doc_id: str) -> Document:
        for document in self.documents:
            if document.doc_id == doc_id:
                return document
        raise KeyError(doc_id)


def sidecar_path(path: Path) -> Path:
    """Where a document's metadata lives: ``NAME.meta.yaml`` beside ``NAME.txt``."""
    return path.with_name(path.stem + ".meta.yaml")


def document_paths(folder: Path) -> list[Path]:
    """The documents of a folder, in name order (sidecars and other files skipped)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)


def load_corpus(folder: Path) -> Corpus:
    """Read every document of ``folder``; refuse duplicates by content."""
    documents = [load_document(path) for path in document_paths(folder)]
    seen: dict[str, Path] = {}
    for document in documents:
        if document.sha256 in seen:
            raise InputFileError(document.path,
                                 f"duplicate document: same content as {seen[document.sha256].name}",
                                 hint="remove one of the two files")
        seen[document.sha256] = document.path
    return Corpus(documents=tuple(documents))


def load_document(path: Path) -> Document:
    """Read one document and its sidecar."""
    doc_id = path.stem
    if not _DOC_ID.match(doc_id):
        raise InputFileError(path, f"the file name {path.name!r} cannot be a document id",
                             hint="use letters, digits, '_', '-' and '.' only")
    raw = path.read_bytes()
    text = document_text(path, raw)
    return Document(doc_id=doc_id, path=path, text=text,
                    sha256=hashlib.sha256(raw).hexdigest(),
                    metadata=load_metadata(sidecar_path(path)),
                    sentences=split_sentences(text))


def document_text(path: Path, raw: bytes) -> str:
    """The text of a document file; refuses non-UTF-8 (naming the byte) and empty text."""
    text = decode(path, raw)  # a UTF-8 byte-order mark is not text
    if not text.strip():
        raise InputFileError(path, "empty document", hint="remove it or give it text")
    bad = NOT_XML.search(text)
    if bad:  # XML 1.0 (RDF/XML, SPARQL XML results) cannot carry these, even escaped
        line = text.count("\n", 0, bad.start()) + 1
        raise InputFileError(path, f"control character U+{ord(bad.group()):04X} at offset "
                                   f"{bad.start()}", line=line,
                             hint="remove it; only tab, line feed and carriage return are allowed")
    return text


def load_metadata(path: Path) -> Metadata:
    """Read a sidecar; title, language and document_type are required."""
    if not path.is_file():
        raise InputFileError(path, "missing metadata sidecar",
                             hint="create it with title, language and document_type "
                                  "(author and published may be 'unknown')")
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputFileError(path, "the sidecar must be a mapping of field: value", line=1)
    for key in _REQUIRED_METADATA:
        if not str(data.get(key) or "").strip():
            raise InputFileError(path, f"missing {key!r}")
    for key, value in data.items():
        if isinstance(value, (list, dict)):
            raise InputFileError(path, f"{key!r} must be a single value, not a "
                                       f"{'list' if isinstance(value, list) else 'mapping'}",
                                 hint="write it as text on one line")
    return Metadata(title=str(data["title"]), language=str(data["language"]),
                    document_type=str(data["document_type"]),
                    author=_known(data.get("author")), published=_known(data.get("published")),
                    source=_known(data.get("source")))


def _known(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return None if text in ("", "unknown") else text


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split into sentences: at line breaks (headings, paragraphs) and after a final
    ., ! or ? followed by space, except after known abbreviations such as "U.S."."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for end_match in _SENTENCE_END.finditer(line.group()):
            end = line.start() + end_match.end()
            if _ends_with_abbreviation(text, start, line.start() + end_match.start() + 1):
                continue
            spans.append((start, end))
            start = _skip_space(text, end)
        if start < line.end():
            spans.append((start, line.end()))
    spans = [(s, e) for s, e in spans if text[s:e].strip()]
    return tuple(Sentence(index=i, start=s, end=e) for i, (s, e) in enumerate(spans))


def _ends_with_abbreviation(text: str, start: int, end: int) -> bool:
    piece = text[start:end]
    return any(piece.endswith(a) and (len(piece) == len(a) or not piece[-len(a) - 1].isalnum())
               for a in _ABBREVIATIONS)


def _skip_space(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t":
        offset += 1
    return offset
