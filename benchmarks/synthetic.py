"""A synthetic corpus for measuring speed at scale: N articles about alliances among
the reference data's states and organisations, with varied sentence patterns —
agreements with lists of parties, statuses, dates and summits; measures imposed by
one actor on another; stances; memberships; capitals standing for their governments
(metonyms); hedges, negations, denials and attributions.

Quality is judged on the hand-written articles of ``benchmarks/extraction/``; these
are for time and memory only. The output is deterministic for a seed.

    python benchmarks/synthetic.py --count 100 --out /tmp/corpus [--seed 1]

writes ``synthetic-0001.txt`` … with their ``.meta.yaml`` sidecars into ``--out``
(a ``seeds/`` folder for ``ALLIANCESKG_HOME``).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rdflib.namespace import RDF, RDFS  # noqa: E402

from allianceskg.model.load import load_reference  # noqa: E402
from allianceskg.vocab import AKG  # noqa: E402


@dataclass(frozen=True)
class Actor:
    name: str           # "Japan"
    demonym: str        # "Japanese" (or the name again)
    seat: str | None    # "Tokyo", used as a metonym


TOPICS = ["semiconductors", "critical minerals", "rare earths", "battery supply chains",
          "maritime security", "clean energy", "artificial intelligence", "cybersecurity",
          "digital trade", "food security", "shipbuilding", "undersea cables"]
GOODS = ["gallium", "germanium", "graphite", "lithium", "nickel ore", "cobalt", "rare-earth magnets",
         "advanced chips", "chip-making tools", "fertiliser", "steel", "solar panels"]
MEASURES = ["export controls", "tariffs", "sanctions", "a licensing regime", "a ban on exports",
            "investment screening rules"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
KINDS = ["partnership", "alliance", "framework", "trade agreement", "security pact",
         "supply-chain initiative", "dialogue"]


def actors() -> tuple[list[Actor], list[Actor]]:
    """States (with demonym and seat) and organisations of the reference data."""
    reference = load_reference()
    seats = {state: str(reference.value(city, RDFS.label))
             for state, city in reference.subject_objects(AKG.hasSeat)}

    def english(node, predicate) -> str | None:
        for value in reference.objects(node, predicate):
            if getattr(value, "language", None) == "en":
                return str(value)
        return None

    states = []
    for state in sorted(reference.subjects(RDF.type, AKG.State)):
        name = english(state, RDFS.label)
        if name and "," not in name and "(" not in name:
            states.append(Actor(name, english(state, AKG.demonym) or name, seats.get(state)))
    organisations = [Actor("the " + english(o, RDFS.label), english(o, RDFS.label), None)
                     for kind in (AKG.InternationalOrganisation, AKG.InformalForum,
                                  AKG.SupranationalUnion)
                     for o in sorted(reference.subjects(RDF.type, kind)) if english(o, RDFS.label)]
    return states, organisations


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _date(rng: random.Random) -> str:
    """A date with its preposition: "on 3 March 2025" or "in March 2025"."""
    year = rng.randint(2019, 2026)
    if rng.random() < 0.5:
        return f"on {rng.randint(1, 28)} {rng.choice(MONTHS)} {year}"
    return f"in {rng.choice(MONTHS)} {year}"


def _subject(actor: Actor, rng: random.Random) -> str:
    """The actor by name, or its capital standing for its government."""
    if actor.seat and rng.random() < 0.25:
        return actor.seat
    return actor.name


def sentence(states: list[Actor], organisations: list[Actor], rng: random.Random) -> str:
    a, b, c = rng.sample(states, 3)
    topic, good, kind = rng.choice(TOPICS), rng.choice(GOODS), rng.choice(KINDS)
    pattern = rng.randrange(14)
    if pattern == 0:
        parties = [x.name for x in rng.sample(states, rng.randint(2, 4))]
        return f"{_list(parties)} signed a {kind} on {topic} {_date(rng)}."
    if pattern == 1:
        return (f"{a.name} and {b.name} launched a {kind} on {topic} at a summit in "
                f"{c.seat or c.name}.")
    if pattern == 2:
        return f"{a.name} and {b.name} may sign a {kind} on {topic} next year, officials said."
    if pattern == 3:
        return f"It is unlikely that {a.name} and {b.name} will conclude a {kind} before {rng.randint(2027, 2030)}."
    if pattern == 4:
        return f"{a.name} has not signed the {kind} with {b.name}, despite months of talks."
    if pattern == 5:
        return f"Reports that {a.name} and {b.name} had signed a deal on {good} were denied by {a.seat or a.name}."
    if pattern == 6:
        return f"{_subject(a, rng)} imposed {rng.choice(MEASURES)} on {b.name} over {good} {_date(rng)}."
    if pattern == 7:
        return f"New restrictions on exports of {good} to {b.demonym} buyers were imposed by {a.name}."
    if pattern == 8:
        verb = rng.choice(["condemned", "criticised", "welcomed", "backed", "opposed"])
        return f"{_subject(a, rng)} {verb} the {kind} between {b.name} and {c.name}."
    if pattern == 9:
        org = rng.choice(organisations)
        return f"{a.name} joined {org.name} in {rng.randint(1990, 2025)}, and {b.name} is a member too."
    if pattern == 10:
        return (f"{a.demonym} officials argue that the {kind} with {b.name} will reduce their "
                f"dependence on {c.name} for {good}.")
    if pattern == 11:
        return f"The {kind} could counter {c.demonym} influence in {topic}, analysts say."
    if pattern == 12:
        return f"{a.name} plans to expand its {kind} with {b.name} to cover {topic}."
    return (f"The COVID-19 pandemic exposed {a.demonym} dependence on imported {good}, "
            f"pushing {_subject(a, rng)} towards {b.name}.")


def article(index: int, states: list[Actor], organisations: list[Actor], rng: random.Random) -> str:
    a, b = rng.sample(states, 2)
    title = f"{a.name} and {b.name} weigh a new {rng.choice(KINDS)} on {rng.choice(TOPICS)}"
    paragraphs = []
    for _ in range(rng.randint(3, 6)):
        paragraphs.append(" ".join(sentence(states, organisations, rng)
                                   for _ in range(rng.randint(2, 5))))
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(count: int, out: Path, seed: int = 1) -> list[Path]:
    """Write ``count`` articles and their sidecars into ``out``; return the articles."""
    rng = random.Random(seed)
    states, organisations = actors()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(1, count + 1):
        path = out / f"synthetic-{index:04d}.txt"
        path.write_text(article(index, states, organisations, rng), encoding="utf-8")
        path.with_name(path.stem + ".meta.yaml").write_text(
            f"title: synthetic article {index}\nlanguage: en\ndocument_type: news\n"
            f"author: unknown\npublished: unknown\nsource: benchmarks/synthetic.py seed {seed}\n",
            encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    written = write_corpus(args.count, args.out, args.seed)
    size = sum(p.stat().st_size for p in written)
    print(f"Wrote {len(written)} articles ({size / 1e6:.2f} MB) to {args.out}")


if __name__ == "__main__":
    main()
