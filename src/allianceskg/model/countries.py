"""Turn the ISO 3166 country table into reference RDF: one polity per row.

Input: ``data/external/country-codes.csv`` (the public ``datasets/country-codes``
table, ODC-PDDL; GeoNames IDs CC BY 4.0). Output: an rdflib Graph with, for each of
the 249 countries and territories, its type (state, dependent territory, or polity
when its status is contested), English and UN-language labels, aliases, ISO 3166-1
codes, its UN M49 region, and ``skos:exactMatch`` links to Wikidata and GeoNames.
``allianceskg reference`` writes it to ``data/reference/countries.ttl``; a test checks
the committed file equals a fresh conversion.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from allianceskg.errors import InputFileError
from allianceskg.vocab import AKG, GEONAMES, ID, WD

# CLDR's short display names that are abbreviations make poor labels; the curated
# aliases for these states live in data/reference/entities.ttl.
_LABEL_OVERRIDES = {"US": "United States", "UK": "United Kingdom"}
# The UN official names in the table, by the language tag they get.
_OFFICIAL_NAMES = {
    "fr": "official_name_fr",
    "es": "official_name_es",
    "ru": "official_name_ru",
    "ar": "official_name_ar",
    "zh": "official_name_cn",
}
_REQUIRED = ("ISO3166-1-Alpha-2", "ISO3166-1-Alpha-3", "ISO3166-1-numeric",
             "CLDR display name", "is_independent", "Geoname ID", "wikidata_id")
_WORLD = ID["region-world"]
_WIKIDATA_URL = re.compile(r"^https?://www\.wikidata\.org/wiki/(Q[0-9]+)$")


@dataclass(frozen=True)
class Region:
    """A UN M49 region and the region it lies in (None for a top-level region)."""

    name: str
    code: str
    parent: Region | None


def slug(name: str) -> str:
    """A readable IRI slug: ASCII, lowercase, words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read the CSV, refusing it with the file and line when a needed column is empty."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InputFileError(path, f"missing columns: {', '.join(missing)}", line=1)
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        for column in ("ISO3166-1-Alpha-2", "ISO3166-1-Alpha-3", "CLDR display name"):
            if not row[column].strip():
                raise InputFileError(path, f"empty {column!r}", line=number)
    return rows


def countries_graph(path: Path) -> Graph:
    """Convert the country-code table at ``path`` into reference RDF."""
    graph = Graph()
    graph.bind("akg", AKG._NS)
    graph.bind("skos", SKOS)
    graph.bind("id", ID)
    graph.bind("wd", WD)
    regions: dict[str, Region] = {}
    for number, row in enumerate(read_rows(path), start=2):
        iri = ID[slug(country_label(row))]
        if (iri, RDF.type, None) in graph:
            raise InputFileError(path, f"two rows share the identifier {iri}", line=number)
        _add_polity(graph, iri, row)
        region = _region_of(row, regions)
        if region is not None:
            graph.add((iri, AKG.inRegion, region_iri(region)))
    for region in regions.values():
        _add_region(graph, region)
    _add_world(graph)
    return graph


def country_label(row: dict[str, str]) -> str:
    """The English label of a row: CLDR's display name unless it is an abbreviation."""
    name = row["CLDR display name"].strip()
    return _LABEL_OVERRIDES.get(name, name)


def region_iri(region: Region) -> URIRef:
    """Regions get a prefix: 'Micronesia' is both a country and an M49 region."""
    return ID[f"region-{slug(region.name)}"]


def _add_polity(graph: Graph, iri: URIRef, row: dict[str, str]) -> None:
    label = country_label(row)
    graph.add((iri, RDF.type, _polity_class(row["is_independent"])))
    graph.add((iri, RDFS.label, Literal(label, lang="en")))
    for alias in _aliases(row, label):
        graph.add((iri, SKOS.altLabel, Literal(alias, lang="en")))
    for lang, column in _OFFICIAL_NAMES.items():
        if row.get(column, "").strip():
            graph.add((iri, RDFS.label, Literal(row[column].strip(), lang=lang)))
    graph.add((iri, AKG.iso3166Alpha2, Literal(row["ISO3166-1-Alpha-2"].strip())))
    graph.add((iri, AKG.iso3166Alpha3, Literal(row["ISO3166-1-Alpha-3"].strip())))
    graph.add((iri, AKG.iso3166Numeric, Literal(row["ISO3166-1-numeric"].strip().zfill(3))))
    match = _WIKIDATA_URL.match(row["wikidata_id"].strip())
    if match:
        graph.add((iri, SKOS.exactMatch, WD[match.group(1)]))
    if row["Geoname ID"].strip():
        graph.add((iri, SKOS.exactMatch, GEONAMES[f"{row['Geoname ID'].strip()}/"]))
    graph.add((iri, DCTERMS.source, URIRef("https://github.com/datasets/country-codes")))


def _polity_class(status: str) -> URIRef:
    """'Yes' is a sovereign state; 'Part of', 'Territory of', … a dependent territory;
    a contested or international status is left as a polity, claiming neither."""
    if status == "Yes":
        return AKG.State
    if status in ("In contention", "International"):
        return AKG.Polity
    return AKG.DependentTerritory


def _aliases(row: dict[str, str], label: str) -> list[str]:
    """Other English names of the row: CLDR's, the official one, UNTERM's short one."""
    names = [row["CLDR display name"], row.get("official_name_en", ""),
             re.sub(r"\s*\(the\)|\s*\*", "", row.get("UNTERM English Short", ""))]
    aliases = []
    for name in (n.strip() for n in names):
        if name and name != label and name not in aliases:
            aliases.append(name)
    return aliases


def _region_of(row: dict[str, str], regions: dict[str, Region]) -> Region | None:
    """The most specific M49 region of a row, registering its ancestors on the way."""
    region = None
    for level in ("Region", "Sub-region", "Intermediate Region"):
        name, code = row.get(f"{level} Name", "").strip(), row.get(f"{level} Code", "").strip()
        if name and code:
            region = regions.setdefault(code, Region(name, code.zfill(3), region))
    return region


def _add_region(graph: Graph, region: Region) -> None:
    iri = region_iri(region)
    graph.add((iri, RDF.type, AKG.Region))
    graph.add((iri, RDFS.label, Literal(region.name, lang="en")))
    graph.add((iri, SKOS.notation, Literal(f"M49:{region.code}")))
    parent = region_iri(region.parent) if region.parent else _WORLD
    graph.add((iri, AKG.locatedIn, parent))


def _add_world(graph: Graph) -> None:
    """M49's root, 'World' (001), which every top-level region lies in."""
    graph.add((_WORLD, RDF.type, AKG.Region))
    graph.add((_WORLD, RDFS.label, Literal("World", lang="en")))
    graph.add((_WORLD, SKOS.notation, Literal("M49:001")))
