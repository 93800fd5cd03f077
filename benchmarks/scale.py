"""The build at scale: corpora of N documents, each built in a fresh process, with the
time of every stage, the release's size and the process's peak resident memory; with
``--baseline REV``, the same corpora built by the project at commit REV (a git
worktree, in the same run) for comparison.

    python benchmarks/scale.py --sizes 10 100 1000 [--corpus synthetic|seed-copies]
                               [--baseline e602928 --baseline-sizes 10 100]

Corpora: ``synthetic`` (benchmarks/synthetic.py: articles read by the automatic layer,
no curated claims) or ``seed-copies`` (N copies of the seed article with its curated
claims, as the scale issue measured). Each is a copy of the project's model
(ontology, queries, reference data); caches start empty.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import write_corpus  # noqa: E402

BUILD = """
import inspect, json, resource, sys, time
from pathlib import Path
from allianceskg.build.pipeline import ProjectPaths, build
from allianceskg.build.release import write_release
home = Path(sys.argv[1])
# as 'allianceskg build' does: with the state an ingest continues from, where there is one
state = ({"state_file": home / "data" / "cache" / "release-state.pickle"}
         if "state_file" in inspect.signature(write_release).parameters else {})
started = time.perf_counter()
result = build(ProjectPaths(home))
built = time.perf_counter()
write_release(result, home / "data" / "kg", **state)
done = time.perf_counter()
print(json.dumps({"timings": result.timings, "write": round(done - built, 3),
                  "total": round(done - started, 3),
                  "triples": sum(len(g) for g in result.graphs.values()),
                  "claims": result.claims,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
STAGES = ("model", "corpus", "nlp", "mentions", "claims", "graphs", "validate", "links", "reason")


def home_with(count: int, folder: Path, corpus: str = "synthetic") -> Path:
    home = folder / f"home-{count}-{corpus}"
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, home / name)
    (home / "data" / "claims").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", home / "data" / "reference")
    shutil.copytree(ROOT / "data" / "external", home / "data" / "external")
    if corpus == "synthetic":
        write_corpus(count, home / "seeds")
    else:
        (home / "seeds").mkdir()
        seed = next(p for p in sorted((ROOT / "seeds").glob("000_*.txt")))
        claims = ROOT / "data" / "claims" / f"{seed.stem}.yaml"
        for index in range(count):
            name = f"{index:04d}_{seed.stem.split('_', 1)[1]}"
            # the corpus refuses identical documents: each copy ends with its number
            text = seed.read_text(encoding="utf-8").rstrip("\n") + f"\n\nCopy {index + 1}.\n"
            (home / "seeds" / f"{name}.txt").write_text(text, encoding="utf-8")
            shutil.copy(seed.with_name(f"{seed.stem}.meta.yaml"),
                        home / "seeds" / f"{name}.meta.yaml")
            (home / "data" / "claims" / f"{name}.yaml").write_text(claims.read_text(
                encoding="utf-8").replace(f"document: {seed.stem}", f"document: {name}"),
                encoding="utf-8")
    return home


def worktree(revision: str, folder: Path) -> Path:
    """The project's source at ``revision``, checked out beside the runs."""
    target = folder / f"baseline-{revision}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(target),
                    revision], check=True, capture_output=True)
    return target


def measure(home: Path, source: Path | None) -> dict:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    result = subprocess.run([sys.executable, "-c", BUILD, str(home)], capture_output=True,
                            text=True, timeout=24 * 3600, env=env)
    if result.returncode != 0:
        return {"failed": result.stderr.strip().splitlines()[-1][:160]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10, 50, 100])
    parser.add_argument("--corpus", choices=("synthetic", "seed-copies"), default="synthetic")
    parser.add_argument("--baseline", default=None, help="a git revision to compare with")
    parser.add_argument("--baseline-sizes", nargs="+", type=int, default=None)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = worktree(args.baseline, Path(tmp)) if args.baseline else None
        try:
            for count in args.sizes:
                for name, tree in (("now", None), (f"at {args.baseline}", source)):
                    if tree is None and name != "now":
                        continue
                    if name != "now" and args.baseline_sizes and count not in args.baseline_sizes:
                        continue
                    home = home_with(count, Path(tmp) / name.replace(" ", "-"), args.corpus)
                    rows.append((count, name, measure(home, tree)))
                    shutil.rmtree(home, ignore_errors=True)
        finally:
            if source is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(source)], capture_output=True)
    header = "  ".join(f"{s:>8}" for s in STAGES)
    print(f"Full build of {args.corpus} corpora (one fresh process each; seconds per stage):")
    print(f"  {'documents':>9} {'build':<14} {'claims':>7} {'triples':>8}  {header}  {'write':>6} "
          f"{'total':>7} {'peak RSS':>9}")
    for count, name, r in rows:
        if "failed" in r:
            print(f"  {count:>9} {name:<14} failed: {r['failed']}")
            continue
        stages = "  ".join(f"{r['timings'].get(s, 0):8.2f}" for s in STAGES)
        print(f"  {count:>9} {name:<14} {r['claims']:>7} {r['triples']:>8}  {stages}  "
              f"{r['write']:6.2f} {r['total']:7.1f} {r['rss_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
