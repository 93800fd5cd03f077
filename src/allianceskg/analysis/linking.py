"""Link the release's entities to an external dataset (``allianceskg link``).

Input: a dataset — a CSV file with a header, or any RDF file — and the release.
Each record (a CSV row; an RDF subject with a name) is matched against our entities:

1. **by shared identifiers** first: ISO 3166-1 alpha-2 / alpha-3 / numeric, Wikidata
   QIDs, GeoNames ids (the columns are recognised by their headers; in RDF, links to
   Wikidata or GeoNames and literal codes), score 100;
2. **by name** otherwise: the record's names, normalised (case, accents, punctuation)
   and compared exactly (score 97), then fuzzily with rapidfuzz (whole-name, sorted-word
   and word-set similarity), restricted to entities of the requested type (``--type``,
   subclasses included).

A record is *matched* when its best candidate scores at least ``accept_score`` and leads
the next entity by ``margin``; *ambiguous* when candidates come close to each other;
*unmatched* otherwise. Output: a :class:`LinkReport` (written as CSV and HTML), and, when
accepted, a linkset graph: ``skos:exactMatch`` for identifier and exact-name matches,
``skos:closeMatch`` for fuzzy ones, described as a ``void:Linkset`` with its provenance
(who, when, the file by SHA-256, the method). Saved in ``data/links/``, the build puts
it into ``graph/links``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from rapidfuzz import fuzz, process
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from allianceskg.errors import AllianceskgError, InputFileError
from allianceskg.vocab import AKG, ID

LINKSET = "https://w3id.org/allianceskg/dataset/linkset/"
DATASET = URIRef("https://w3id.org/allianceskg/dataset")
WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"
SCHEMA_NAME = URIRef("https://schema.org/name")
FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")
_NAME_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SCHEMA_NAME, FOAF_NAME)

# Identifier kinds, and the CSV headers that carry them (compared without case,
# spaces, '-' and '_').
_HEADERS = {
    "iso2": {"iso31661alpha2", "alpha2", "iso2", "isoa2", "iso3166alpha2", "isocode2", "cca2"},
    "iso3": {"iso31661alpha3", "alpha3", "iso3", "isoa3", "iso3166alpha3", "cca3"},
    "isonum": {"iso31661numeric", "numeric", "isonumeric", "isonum", "ccn3", "m49"},
    "wikidata": {"wikidata", "qid", "wikidataid", "wikidataqid", "wikidataurl", "wikidatauri"},
    "geonames": {"geonameid", "geonamesid", "geonames"},
}
_NAME_HEADERS = ("name", "label", "title", "officialname", "officialnameen", "shortname",
                 "countryname", "cldrdisplayname", "unterm_english_short", "untermenglishshort",
                 "untermenglishformal")
_ID_HEADERS = ("id", "uri", "iri", "identifier", "url")
_OURS = {"iso2": AKG.iso3166Alpha2, "iso3": AKG.iso3166Alpha3, "isonum": AKG.iso3166Numeric,
         "wikidata": AKG.wikidataId, "geonames": AKG.geonamesId}


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lower())


def normalise(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded,
    runs of spaces and punctuation made one space (search uses it too)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def name_key(text: str) -> str:
    """A name as records are compared: normalised, without a leading "the"."""
    key = normalise(text)
    return key[4:] if key.startswith("the ") else key


def identifier(kind: str, value: str) -> str | None:
    """A code as compared: upper-case ISO codes, numeric codes without leading zeros,
    QIDs from an id or a Wikidata URL, GeoNames ids from an id or a GeoNames URL."""
    text = str(value).strip()
    if not text:
        return None
    if kind in ("iso2", "iso3"):
        return text.upper() if text.isalpha() else None
    if kind == "isonum":
        return str(int(text)) if text.isdigit() else None
    if kind == "wikidata":
        found = re.search(r"\b(Q\d+)\b", text)
        return found[1] if found else None
    if kind == "geonames":
        found = re.search(r"(\d+)", text)
        return found[1] if found else None
    return None


@dataclass(frozen=True)
class Record:
    """One entry of the external dataset."""

    key: str                       # its IRI, or its id in the file
    iri: URIRef | None
    names: tuple[str, ...]
    identifiers: dict[str, str]
    line: int = 0                  # CSV line (1 = header)


@dataclass(frozen=True)
class Candidate:
    entity: URIRef
    label: str
    score: float
    method: str                    # identifier:iso2 … | name:exact | name:fuzzy
    evidence: str


@dataclass
class Decision:
    record: Record
    status: str                    # matched | ambiguous | unmatched
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass
class LinkReport:
    source: Path
    sha256: str
    decisions: list[Decision]

    def count(self, status: str) -> int:
        return sum(d.status == status for d in self.decisions)


@dataclass(frozen=True)
class Entities:
    """What our side offers to match: names, identifiers and types per entity."""

    names: dict[URIRef, list[str]]
    labels: dict[URIRef, str]
    by_identifier: dict[tuple[str, str], set[URIRef]]
    types: dict[URIRef, set[URIRef]]

    @classmethod
    def of(cls, graphs: dict[URIRef, Graph]) -> Entities:
        names, labels = defaultdict(list), {}
        by_identifier, types = defaultdict(set), defaultdict(set)
        for graph in graphs.values():
            for s, p, o in graph:
                if not isinstance(s, URIRef) or not str(s).startswith(str(ID)):
                    continue
                if p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) and isinstance(o, Literal):
                    names[s].append(str(o))
                    if p == RDFS.label and o.language in ("en", None):
                        labels.setdefault(s, str(o))
                elif p == RDF.type:
                    types[s].add(o)
                elif p in (SKOS.exactMatch, OWL.sameAs) and isinstance(o, URIRef):
                    for kind, prefix in (("wikidata", WIKIDATA), ("geonames", GEONAMES)):
                        if str(o).startswith(prefix):
                            code = identifier(kind, str(o)[len(prefix):])
                            if code:
                                by_identifier[(kind, code)].add(s)
                for kind, prop in _OURS.items():
                    if p == prop:
                        code = identifier(kind, str(o))
                        if code:
                            by_identifier[(kind, code)].add(s)
        for node in names:
            labels.setdefault(node, names[node][0])
        return cls(dict(names), labels, dict(by_identifier), dict(types))


def read_records(path: Path) -> list[Record]:
    """The dataset's records: CSV rows, or the named subjects of an RDF file."""
    if not path.is_file():
        raise InputFileError(path, "file not found", hint="give the path of a CSV or RDF file")
    if path.suffix.lower() in (".csv", ".tsv"):
        return _csv_records(path)
    from allianceskg.rdf.rdfio import read_graph

    return _rdf_records(read_graph(path))


