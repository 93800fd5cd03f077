"""Benchmark the build: time and peak memory of a full build of the seed corpus, per
stage; and our reasoning step against plain owlrl on the same graph.

Run from the project root:  python benchmarks/build.py [--repeat 3]
On another corpus (a project folder, such as a synthetic one from benchmarks/scale.py
--keep), reasoning only:  python benchmarks/build.py --home DIR --reasoning-only --repeat 1

Everything runs in this one process, side by side, so the ratios hold on a noisy
machine. Peak memory per stage is the high-water mark of Python allocations
(tracemalloc) during that stage, measured in a separate pass because tracing slows
the build; the process's peak resident size is printed too.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import owlrl
from rdflib import Graph

from allianceskg.model.load import load_ontology
from allianceskg.build.pipeline import ProjectPaths, build
from allianceskg.build.reasoning import _is_noise, infer
from allianceskg.vocab import GRAPH


def timed_builds(paths: ProjectPaths, repeat: int) -> list[dict[str, float]]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = build(paths)
        runs.append({**result.timings, "total": time.perf_counter() - started})
    return runs


def memory_per_stage(paths: ProjectPaths) -> dict[str, float]:
    """Peak traced allocation (MB) within each stage."""
    peaks: dict[str, float] = {}
    current = {"stage": None}

    def progress(stage: str) -> None:
        if current["stage"] is not None:
            peaks[current["stage"]] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.reset_peak()
        current["stage"] = stage

    tracemalloc.start()
    build(paths, progress=progress)
    peaks[current["stage"]] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return peaks


def reasoning_input(paths: ProjectPaths) -> Graph:
    """The graph the build reasons over: everything asserted but mentions and links."""
    result = build(paths)
    skip = {GRAPH["ontology"], GRAPH["mentions"], GRAPH["links"], GRAPH["inferred"]}
    data = Graph()
    for name, graph in result.graphs.items():
        if name not in skip:
            for triple in graph:
                data.add(triple)
    return data


def plain_owlrl(ontology: Graph, data: Graph) -> tuple[float, set, int]:
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    for triple in data:
        graph.add(triple)
    before = set(graph)
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    elapsed = time.perf_counter() - started
    raw = set(graph) - before
    return elapsed, raw, len(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--home", type=Path, default=None, help="project folder to build")
    parser.add_argument("--reasoning-only", action="store_true")
    args = parser.parse_args()
    paths = ProjectPaths(args.home) if args.home else ProjectPaths.default()
    if not args.reasoning_only:
        print_builds(paths, args.repeat)
    compare_reasoning(paths, args.repeat)


def print_builds(paths: ProjectPaths, repeat: int) -> None:
    runs = timed_builds(paths, repeat)
    stages = list(runs[0])
    peaks = memory_per_stage(paths)
    print(f"Full build of the seed corpus ({repeat} runs, median seconds; "
          "peak traced memory per stage):")
    print(f"  {'stage':<10} {'seconds':>8} {'min':>7} {'max':>7} {'peak MB':>8}")
    for stage in stages:
        values = [run[stage] for run in runs]
        peak = f"{peaks[stage]:8.1f}" if stage in peaks else f"{'':>8}"
        print(f"  {stage:<10} {statistics.median(values):8.3f} {min(values):7.3f} "
              f"{max(values):7.3f} {peak}")
    print(f"  process peak resident size: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def compare_reasoning(paths: ProjectPaths, repeat: int) -> None:
    ontology, data = load_ontology(paths.ontology), reasoning_input(paths)
    ours, plain = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        inference = infer(ontology, data)
        ours.append(time.perf_counter() - started)
        elapsed, raw, raw_count = plain_owlrl(ontology, data)
        plain.append(elapsed)
    cleaned = {t for t in raw if not _is_noise(t, ontology)}
    mine = set(inference.triples)
    print()
    print(f"Reasoning over {len(data)} asserted triples + {len(ontology)} ontology triples "
          f"({repeat} runs each, interleaved, median seconds):")
    print(f"  allianceskg.build.reasoning.infer          {statistics.median(ours):7.3f} s")
    print(f"  owlrl DeductiveClosure(OWLRL).expand {statistics.median(plain):7.3f} s")
    print(f"  ratio (ours / plain)                 {statistics.median(ours) / statistics.median(plain):7.2f}")
    print(f"  plain owlrl new triples: {raw_count}; after removing noise: {len(cleaned)}; "
          f"ours: {len(mine)}")
    print(f"  entailments that differ once noise is removed: {len(cleaned ^ mine)} "
          f"(only plain: {len(cleaned - mine)}, only ours: {len(mine - cleaned)})")


if __name__ == "__main__":
    main()
