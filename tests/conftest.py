"""Shared fixtures: the model files, and a release built for the session from the
committed seeds and claims only — so that documents an analyst has ingested into this
checkout never change the answers the tests expect. CLI runs and servers started by
the tests use that project copy unless a test gives its own."""

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

from allianceskg.model.load import load_hygiene_shapes, load_ontology, load_reference, load_shapes
from allianceskg.build.pipeline import ProjectPaths
from allianceskg.build.release import load_release

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


_TEST_HOME: list[Path] = []  # the session's project copy, once built


def committed(folder: Path) -> list[Path]:
    """The files of ``folder`` that git tracks (all of them outside a git checkout)."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", str(folder)], cwd=folder,
                                capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return files
    names = {Path(name).name for name in listed.split("\0") if name}
    return [p for p in files if p.name in names] if names else files


@pytest.fixture(scope="session", autouse=True)
def test_home(tmp_path_factory) -> Path:
    """A copy of the project with only its committed seeds and claims, and its release."""
    from allianceskg.build.pipeline import build
    from allianceskg.build.release import write_release

    project = ProjectPaths.default().root
    root = tmp_path_factory.mktemp("project") / "home"
    documents = [p for p in committed(project / "seeds") if not p.name.endswith(".meta.yaml")]
    make_home(root, documents)
    claims = root / "data" / "claims"
    shutil.rmtree(claims)
    claims.mkdir()
    for path in committed(project / "data" / "claims"):
        shutil.copy(path, claims / path.name)
    write_release(build(ProjectPaths(root)), root / "data" / "kg")
    _TEST_HOME.append(root)
    return root


@pytest.fixture(scope="session")
def release_dir(test_home: Path) -> Path:
    """The session's release, built from the committed seeds and claims."""
    return test_home / "data" / "kg"


@pytest.fixture(scope="session")
def kg(release_dir: Path) -> Dataset:
    """The session's release as a Dataset whose default graph is the union."""
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

    def __init__(self, *args: str, env: dict | None = None, port: int = 0) -> None:
        environment = dict(os.environ)
        environment.pop("ALLIANCESKG_HOME", None)
        environment.update(env or {})
        if _TEST_HOME and "ALLIANCESKG_HOME" not in (env or {}):
            environment["ALLIANCESKG_HOME"] = str(_TEST_HOME[0])  # the session's release
        self.process = subprocess.Popen(
            [sys.executable, "-m", "allianceskg", "serve", "--port", str(port), *args],
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
    """Run ``python -m allianceskg ARGS`` as a user would, on ``home`` (default: the
    session's project copy)."""
    env = dict(os.environ)
    env.pop("ALLIANCESKG_HOME", None)
    home = home or (_TEST_HOME[0] if _TEST_HOME else None)
    if home is not None:
        env["ALLIANCESKG_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "allianceskg", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
ServerThreads = 10
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {dir}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 6
MaxClientConnections = 6
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


class Virtuoso:
    """A real Virtuoso 7 (Debian's virtuoso-opensource-7-bin) on loopback ports, in a
    folder of its own, whose SPARQL endpoint accepts updates and Graph Store PUTs."""

    def __init__(self, folder: Path) -> None:
        import time
        import urllib.request

        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.sql, self.http = folder, free_port(), free_port()
        (folder / "virtuoso.ini").write_text(
            _VIRTUOSO_INI.format(dir=folder, sql=self.sql, http=self.http), encoding="utf-8")
        self.process = subprocess.Popen(["virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")],
                                        cwd=folder, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.endpoint = f"http://127.0.0.1:{self.http}/sparql"
        self.graph_store = f"http://127.0.0.1:{self.http}/sparql-graph-crud"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    log = (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"Virtuoso did not start:\n{log}")
                time.sleep(0.3)
        subprocess.run(["isql-vt", f"127.0.0.1:{self.sql}", "dba", "dba",
                        'exec=GRANT SPARQL_UPDATE TO "SPARQL"; '
                        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"],
                       check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Virtuoso:
    """Virtuoso for the session; skipped only where virtuoso-t is not installed
    (.ci/run installs it)."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        pytest.skip("Virtuoso is not installed (Debian: virtuoso-opensource-7-bin)")
    running = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield running
    running.stop()


ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A browser test that fails leaves a screenshot of its page in test-artifacts/."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "browser_page", None)
    if report.failed and page is not None and call.when == "call":
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            report.sections.append(("screenshot", str(ARTIFACTS / f"{name}.png")))
        except Exception as exc:  # noqa: BLE001 - a closed page must not hide the failure
            report.sections.append(("screenshot", f"not saved: {exc}"))