def _csv_records(path: Path) -> list[Record]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=delimiter))
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 text (byte {exc.start})",
                             hint="save the file as UTF-8") from None
    if not rows or not any(h.strip() for h in rows[0]):
        raise InputFileError(path, "the file has no header row", line=1,
                             hint="the first line names the columns: id, name, iso2, wikidata …")
    header = [_key(h) for h in rows[0]]
    kinds = {i: kind for i, h in enumerate(header) for kind, names in _HEADERS.items() if h in names}
    name_columns = [i for i, h in enumerate(header) if h in _NAME_HEADERS]
    id_column = next((i for i, h in enumerate(header) if h in _ID_HEADERS), None)
    if not name_columns and not kinds:
        raise InputFileError(path, "no column holds names or identifiers", line=1,
                             hint="name a column name or label (or iso2, iso3, wikidata, "
                                  "geonameid); found: " + ", ".join(rows[0]))
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputFileError(path, f"the row has {len(row)} fields; the header has "
                                       f"{len(header)}", line=number,
                                 hint="quote fields that contain the delimiter")
        names = tuple(dict.fromkeys(row[i].strip() for i in name_columns if row[i].strip()))
        codes = {kinds[i]: code for i in kinds if (code := identifier(kinds[i], row[i]))}
        key = row[id_column].strip() if id_column is not None and row[id_column].strip() else \
            f"line {number}"
        iri = URIRef(key) if re.match(r"^https?://\S+$", key) else None
        records.append(Record(key, iri, names, codes, number))
    return records


