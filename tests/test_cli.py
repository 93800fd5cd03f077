"""The command-line interface, run as users run it (the installed console script and
``python -m allianceskg`` in a subprocess): exit codes 0 / 1 / 2, and errors that name
the file and line, the node and message, or the setting to change."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, SKOS

from allianceskg import __version__, resources
from allianceskg.analysis.queries import load_queries

from conftest import run_cli


run = run_cli


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A copy of the project's data folders that a test may break."""
    root = resources.project_root()
    for name in ("ontology", "data", "queries", "seeds"):
        shutil.copytree(root / name, tmp_path / name)
    return tmp_path


def test_console_script_reports_the_version():
    script = shutil.which("allianceskg")
    assert script, "the console script is not installed"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"allianceskg, version {__version__}"


def test_check_passes_on_the_project():
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conform" in result.stdout


def test_malformed_ontology_names_file_and_line(home: Path):
    path = home / "ontology" / "allianceskg.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("akg:Summit a"))
    lines[number - 1] = "akg:Summit a owl:Class ;;; ]"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", home=home)
    assert result.returncode == 2
    assert f"{path}:{number}: syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_shapes_name_file_and_line(home: Path):
    path = home / "ontology" / "shapes.ttl"
    path.write_text(path.read_text(encoding="utf-8") + '\nakgsh:Broken sh:message "open .\n',
                    encoding="utf-8")
    result = run("check", home=home)
    assert result.returncode == 2
    expected_line = len(path.read_text(encoding="utf-8").splitlines())
    assert f"{path}:{expected_line}: syntax error" in result.stderr


def test_malformed_reference_data_names_file_and_line(home: Path):
    path = home / "data" / "reference" / "entities.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nid:tokyo akg:venue .\n",
                    encoding="utf-8")
    result = run("check", home=home)
    assert result.returncode == 2
    assert f"{path}:" in result.stderr and "syntax error" in result.stderr


def test_a_term_without_a_label_fails_the_check_with_exit_1(home: Path):
    path = home / "ontology" / "allianceskg.ttl"
    text = path.read_text(encoding="utf-8")
    text = text.replace('    rdfs:label "summit"@en ;\n', "", 1)
    path.write_text(text, encoding="utf-8")
    result = run("check", home=home)
    assert result.returncode == 1
    assert "Violation: akg:Summit path rdfs:label" in result.stdout
    assert "exactly one rdfs:label" in result.stdout
    assert "hygiene#TermShape" in result.stdout


def test_an_inconsistent_reference_file_fails_the_check(home: Path):
    extra = home / "data" / "reference" / "zz-broken.ttl"
    extra.write_text("@prefix akg: <https://w3id.org/allianceskg/ontology#> .\n"
                     "@prefix id: <https://w3id.org/allianceskg/id/> .\n"
                     "id:tokyo a akg:State .\n", encoding="utf-8")
    result = run("check", home=home)
    assert result.returncode == 1
    assert "inconsistent reference data" in result.stdout and "tokyo" in result.stdout


def test_a_wrong_home_names_the_variable(tmp_path: Path):
    result = run("check", home=tmp_path)
    assert result.returncode == 2
    assert "ALLIANCESKG_HOME" in result.stderr


def test_queries_lists_every_competency_question():
    result = run("queries")
    assert result.returncode == 0
    listed = result.stdout.splitlines()
    assert len(listed) == len(load_queries()) >= 20
    assert any("Who launched which alliance" in line for line in listed)


def test_docs_write_a_section_per_term(tmp_path: Path, ontology: Graph):
    out = tmp_path / "docs"
    result = run("docs", "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    namespace = "https://w3id.org/allianceskg/ontology#"
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = [s for k in kinds for s in ontology.subjects(RDF.type, k)
             if str(s).startswith(namespace)]
    assert len(terms) > 80
    for term in terms:
        assert f"<code>{term}</code>" in html, term
        definition = str(ontology.value(term, SKOS.definition))
        example = str(ontology.value(term, SKOS.example))
        assert _html_text(definition) in html, term
        assert _html_text(example) in html, term


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")[:40]


def test_build_from_another_folder_does_not_write_into_the_checkout(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("ALLIANCESKG_HOME", None)
    result = subprocess.run([sys.executable, "-m", "allianceskg", "build", "-q"], cwd=tmp_path,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2 and "would write into the checkout" in result.stderr
    assert "ALLIANCESKG_HOME" in result.stderr and "Traceback" not in result.stderr
