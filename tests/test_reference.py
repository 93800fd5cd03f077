"""The reference data: all 249 countries and territories with their codes and links,
converted reproducibly from the ISO 3166 table, and the seed's entities linked only
with the identifiers verified in DESIGN.md §6."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from allianceskg.model.countries import countries_graph
from allianceskg.errors import InputFileError
from allianceskg.model.load import (country_table, countries_reference_file, load_reference,
                               write_countries_reference)
from allianceskg.rdf.rdfio import read_graph
from allianceskg.vocab import AKG, GEONAMES, ID, WD

# DESIGN.md §6: the identifiers verified for the seed's entities.
VERIFIED = {
    "european-union": "Q458", "japan": "Q17", "united-states": "Q30", "china": "Q148",
    "south-korea": "Q884", "india": "Q668", "russia": "Q159", "ukraine": "Q212",
    "tokyo": "Q1490", "washington-dc": "Q61", "brussels": "Q239",
    "world-trade-organization": "Q7825", "oecd": "Q41550", "covid-19-pandemic": "Q81068910",
    "russo-ukrainian-war": "Q15860072", "artificial-intelligence": "Q11660",
    "cybersecurity": "Q3510521", "semiconductors": "Q11456",
}
VERIFIED_CLOSE = {"russo-ukrainian-war": "Q110999040", "semiconductors": "Q80831"}
UNVERIFIED = ["g7", "rare-earths", "inflation-reduction-act", "30th-eu-japan-summit",
              "eu-strategic-compass", "japan-national-security-strategy"]


@pytest.fixture(scope="module")
def countries() -> Graph:
    return read_graph(countries_reference_file())


def test_all_249_countries_and_territories_with_their_codes(countries: Graph):
    polities = {s for c in (AKG.State, AKG.DependentTerritory, AKG.Polity)
                for s in countries.subjects(RDF.type, c)}
    assert len(polities) == 249
    assert len(set(countries.subjects(RDF.type, AKG.State))) == 195
    for polity in polities:
        assert len(list(countries.objects(polity, AKG.iso3166Alpha2))) == 1, polity
        assert len(list(countries.objects(polity, AKG.iso3166Alpha3))) == 1, polity
        assert len(str(countries.value(polity, AKG.iso3166Numeric))) == 3, polity


def test_japan_row_in_full(countries: Graph):
    japan = ID["japan"]
    assert (japan, RDF.type, AKG.State) in countries
    assert (japan, RDFS.label, Literal("Japan", lang="en")) in countries
    assert (japan, AKG.iso3166Alpha2, Literal("JP")) in countries
    assert (japan, AKG.iso3166Alpha3, Literal("JPN")) in countries
    assert (japan, AKG.iso3166Numeric, Literal("392")) in countries
    assert (japan, SKOS.exactMatch, WD["Q17"]) in countries
    assert (japan, SKOS.exactMatch, GEONAMES["1861060/"]) in countries
    assert (japan, AKG.inRegion, ID["region-eastern-asia"]) in countries
    assert (ID["region-eastern-asia"], AKG.locatedIn, ID["region-asia"]) in countries


def test_every_row_links_as_the_table_says(countries: Graph):
    with country_table().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_alpha2 = {str(o): s for s, o in countries.subject_objects(AKG.iso3166Alpha2)}
    for row in rows:
        polity = by_alpha2[row["ISO3166-1-Alpha-2"]]
        links = {str(o) for o in countries.objects(polity, SKOS.exactMatch)}
        qid = row["wikidata_id"].rsplit("/", 1)[-1]
        assert (f"http://www.wikidata.org/entity/{qid}" in links) == bool(qid)
        assert f"https://sws.geonames.org/{row['Geoname ID']}/" in links


def test_committed_countries_file_equals_a_fresh_conversion(countries: Graph, tmp_path: Path):
    assert isomorphic(countries, countries_graph(country_table()))
    written = write_countries_reference(target=tmp_path / "countries.ttl")
    assert written.read_text(encoding="utf-8") == countries_reference_file().read_text(
        encoding="utf-8")


def test_seed_entities_link_only_verified_identifiers():
    reference = load_reference()
    for slug, qid in VERIFIED.items():
        assert (ID[slug], SKOS.exactMatch, WD[qid]) in reference, slug
    for slug, qid in VERIFIED_CLOSE.items():
        assert (ID[slug], SKOS.closeMatch, WD[qid]) in reference, slug
    assert (ID["european-union"], SKOS.exactMatch, GEONAMES["6695072/"]) in reference
    for slug in UNVERIFIED:
        assert (ID[slug], RDFS.label, None) in reference, slug
        assert not list(reference.objects(ID[slug], SKOS.exactMatch)), slug
        assert not list(reference.objects(ID[slug], SKOS.closeMatch)), slug


def test_entities_file_adds_no_unverified_wikidata_item():
    curated = read_graph(Path(countries_reference_file()).with_name("entities.ttl"))
    linked = {str(o).rsplit("/", 1)[-1] for o in curated.objects(None, SKOS.exactMatch)
              if str(o).startswith(str(WD))}
    linked |= {str(o).rsplit("/", 1)[-1] for o in curated.objects(None, SKOS.closeMatch)}
    assert linked <= set(VERIFIED.values()) | set(VERIFIED_CLOSE.values())


def test_aliases_and_native_labels():
    reference = load_reference()
    assert (ID["european-union"], SKOS.altLabel, Literal("EU", lang="en")) in reference
    assert (ID["united-states"], SKOS.altLabel, Literal("U.S.", lang="en")) in reference
    assert (ID["japan"], RDFS.label, Literal("日本", lang="ja")) in reference
    assert (ID["japan"], AKG.demonym, Literal("Japanese", lang="en")) in reference
    assert (ID["washington-dc"], AKG.seatOf, ID["united-states"]) not in reference  # inferred only
    assert (ID["united-states"], AKG.hasSeat, ID["washington-dc"]) in reference


def test_places_are_kept_apart_from_the_actors_they_host():
    reference = load_reference()
    assert (ID["tokyo"], RDF.type, AKG.City) in reference
    assert not list(reference.objects(ID["tokyo"], AKG.iso3166Alpha2))
    assert (ID["tokyo"], RDF.type, AKG.State) not in reference
    assert (ID["japan"], AKG.hasSeat, ID["tokyo"]) in reference


def test_a_malformed_reference_file_names_file_and_line(tmp_path: Path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix id: <https://w3id.org/allianceskg/id/> .\n'
                      'id:a id:b id:c .\n'
                      'id:a id:b "no end .\n', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_reference([broken])
    assert caught.value.path == broken and caught.value.line == 3
    assert str(caught.value).startswith(f"{broken}:3: syntax error")


def test_a_country_row_without_a_code_names_the_line(tmp_path: Path):
    lines = country_table().read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[3]]))
    row[header.index("ISO3166-1-Alpha-2")] = ""
    broken = tmp_path / "codes.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(csv.reader(lines[1:3]))
        writer.writerow(row)
    with pytest.raises(InputFileError, match=r"codes\.csv:4: empty 'ISO3166-1-Alpha-2'"):
        countries_graph(broken)


def test_iris_are_readable_slugs(countries: Graph):
    for subject in countries.subjects(RDF.type, None):
        assert isinstance(subject, URIRef)
        slug = str(subject)[len(str(ID)):]
        assert slug and slug == slug.lower() and " " not in slug


def test_committed_places_file_equals_a_fresh_conversion(tmp_path: Path):
    from allianceskg.model.load import places_reference_file, write_places_reference

    written = write_places_reference(target=tmp_path / "places.ttl")
    assert written.read_text(encoding="utf-8") == places_reference_file().read_text(encoding="utf-8")


def test_capitals_demonyms_and_us_states():
    reference = load_reference()
    assert (ID["philippines"], AKG.hasSeat, ID["manila"]) in reference
    assert (ID["manila"], RDF.type, AKG.City) in reference
    assert (ID["philippines"], AKG.demonym, Literal("Filipino", lang="en")) in reference
    assert (ID["south-korea"], AKG.demonym, Literal("South Korean", lang="en")) in reference
    assert (ID["us-state-georgia"], AKG.territoryOf, ID["united-states"]) in reference
    assert (ID["belgium"], AKG.hasSeat, ID["brussels"]) not in reference  # the EU's, as curated
    assert not list(reference.objects(ID["congo-kinshasa"], AKG.demonym))  # "Congolese": two states