def _rdf_records(graph: Graph) -> list[Record]:
    records = []
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str):
        names = tuple(dict.fromkeys(str(o) for p in _NAME_PROPERTIES
                                    for o in graph.objects(subject, p) if isinstance(o, Literal)))
        codes = {}
        for o in graph.objects(subject, None):
            text = str(o)
            for kind, prefix in (("wikidata", WIKIDATA), ("wikidata", "https://www.wikidata.org/wiki/"),
                                 ("geonames", GEONAMES), ("geonames", "http://sws.geonames.org/")):
                if isinstance(o, URIRef) and text.startswith(prefix):
                    codes[kind] = identifier(kind, text[len(prefix):])
        for kind, prop in _OURS.items():
            value = graph.value(subject, prop)
            if value is not None and identifier(kind, str(value)):
                codes[kind] = identifier(kind, str(value))
        if names or codes:
            records.append(Record(str(subject), subject, names, {k: v for k, v in codes.items() if v}))
    return records


@dataclass
class Matcher:
    entities: Entities
    type_filter: frozenset[URIRef] = frozenset()
    accept_score: float = 90.0
    margin: float = 5.0
    cutoff: float = 75.0
    word_sets: bool = True         # score one name's words inside the other's (token-set)
    choices: _Choices = field(init=False)

    def __post_init__(self) -> None:
        """The names of the entities allowed, normalised, once."""
        keys, owners, exact = [], [], defaultdict(list)
        for node, labels in sorted(self.entities.names.items(), key=lambda x: str(x[0])):
            if not self.allowed(node):
                continue
            for label in dict.fromkeys(labels):
                key = name_key(label)
                if key:
                    keys.append(key)
                    owners.append((node, label))
                    exact[key].append((node, label))
        self.choices = _Choices(keys, owners, dict(exact))

    def allowed(self, node: URIRef) -> bool:
        return not self.type_filter or bool(self.entities.types.get(node, set()) & self.type_filter)

    def decide(self, record: Record) -> Decision:
        candidates = self._by_identifier(record) or self._by_name(record)
        candidates.sort(key=lambda c: (-c.score, str(c.entity)))
        if not candidates or candidates[0].score < self.cutoff:
            return Decision(record, "unmatched", candidates[:3])
        best = candidates[0]
        rival = next((c for c in candidates[1:] if c.entity != best.entity), None)
        if best.score >= self.accept_score and (rival is None or best.score - rival.score >= self.margin):
            return Decision(record, "matched", candidates[:3])
        return Decision(record, "ambiguous", candidates[:3])

    def _by_identifier(self, record: Record) -> list[Candidate]:
        found: dict[URIRef, Candidate] = {}
        for kind, code in sorted(record.identifiers.items()):
            for node in sorted(self.entities.by_identifier.get((kind, code), ()), key=str):
                if self.allowed(node) and node not in found:
                    found[node] = Candidate(node, self.entities.labels.get(node, ""), 100.0,
                                            f"identifier:{kind}", f"{kind} {code} on both sides")
        return list(found.values())

    def _by_name(self, record: Record) -> list[Candidate]:
        choices = self.choices
        best: dict[URIRef, Candidate] = {}
        for name in record.names:
            key = name_key(name)
            if not key:
                continue
            for node, label in choices.exact.get(key, ()):
                self._offer(best, Candidate(node, self.entities.labels.get(node, label), 97.0,
                                            "name:exact", f"“{name}” = “{label}” (normalised)"))
            for index, score, how in _fuzzy(key, choices.keys, self.cutoff, self.word_sets):
                node, label = choices.owners[index]
                self._offer(best, Candidate(node, self.entities.labels.get(node, label),
                                            round(min(score, 96.0), 1), "name:fuzzy",
                                            f"“{name}” ~ “{label}” ({how} {score:.0f})"))
        return list(best.values())

    @staticmethod
    def _offer(best: dict, candidate: Candidate) -> None:
        old = best.get(candidate.entity)
        if old is None or candidate.score > old.score:
            best[candidate.entity] = candidate


# Whole-name similarity (edit distance, and the same with the words sorted), and the
# word-set similarity at 0.9 (one name's words all in the other: "Korea" ~ "North
# Korea"). rapidfuzz's WRatio also scores partial substrings, which matched "Nowhere
# Land" to Ireland at 77: too generous for record linkage.
_SCORERS = ((fuzz.ratio, 1.0, "ratio"), (fuzz.token_sort_ratio, 1.0, "token-sort"),
            (fuzz.token_set_ratio, 0.9, "token-set × 0.9"))


