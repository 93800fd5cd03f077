"""Bad input gets a clear error naming the file, line or option, exit 2, and never a
Python traceback: broken query files, claims and sidecars (not UTF-8, aliases, deep
nesting, ids that cannot be IRIs, lists for titles), export targets, unknown query
names and parameters given as labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_home, run_cli

SEED = "000_d4fee536fbe95bae"


def _fails_cleanly(result, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


def test_a_query_file_with_a_syntax_error_names_file_and_line(tmp_path: Path):
    query = tmp_path / "broken.rq"
    query.write_text("# title: t\n# description: d\nSELECT * WHERE {\n  ?s ?p\n}\n", encoding="utf-8")
    _fails_cleanly(run_cli("query", str(query)), "broken.rq:", "syntax error")


def test_a_query_file_that_is_not_utf8(tmp_path: Path):
    query = tmp_path / "latin.rq"
    query.write_bytes("# title: caf\xe9\n# description: d\nASK {}\n".encode("latin-1"))
    _fails_cleanly(run_cli("query", str(query)), "latin.rq:1", "not UTF-8")


def test_a_misspelt_query_name_gets_the_closest_names():
    _fails_cleanly(run_cli("query", "01-launched-aliances"), "no stored query named",
                   "01-launched-alliances")


def test_a_parameter_given_as_a_label_is_resolved_or_refused():
    result = run_cli("query", "21-partners", "-p", "actor=Japan")
    assert result.returncode == 0 and "id:european-union" in result.stdout
    _fails_cleanly(run_cli("query", "21-partners", "-p", "actor=Georgia"), "several entities",
                   "id:us-state-georgia")
    _fails_cleanly(run_cli("query", "21-partners", "-p", "actor=Atlantis"), "no entity has the label")


def test_the_query_list_shows_parameters():
    result = run_cli("queries")
    assert "21-partners" in result.stdout and "-p actor=" in result.stdout


@pytest.mark.parametrize("target", ["missing/x.ttl", "."])
def test_export_to_a_missing_folder_or_a_folder(tmp_path: Path, target: str):
    _fails_cleanly(run_cli("export", "-o", str(tmp_path / target)), str(tmp_path))


CLAIMS = {
    "not-utf8": ("document: " + SEED + "\nclaims: []\n# caf\xe9\n").encode("latin-1"),
    "alias-bomb": ("document: " + SEED + "\na: &a [x, x, x, x, x, x, x, x, x]\n"
                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                   "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nclaims: []\n").encode(),
    "deep": ("document: " + SEED + "\nclaims: " + "[" * 10_000 + "]" * 10_000 + "\n").encode(),
    "bad-id": ("document: " + SEED + "\nentities:\n  - id: a>b\n    type: Stance\n"
               "    label: x\nclaims: []\n").encode(),
}
EXPECTED = {"not-utf8": "not UTF-8", "alias-bomb": "aliases", "deep": "nests",
            "bad-id": "cannot be part of an IRI"}


@pytest.mark.parametrize("case", sorted(CLAIMS))
def test_a_bad_claims_file_names_file_and_line(home: Path, case: str):
    path = home / "data" / "claims" / f"{SEED}.yaml"
    path.write_bytes(CLAIMS[case])
    result = run_cli("build", "-q", home=home, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{SEED}.yaml" in result.stderr and EXPECTED[case] in result.stderr, result.stderr


@pytest.mark.parametrize("content, needle", [
    (b"title: [a, b]\nlanguage: en\ndocument_type: news\n", "single value"),
    ("title: caf\xe9\nlanguage: en\ndocument_type: news\n".encode("latin-1"), "not UTF-8"),
    (b"title: t\nlanguage: en\ndocument_type: news\npublished: 2024-13-45\n", "cannot be read"),
])
def test_a_bad_sidecar_is_refused(home: Path, content: bytes, needle: str):
    (home / "seeds" / f"{SEED}.meta.yaml").write_bytes(content)
    result = run_cli("build", "-q", home=home, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{SEED}.meta.yaml" in result.stderr and needle in result.stderr, result.stderr


def test_a_release_folder_that_cannot_be_written_is_a_clear_error(home: Path):
    """As root (CI) permissions do not stop writes, so the release goes below a file:
    the operating system refuses as it would for a read-only or full disk."""
    blocker = home / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    result = run_cli("build", "-q", "-o", str(blocker / "kg"), home=home, timeout=120)
    _fails_cleanly(result, str(blocker))


def test_a_shacl_violation_names_the_bad_value_and_its_claim(home: Path):
    from allianceskg.build.pipeline import BuildError, ProjectPaths, build

    path = home / "data" / "claims" / f"{SEED}.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "      - [Japan-United States trade agreement, hasParty, Japan]\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "      - [Japan-United States trade agreement, "
                                 "hasParty, Tokyo]\n", 1), encoding="utf-8")
    line = text[:text.index(marker)].count("\n") + 2
    with pytest.raises(BuildError) as failed:
        build(ProjectPaths(home))
    message = failed.value.message
    assert "value id:tokyo" in message
    assert f"asserted by {SEED}.yaml:{line}" in message
    assert "Japan finalized a bilateral trade agreement with Washington" in message


def _one_document(tmp_path: Path, name: str, raw: bytes) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(raw)
    (folder / (Path(name).stem + ".meta.yaml")).write_text(
        "title: t\nlanguage: en\ndocument_type: news\n", encoding="utf-8")
    return make_home(tmp_path / "home", [folder / name], claims=False)


def test_a_document_with_a_control_character_is_refused_with_its_line(tmp_path: Path):
    home = _one_document(tmp_path, "nul.txt", b"Japan and the EU met.\nA bad\x00byte.\n")
    _fails_cleanly(run_cli("build", "-q", home=home, timeout=120), "nul.txt:2", "U+0000")


def test_a_byte_order_mark_is_dropped_and_upper_case_suffixes_are_read(tmp_path: Path):
    from allianceskg.build.pipeline import ProjectPaths, build

    home = _one_document(tmp_path, "bom.TXT", "\ufeffJapan and the EU met in Tokyo.\n".encode())
    (report,) = build(ProjectPaths(home)).documents
    assert report.doc_id == "bom"
    assert report.mentions[0].start == 0 and report.mentions[0].surface == "Japan"
