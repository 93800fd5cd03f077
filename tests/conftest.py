"""Shared fixtures: the model files and the committed release (data/kg/)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from allianceskg.model import load_hygiene_shapes, load_ontology, load_reference, load_shapes
from allianceskg.pipeline import ProjectPaths
from allianceskg.release import load_release

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="session")
def hygiene_shapes() -> Graph:
    return load_hygiene_shapes()


@pytest.fixture(scope="session")
def reference() -> Graph:
    return load_reference()


@pytest.fixture(scope="session")
def release_dir() -> Path:
    """The committed release, data/kg/ (a test checks it equals a fresh build)."""
    return ProjectPaths.default().release


@pytest.fixture(scope="session")
def kg(release_dir: Path) -> Dataset:
    """The committed release as a Dataset whose default graph is the union."""
    return load_release(release_dir)


def make_home(root: Path, documents: list[Path] | None = None, *, claims: bool = True) -> Path:
    """A copy of the project's inputs that a test may change: ontology/, queries/,
    data/ (without the release) and seeds/ (the project's, or ``documents`` with
    their sidecars). Build it with ``ProjectPaths(root)``."""
    project = ProjectPaths.default().root
    shutil.copytree(project / "ontology", root / "ontology")
    shutil.copytree(project / "queries", root / "queries")
    shutil.copytree(project / "data", root / "data", ignore=shutil.ignore_patterns("kg"))
    if not claims:
        shutil.rmtree(root / "data" / "claims")
        (root / "data" / "claims").mkdir()
    if documents is None:
        shutil.copytree(project / "seeds", root / "seeds")
    else:
        (root / "seeds").mkdir()
        for document in documents:
            shutil.copy(document, root / "seeds" / document.name)
            sidecar = document.with_name(document.stem + ".meta.yaml")
            shutil.copy(sidecar, root / "seeds" / sidecar.name)
    return root


class Server:
    """A real ``allianceskg serve`` process on a free loopback port."""

    def __init__(self, *args: str, env: dict | None = None) -> None:
        environment = dict(os.environ, **(env or {}))
        environment.pop("ALLIANCESKG_HOME", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "allianceskg", "serve", "--port", "0", *args],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=environment)
        line = self.process.stderr.readline()
        match = re.search(r"http://([\d.]+):(\d+)/sparql", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"the server did not start: {line}{self.process.stderr.read()}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.base = f"http://{self.host}:{self.port}"
        self.endpoint = self.base + "/sparql"
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        self.process.stderr.close()


@pytest.fixture(scope="session")
def server() -> Server:
    """The committed release, served with the default settings."""
    running = Server()
    yield running
    running.stop()


def run_cli(*args: str, home: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m allianceskg ARGS`` as a user would, optionally on another home."""
    env = dict(os.environ)
    env.pop("ALLIANCESKG_HOME", None)
    if home is not None:
        env["ALLIANCESKG_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "allianceskg", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)