def _fuzzy(key: str, keys: list[str], cutoff: float,
           word_sets: bool = True) -> list[tuple[int, float, str]]:
    """(index, score, scorer) of the names close to ``key``, best score per name."""
    best: dict[int, tuple[float, str]] = {}
    for scorer, weight, how in _SCORERS if word_sets else _SCORERS[:2]:
        for _, score, index in process.extract(key, keys, scorer=scorer, limit=10,
                                               score_cutoff=cutoff / weight):
            weighted = score * weight
            if index not in best or weighted > best[index][0]:
                best[index] = (weighted, how)
    return [(index, score, how) for index, (score, how) in best.items()]


@dataclass(frozen=True)
class _Choices:
    keys: list[str]
    owners: list[tuple[URIRef, str]]
    exact: dict[str, list[tuple[URIRef, str]]]


def link(path: Path, graphs: dict[URIRef, Graph], *, types: tuple[URIRef, ...] = (),
         ontology: Graph | None = None) -> LinkReport:
    """Match every record of ``path`` against the release's entities."""
    entities = Entities.of(graphs)
    wanted = set(types)
    if ontology is not None and wanted:  # a type includes its subclasses
        for cls in list(wanted):
            wanted.update(ontology.transitive_subjects(RDFS.subClassOf, cls))
    matcher = Matcher(entities, frozenset(wanted))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return LinkReport(path, digest, [matcher.decide(r) for r in read_records(path)])


# The kinds of thing a candidate link may join: a minted agreement is never offered a
# state, nor a minted bloc a city.
_FAMILIES = (AKG.Actor, AKG.Agreement, AKG.Place, AKG.Event, AKG.Policy, AKG.Risk, AKG.Topic)


def candidate_links(minted, graphs: dict[URIRef, Graph], supers: dict[URIRef, frozenset[URIRef]],
                    *, minimum: float = 85.0) -> dict[URIRef, list[Candidate]]:
    """Candidate links for the automatic layer's entities (issue 11: proposed, never
    accepted). Each minted entity (``minted``: objects with ``iri``, ``type`` and
    ``label``) is matched by name, as ``link`` matches a record, against the entities of
    ``graphs`` (the reference data and curated entities: the offline data the project
    ships) of the same family of types (``supers``: class -> its superclasses). Returns,
    per minted IRI, the candidates scoring at least ``minimum``, best first."""
    minted = [m for m in minted if linkable(m.type, supers)]
    if not minted:
        return {}
    ours = {m.iri for m in minted}
    everything = Entities.of(graphs)
    entities = Entities({n: v for n, v in everything.names.items() if n not in ours},
                        everything.labels, everything.by_identifier, everything.types)
    by_family: dict[frozenset, list] = defaultdict(list)
    for entity in minted:
        by_family[frozenset(supers.get(entity.type, {entity.type}) & set(_FAMILIES))].append(entity)
    found: dict[URIRef, list[Candidate]] = {}
    for family, members in sorted(by_family.items(), key=lambda x: sorted(map(str, x[0]))):
        allowed = frozenset(c for c, above in supers.items() if above & family)
        # Whole names only: a minted "Eurasian Economic Union" holds the words of the
        # reference's "the Union" and is not the European Union.
        matcher = Matcher(entities, allowed, cutoff=minimum, word_sets=False)
        for entity in sorted(members, key=lambda m: str(m.iri)):
            decision = matcher.decide(Record(str(entity.iri), entity.iri, (entity.label,), {}))
            kept = [c for c in decision.candidates if c.score >= minimum]
            if kept:
                found[entity.iri] = kept
    return found


def linkable(kind: URIRef, supers: dict[URIRef, frozenset[URIRef]]) -> bool:
    """Whether a minted entity of type ``kind`` gets candidate links (its family has
    entities to match: actors, agreements, places, …)."""
    return bool(supers.get(kind, frozenset({kind})) & set(_FAMILIES))


