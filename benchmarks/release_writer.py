"""Writing a release: the VoID description and the canonical TriG/Turtle writer, timed
on a built release, against the same code at a baseline commit, in one run.

    python benchmarks/release_writer.py --home HOME [--baseline COMMIT]

HOME is a project with a built release (``benchmarks/incremental.py --keep DIR`` leaves a
1,000-document one). With ``--baseline``, ``build/release.py`` of that commit is loaded
beside the current one (it must import against today's package) and both describe the
same graphs, interleaved; the outputs must be byte-identical.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from allianceskg.build import release as current
from allianceskg.build.release import release_graphs
from allianceskg.rdf.serialize import Writer
from allianceskg.vocab import PREFIXES

ROOT = Path(__file__).resolve().parent.parent


def baseline_module(commit: str):
    source = subprocess.run(["git", "show", f"{commit}:src/allianceskg/build/release.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "release_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("release_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--baseline", default=None)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    graphs = release_graphs(args.home / "data" / "kg")
    print(f"release: {sum(len(g) for g in graphs.values())} triples in {len(graphs)} graphs "
          f"(read in {time.perf_counter() - started:.1f} s)")
    versions = [("now", current)] + ([(args.baseline, baseline_module(args.baseline))]
                                     if args.baseline else [])
    timings: dict[str, list[float]] = {name: [] for name, _ in versions}
    texts: dict[str, str] = {}
    for _ in range(args.repeat):
        for name, module in versions:
            gc.collect()  # neither run pays for the other's garbage
            began = time.perf_counter()
            void = module.void_graph(graphs)
            timings[name].append(time.perf_counter() - began)
            texts[name] = Writer(PREFIXES).turtle(void)
    print("VoID description of the release (void_graph), seconds per run:")
    for name, values in timings.items():
        print(f"  {name:<12}" + "  ".join(f"{v:6.1f}" for v in values) + f"   best {min(values):.1f}")
    if args.baseline:
        print(f"  ratio (now / {args.baseline}, best runs): "
              f"{min(timings['now']) / min(timings[args.baseline]):.2f}; "
              f"identical output: {texts['now'] == texts[args.baseline]}")
    began = time.perf_counter()
    Writer(PREFIXES).release(list(graphs.items()))
    print(f"canonical TriG and per-graph Turtle (Writer.release): {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
