"""The corpus: documents exactly as stored, code-point offsets, sentences, and a clear
refusal (file name and reason) of a non-UTF-8, empty, duplicate or undescribed file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allianceskg import resources
from allianceskg.build.corpus import load_corpus, load_document, split_sentences
from allianceskg.errors import InputFileError

SEED = "000_d4fee536fbe95bae"
SIDECAR = "title: T\nlanguage: en\ndocument_type: note\nauthor: unknown\npublished: unknown\n"


def _write(folder: Path, name: str, content: bytes | str, sidecar: bool = True) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if sidecar:
        (folder / (path.stem + ".meta.yaml")).write_text(SIDECAR, encoding="utf-8")
    return path


def test_seed_is_read_exactly_as_stored():
    seeds = resources.folder("seeds")
    document = load_document(seeds / f"{SEED}.txt")
    raw = (seeds / f"{SEED}.txt").read_bytes()
    assert document.text == raw.decode("utf-8")
    assert document.text.startswith("\nIn a significant")  # the leading newline is kept
    assert document.doc_id == SEED
    assert document.metadata.author is None and document.metadata.published is None
    assert document.metadata.language == "en"


def test_offsets_are_code_points():
    document = load_document(resources.folder("seeds") / f"{SEED}.txt")
    quote = "the U.S.’s unpredictable tariff regimes"
    start = document.text.index(quote)
    assert document.text[start:start + len(quote)] == quote
    assert len(document.text) < len(document.text.encode("utf-8"))  # curly quotes, dashes


def test_sentences_split_on_stops_and_lines_but_not_abbreviations():
    text = "\nHeading Line\nThe U.S. and Japan met. Then they left! Did they?\n"
    spans = [text[s.start:s.end] for s in split_sentences(text)]
    assert spans == ["Heading Line", "The U.S. and Japan met.", "Then they left!", "Did they?"]


def test_seed_sentences_cover_every_line():
    document = load_document(resources.folder("seeds") / f"{SEED}.txt")
    assert len(document.sentences) == 53
    assert document.text[document.sentences[3].start:document.sentences[3].end] == \
        "The alliance comes at a pivotal time."


def test_markdown_is_accepted(tmp_path: Path):
    _write(tmp_path, "note.md", "# Title\n\nJapan and the EU met.\n")
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["note"]


@pytest.mark.parametrize("name, content, reason", [
    ("latin1.txt", "Caf\xe9 society\n".encode("latin-1"), "not UTF-8: byte 0xe9 at offset 3"),
    ("empty.txt", "  \n\n", "empty document"),
])
def test_bad_documents_are_refused_with_name_and_reason(tmp_path: Path, name, content, reason):
    path = _write(tmp_path, name, content)
    with pytest.raises(InputFileError) as caught:
        load_corpus(tmp_path)
    assert caught.value.path == path
    assert reason in str(caught.value)


def test_duplicate_documents_are_refused(tmp_path: Path):
    _write(tmp_path, "a.txt", "Same text.\n")
    second = _write(tmp_path, "b.txt", "Same text.\n")
    with pytest.raises(InputFileError, match="duplicate document: same content as a.txt") as caught:
        load_corpus(tmp_path)
    assert caught.value.path == second


def test_a_document_needs_its_sidecar(tmp_path: Path):
    _write(tmp_path, "lonely.txt", "Text.\n", sidecar=False)
    with pytest.raises(InputFileError, match="missing metadata sidecar") as caught:
        load_corpus(tmp_path)
    assert caught.value.path.name == "lonely.meta.yaml"


def test_a_sidecar_without_language_names_the_field(tmp_path: Path):
    _write(tmp_path, "doc.txt", "Text.\n")
    (tmp_path / "doc.meta.yaml").write_text("title: T\ndocument_type: note\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="missing 'language'"):
        load_corpus(tmp_path)


def test_malformed_sidecar_names_the_line(tmp_path: Path):
    _write(tmp_path, "doc.txt", "Text.\n")
    (tmp_path / "doc.meta.yaml").write_text("title: T\nlanguage: [en\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_corpus(tmp_path)
    assert caught.value.line is not None and "malformed YAML" in str(caught.value)


def test_a_copied_seed_folder_loads(tmp_path: Path):
    shutil.copytree(resources.folder("seeds"), tmp_path / "seeds")
    assert len(load_corpus(tmp_path / "seeds").documents) == 1
