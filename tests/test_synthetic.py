"""The synthetic corpus generator (benchmarks/synthetic.py) is deterministic for a
seed and writes documents the build reads: the automatic layer finds facts in them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from allianceskg.build.pipeline import ProjectPaths, build

from conftest import make_home

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py"


def _module():
    spec = importlib.util.spec_from_file_location("synthetic_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_corpus_is_deterministic_and_builds(tmp_path: Path):
    synthetic = _module()
    first = synthetic.write_corpus(3, tmp_path / "a", seed=7)
    second = synthetic.write_corpus(3, tmp_path / "b", seed=7)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert synthetic.write_corpus(1, tmp_path / "c", seed=8)[0].read_bytes() != first[0].read_bytes()
    home = make_home(tmp_path / "home", first, claims=False)
    result = build(ProjectPaths(home))
    assert len(result.documents) == 3
    assert sum(sum(d.claims_by_method.values()) for d in result.documents) > 10