def candidate_graph(found: dict[URIRef, list[Candidate]], graphs: dict[URIRef, Graph]) -> Graph:
    """``akg:candidateMatch`` from each minted entity to its candidates and to their
    own external links (Wikidata, GeoNames), for graph/links."""
    graph = Graph()
    for node, candidates in found.items():
        for candidate in candidates:
            graph.add((node, AKG.candidateMatch, candidate.entity))
            for source in graphs.values():
                for target in source.objects(candidate.entity, SKOS.exactMatch):
                    if isinstance(target, URIRef) and not str(target).startswith(str(ID)):
                        graph.add((node, AKG.candidateMatch, target))
    return graph


def write_report(report: LinkReport, folder: Path) -> tuple[Path, Path]:
    """``report.csv`` and ``report.html`` in ``folder``: every record, its status, best
    candidates with score, method and evidence."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for decision in report.decisions:
        candidates = decision.candidates or [None]
        for rank, candidate in enumerate(candidates, start=1):
            rows.append([decision.record.key, " | ".join(decision.record.names), decision.status,
                         rank if candidate else "", str(candidate.entity) if candidate else "",
                         candidate.label if candidate else "", candidate.score if candidate else "",
                         candidate.method if candidate else "", candidate.evidence if candidate else ""])
    header = ["record", "names", "status", "rank", "entity", "entity_label", "score", "method",
              "evidence"]
    csv_path = folder / "report.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    html_path = folder / "report.html"
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
                   for row in rows)
    summary = ", ".join(f"{report.count(s)} {s}" for s in ("matched", "ambiguous", "unmatched"))
    html_path.write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Links to '
        f'{html.escape(report.source.name)}</title></head><body><h1>Links to '
        f'{html.escape(report.source.name)}</h1><p>{summary}; file SHA-256 {report.sha256}</p>'
        f'<table><thead><tr>{"".join(f"<th>{h}</th>" for h in header)}</tr></thead>'
        f"<tbody>{body}</tbody></table></body></html>\n", encoding="utf-8")
    return csv_path, html_path


def linkset_graph(report: LinkReport, name: str, *, base: str | None = None,
                  agent: str = "allianceskg link", when: datetime | None = None) -> Graph:
    """The matched records as links, with the linkset's VoID and PROV description."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", name):
        raise AllianceskgError(f"the linkset name {name!r} is not a lower-case slug",
                               hint="use letters, digits and '-', e.g. --name my-dataset")
    linkset = URIRef(LINKSET + name)
    graph = Graph()
    when = when or datetime.now(timezone.utc).replace(microsecond=0)
    source = URIRef(f"urn:sha256:{report.sha256}")
    counts = defaultdict(int)
    for decision in report.decisions:
        if decision.status != "matched":
            continue
        target = decision.record.iri or (URIRef(base + decision.record.key) if base else None)
        if target is None:
            raise AllianceskgError(
                f"record {decision.record.key!r} has no IRI to link to",
                hint="give --base IRI: the record ids are appended to it (or put IRIs in an "
                     "id column)")
        predicate = SKOS.closeMatch if decision.best.method == "name:fuzzy" else SKOS.exactMatch
        graph.add((decision.best.entity, predicate, target))
        counts[predicate] += 1
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, VOID.subjectsTarget, DATASET))
    graph.add((linkset, DCTERMS.title, Literal(f"links to {report.source.name}", lang="en")))
    for predicate in sorted(counts):
        graph.add((linkset, VOID.linkPredicate, predicate))
    graph.add((linkset, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    graph.add((linkset, PROV.wasAttributedTo, Literal(agent)))
    graph.add((linkset, PROV.generatedAtTime, Literal(when.isoformat(), datatype=XSD.dateTime)))
    graph.add((linkset, PROV.wasDerivedFrom, source))
    graph.add((source, DCTERMS.title, Literal(report.source.name)))
    graph.add((source, AKG.sha256, Literal(report.sha256)))
    graph.add((linkset, DCTERMS.description, Literal(
        "Matched by shared identifiers (ISO 3166-1, Wikidata, GeoNames), else by normalised "
        "names (exact: skos:exactMatch) and rapidfuzz similarity ≥ 90 with a lead of 5 over "
        "the next entity (skos:closeMatch).", lang="en")))
    return graph
