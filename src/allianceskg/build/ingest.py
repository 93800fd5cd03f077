"""Add a new document to the corpus: stage it, build with it, then move it into seeds/.

Input: a UTF-8 text or Markdown file and its metadata. Output: a :class:`Staged`
corpus — a temporary folder holding links to every document of ``seeds/`` plus the
new document and its sidecar — that the build reads instead of ``seeds/``. Only when
that build has succeeded does :meth:`Staged.commit` move the new files into ``seeds/``
(sidecar first, each by an atomic rename), so a failed, interrupted or killed ingest
leaves ``seeds/`` exactly as it was. A file that is not UTF-8, is empty, or would
overwrite an existing document is refused before anything is staged.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from allianceskg.build.corpus import DOCUMENT_SUFFIXES, document_text, load_document, sidecar_path
from allianceskg.errors import InputFileError


@dataclass(frozen=True)
class Staged:
    """A corpus folder with the new document in it, outside ``seeds/``."""

    folder: Path        # the staged corpus: links to seeds/ plus the new files
    document: Path      # where the document will live in seeds/
    sidecar: Path       # where its sidecar will live in seeds/

    def commit(self) -> None:
        """Move the new files into ``seeds/``: sidecar first, so a document is never
        there without its metadata; each by copy then atomic rename."""
        for target in (self.sidecar, self.document):
            partial = target.with_name(f".{target.name}.partial")
            shutil.copyfile(self.folder / target.name, partial)
            os.replace(partial, target)

    def discard(self) -> None:
        shutil.rmtree(self.folder.parent, ignore_errors=True)


def stage_document(source: Path, seeds: Path, *, title: str | None, language: str,
                   document_type: str, author: str, published: str) -> Staged:
    """Check ``source`` and stage it beside links to every file of ``seeds``."""
    if source.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise InputFileError(source, f"unsupported document type {source.suffix!r}",
                             hint=f"use {' or '.join(DOCUMENT_SUFFIXES)}")
    text = document_text(source, source.read_bytes())  # refused before anything is staged
    doc_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", source.stem).strip("-.") or "document"
    target = seeds / f"{doc_id}{source.suffix}"
    if target.exists() or sidecar_path(target).exists():
        raise InputFileError(target, "a document with this id is already in the corpus",
                             hint="rename the file before ingesting it")
    metadata = {"title": title or _first_line(text), "title_source": "curator" if title else "first line",
                "language": language, "document_type": document_type, "author": author,
                "published": published, "source": source.name}
    folder = Path(tempfile.mkdtemp(prefix="allianceskg-ingest-")) / "seeds"
    staged = Staged(folder, target, sidecar_path(target))
    try:
        folder.mkdir()
        if seeds.is_dir():
            for existing in seeds.iterdir():
                if existing.is_file() and not existing.name.startswith("."):
                    (folder / existing.name).symlink_to(existing.resolve())
        shutil.copyfile(source, folder / target.name)
        (folder / staged.sidecar.name).write_text(
            yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True), encoding="utf-8")
        load_document(folder / target.name)
    except BaseException:
        staged.discard()
        raise
    return staged


def _first_line(text: str) -> str:
    line = next(line.strip() for line in text.splitlines() if line.strip())
    return line.lstrip("# ").strip()[:200]
