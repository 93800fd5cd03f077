"""Add a new document to the corpus: copy it into seeds/ with a metadata sidecar.

Input: a UTF-8 text or Markdown file and its metadata. Output: the copied document
and its sidecar (:class:`Ingested`, which can take them out again if the rebuild
that follows fails). A file that is not UTF-8, is empty, or would overwrite an
existing document is refused before anything is copied.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from allianceskg.corpus import DOCUMENT_SUFFIXES, document_text, load_document, sidecar_path
from allianceskg.errors import InputFileError


@dataclass(frozen=True)
class Ingested:
    document: Path
    sidecar: Path

    def remove(self) -> None:
        """Take the document out again (used when the rebuild fails)."""
        self.document.unlink(missing_ok=True)
        self.sidecar.unlink(missing_ok=True)


def ingest_document(source: Path, seeds: Path, *, title: str | None, language: str,
                    document_type: str, author: str, published: str) -> Ingested:
    """Copy ``source`` into ``seeds`` under a document id made from its name."""
    if source.suffix not in DOCUMENT_SUFFIXES:
        raise InputFileError(source, f"unsupported document type {source.suffix!r}",
                             hint=f"use {' or '.join(DOCUMENT_SUFFIXES)}")
    text = document_text(source, source.read_bytes())  # refused before anything is copied
    doc_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", source.stem).strip("-.") or "document"
    target = seeds / f"{doc_id}{source.suffix}"
    if target.exists() or sidecar_path(target).exists():
        raise InputFileError(target, "a document with this id is already in the corpus",
                             hint="rename the file before ingesting it")
    metadata = {"title": title or _first_line(text), "title_source": "curator" if title else "first line",
                "language": language, "document_type": document_type, "author": author,
                "published": published, "source": source.name}
    seeds.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    sidecar = sidecar_path(target)
    sidecar.write_text(yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True),
                       encoding="utf-8")
    ingested = Ingested(target, sidecar)
    try:
        load_document(target)
    except InputFileError:
        ingested.remove()
        raise
    return ingested


def _first_line(text: str) -> str:
    line = next(line.strip() for line in text.splitlines() if line.strip())
    return line.lstrip("# ").strip()[:200]
