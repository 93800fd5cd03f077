"""The build at scale: synthetic corpora of N documents (benchmarks/synthetic.py), each
built in a fresh process, with the time of every stage, the release's size and the
process's peak resident memory — the baseline the scale issue is measured against.

    python benchmarks/scale.py --sizes 10 50 100

Each corpus is a copy of the project's model (ontology, queries, reference data) with
the synthetic articles as its seeds and no curated claims.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import write_corpus  # noqa: E402

BUILD = """
import json, resource, sys, time
from pathlib import Path
from allianceskg.pipeline import ProjectPaths, build
from allianceskg.release import write_release
home = Path(sys.argv[1])
started = time.perf_counter()
result = build(ProjectPaths(home))
built = time.perf_counter()
write_release(result, home / "data" / "kg")
done = time.perf_counter()
print(json.dumps({"timings": result.timings, "write": round(done - built, 3),
                  "total": round(done - started, 3),
                  "triples": sum(len(g) for g in result.graphs.values()),
                  "claims": result.claims,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
STAGES = ("model", "corpus", "nlp", "mentions", "claims", "graphs", "validate", "reason")


def home_with(count: int, folder: Path) -> Path:
    home = folder / f"home-{count}"
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, home / name)
    (home / "data" / "claims").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "reference", home / "data" / "reference")
    shutil.copytree(ROOT / "data" / "external", home / "data" / "external")
    write_corpus(count, home / "seeds")
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10, 50, 100])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.sizes:
            home = home_with(count, Path(tmp))
            result = subprocess.run([sys.executable, "-c", BUILD, str(home)], capture_output=True,
                                    text=True, timeout=24 * 3600)
            if result.returncode != 0:
                raise SystemExit(f"the build of {count} documents failed:\n{result.stderr[-3000:]}")
            rows.append((count, json.loads(result.stdout.strip().splitlines()[-1])))
    header = "  ".join(f"{s:>8}" for s in STAGES)
    print("Full build of synthetic corpora (one fresh process each; seconds per stage):")
    print(f"  {'documents':>9} {'claims':>7} {'triples':>8}  {header}  {'write':>6} {'total':>7} {'peak RSS':>9}")
    for count, r in rows:
        stages = "  ".join(f"{r['timings'].get(s, 0):8.2f}" for s in STAGES)
        print(f"  {count:>9} {r['claims']:>7} {r['triples']:>8}  {stages}  {r['write']:6.2f} "
              f"{r['total']:7.1f} {r['rss_mb']:6.0f} MB")


if __name__ == "__main__":
    main()
