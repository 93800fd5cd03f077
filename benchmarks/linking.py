"""Precision and recall of `allianceskg link`'s matcher, by names alone.

    python benchmarks/linking.py [--data RELEASE]

The truth: `data/external/country-codes.csv`, whose ISO 3166-1 alpha-2 code names the
right state. The records given to the matcher keep only one name column at a time and
no identifier, so every match is made by name: the UN terminology's formal English
names ("the Islamic Republic of Afghanistan"), the French official names, the CLDR
display names, and the English short names with a typo put in by rule (two letters
swapped in the middle). Restricted by type (akg:Polity) and not, side by side.
A record counts as *proposed* when the matcher says matched; precision is the share of
proposed records linked to the right state, recall the share of all records linked to
the right state. Ambiguous records are the review queue.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from rdflib.namespace import RDFS

from allianceskg.analysis.linking import Entities, Matcher, Record
from allianceskg.model.load import load_ontology
from allianceskg.build.pipeline import ProjectPaths
from allianceskg.build.release import release_graphs
from allianceskg.vocab import AKG

COLUMNS = {"UN formal (en)": "UNTERM English Formal", "official (fr)": "official_name_fr",
           "CLDR display": "CLDR display name", "short (en), typo": "UNTERM English Short"}


def typo(name: str) -> str:
    """Swap two letters in the middle of the longest word."""
    words = name.split()
    if not words:
        return name
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    if len(word) >= 4:
        middle = len(word) // 2
        words[index] = word[:middle - 1] + word[middle] + word[middle - 1] + word[middle + 1:]
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    paths = ProjectPaths.default()
    graphs = release_graphs(args.data or paths.release)
    entities = Entities.of(graphs)
    ontology = load_ontology(paths.ontology)
    polities = frozenset({AKG.Polity, *ontology.transitive_subjects(RDFS.subClassOf, AKG.Polity)})
    codes = {str(o): s for g in graphs.values() for s, o in g.subject_objects(AKG.iso3166Alpha2)}
    with (paths.root / "data" / "external" / "country-codes.csv").open(encoding="utf-8") as handle:
        table = [row for row in csv.DictReader(handle) if row["ISO3166-1-Alpha-2"] in codes]
    print(f"{len(table)} countries and territories; one name column at a time, no identifiers")
    print(f"  {'names':22} {'type':8} {'records':>7} {'proposed':>8} {'right':>6} "
          f"{'precision':>9} {'recall':>7} {'ambiguous':>9} {'seconds':>7}")
    for title, column in COLUMNS.items():
        for typed in (False, True):
            matcher = Matcher(entities, polities if typed else frozenset())
            records = []
            for row in table:
                name = row[column].strip()
                if not name:
                    continue
                if "typo" in title:
                    name = typo(name)
                records.append((Record(row["ISO3166-1-Alpha-2"], None, (name,), {}),
                                codes[row["ISO3166-1-Alpha-2"]]))
            started = time.perf_counter()
            decisions = [(matcher.decide(record), truth) for record, truth in records]
            seconds = time.perf_counter() - started
            proposed = [(d, t) for d, t in decisions if d.status == "matched"]
            right = sum(d.best.entity == t for d, t in proposed)
            ambiguous = sum(d.status == "ambiguous" for d, _ in decisions)
            precision = right / len(proposed) if proposed else 0.0
            recall = right / len(records) if records else 0.0
            print(f"  {title:22} {'Polity' if typed else 'any':8} {len(records):>7} "
                  f"{len(proposed):>8} {right:>6} {precision:>9.3f} {recall:>7.3f} "
                  f"{ambiguous:>9} {seconds:>7.2f}")


if __name__ == "__main__":
    main()
