"""Incremental add: ``allianceskg ingest`` of one new article into an N-document corpus,
against a full rebuild of the same corpus from cold caches, in one run; and whether the
two releases are the same.

    python benchmarks/incremental.py --documents 1000 [--keep DIR]

The corpus is synthetic (benchmarks/synthetic.py), built once first (that build fills
the caches the ingest then uses); the new article comes from another seed of the same
generator. Each command runs in a fresh process, as a user would run it.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import home_with  # noqa: E402
from synthetic import write_corpus  # noqa: E402


def run(home: Path, *args: str) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and standard output of ``allianceskg ARGS`` on ``home``."""
    env = dict(os.environ, ALLIANCESKG_HOME=str(home))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "allianceskg", *args], env=env,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"allianceskg {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, result.stdout


def same_release(a: Path, b: Path) -> list[str]:
    """The files that differ between two releases (the manifest's timings aside)."""
    differ = []
    for path in sorted(a.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            twin = b / path.relative_to(a)
            if not twin.is_file() or not filecmp.cmp(path, twin, shallow=False):
                differ.append(str(path.relative_to(a)))
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None, help="folder to build the corpus in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="akg-incremental-"))
    home = folder / f"home-{args.documents}-synthetic"
    if not (home / "data" / "kg" / "manifest.json").is_file():
        home = home_with(args.documents, folder)
        first, _, _ = run(home, "build", "-q", "--store", "memory")
        print(f"first build of {args.documents} documents (cold caches): {first:.1f} s")
    new = Path(tempfile.mkdtemp(prefix="akg-new-"))
    article = write_corpus(1, new, seed=args.documents + 7)[0]
    target = new / "incremental-new-article.txt"
    article.rename(target)
    ingest, ingest_rss, said = run(home, "ingest", str(target), "--title", "A new article")
    full_home = folder / "full"
    shutil.rmtree(full_home, ignore_errors=True)
    shutil.copytree(home, full_home, ignore=shutil.ignore_patterns("kg", "cache", "oxigraph"))
    rebuild, rebuild_rss, _ = run(full_home, "build", "-q", "--store", "memory")
    differ = same_release(home / "data" / "kg", full_home / "data" / "kg")
    print(f"Adding one article to {args.documents} documents, fresh processes:")
    print(f"  {'command':<52} {'seconds':>8} {'peak RSS':>9}")
    print(f"  {'allianceskg ingest (caches of the first build)':<52} {ingest:8.1f} {ingest_rss:6.0f} MB")
    print(f"  {'allianceskg build, cold caches (same corpus)':<52} {rebuild:8.1f} {rebuild_rss:6.0f} MB")
    print(f"  ratio: {rebuild / ingest:.1f}x; releases identical: "
          f"{'yes' if not differ else 'no: ' + ', '.join(differ[:5])}")
    print("ingest said: " + (" ".join(said.split("\n", 2)[:2]) if "incrementally" in said
                             else "(a full build)"))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(new, ignore_errors=True)


if __name__ == "__main__":
    main()
