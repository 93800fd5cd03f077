"""Mentions on large documents: time and memory against the issue's 30 s per 1 MB.

Builds documents of 100 KB, 1 MB (and, with --sizes, others) from the tuning split's
articles (benchmarks/extraction/tuning/, never the held-out ones), then times, in one
process, the spaCy parse (nlp stage) and the mention finding (mentions stage) that
the build runs on them, and prints the seconds per megabyte so linearity shows.

    python benchmarks/mentions.py                 # 100 KB and 1 MB
    python benchmarks/mentions.py --sizes 0.1 0.5 1 2
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from allianceskg.build.corpus import load_document  # noqa: E402
from allianceskg.reading.mentions import build_gazetteer, find_mentions  # noqa: E402
from allianceskg.model.load import load_ontology, load_reference  # noqa: E402
from allianceskg.build.pipeline import ProjectPaths  # noqa: E402
from allianceskg.reading.nlp import load_pipeline, parse_document  # noqa: E402

TARGET_SECONDS_PER_MB = 30.0


def corpus_text(megabytes: float) -> str:
    articles = sorted((ROOT / "benchmarks" / "extraction" / "tuning").glob("*.txt")) + \
        sorted((ROOT / "benchmarks" / "extraction" / "tuning").glob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in articles]
    size, parts, i = int(megabytes * 1_000_000), [], 0
    while sum(len(p) for p in parts) < size:
        parts.append(texts[i % len(texts)])
        i += 1
    return "\n\n".join(parts)[:size]


def measure(megabytes: float, folder: Path, gazetteer) -> dict:
    path = folder / f"big-{megabytes}.txt"
    path.write_text(corpus_text(megabytes), encoding="utf-8")
    path.with_name(path.stem + ".meta.yaml").write_text(
        "title: big\nlanguage: en\ndocument_type: article\n", encoding="utf-8")
    document = load_document(path)
    started = time.perf_counter()
    parse = parse_document(document, max_chars=len(document.text) + 1)
    parsed = time.perf_counter()
    mentions, candidates = find_mentions(document, gazetteer, parse)
    done = time.perf_counter()
    return {"chars": len(document.text), "sentences": len(document.sentences),
            "parse": parsed - started, "mentions": done - parsed, "total": done - started,
            "found": len(mentions), "candidates": len(candidates)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[0.1, 1.0],
                        help="document sizes in MB (default: 0.1 1)")
    args = parser.parse_args()
    paths = ProjectPaths.default()
    gazetteer = build_gazetteer(load_reference(paths.reference), load_ontology(paths.ontology))
    load_pipeline()  # loading the model is not part of the per-document cost
    print(f"Mentions of one large document (tuning-split articles repeated); target "
          f"{TARGET_SECONDS_PER_MB:.0f} s per MB, parse included:")
    print(f"  {'size':>8} {'sentences':>9} {'parse s':>8} {'mentions s':>10} {'total s':>8} "
          f"{'s per MB':>8} {'mentions':>8} {'candidates':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            r = measure(size, Path(tmp), gazetteer)
            per_mb = r["total"] / (r["chars"] / 1_000_000)
            print(f"  {r['chars'] / 1e6:>6.2f}MB {r['sentences']:>9} {r['parse']:>8.2f} "
                  f"{r['mentions']:>10.2f} {r['total']:>8.2f} {per_mb:>8.2f} {r['found']:>8} "
                  f"{r['candidates']:>10}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak resident size: {peak:.0f} MB; target met: "
          f"{'yes' if per_mb < TARGET_SECONDS_PER_MB else 'NO'} ({per_mb:.1f} s per MB)")


if __name__ == "__main__":
    main()
