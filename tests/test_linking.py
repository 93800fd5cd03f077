"""Linking with other datasets: `allianceskg link --dataset FILE` matches records by
shared identifiers, then by normalised and fuzzy names restricted by type; writes a
review report; with --accept a VoID linkset with its provenance that the next build
publishes in graph/links. And every Wikidata/GeoNames link has its literal twin."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS, VOID

from allianceskg.analysis.linking import candidate_links, read_records
from allianceskg.build.claims import Entity
from allianceskg.build.pipeline import ProjectPaths
from allianceskg.model.load import load_ontology, load_reference, superclasses
from allianceskg.build.release import DATASET, release_graphs
from allianceskg.vocab import AKG, GRAPH, ID
from conftest import make_home, run_cli

PROJECT = Path(__file__).parent.parent
COUNTRIES = PROJECT / "data" / "external" / "country-codes.csv"

ROWS = [  # id, name, wikidata, expected status, expected entity (or None)
    ("https://example.org/c/1", "Japan", "", "matched", "japan"),
    ("https://example.org/c/2", "Japon", "", "matched", "japan"),              # another language
    ("https://example.org/c/3", "Korea", "", "ambiguous", None),               # North or South
    ("https://example.org/c/4", "Atlantis", "", "unmatched", None),
    ("https://example.org/c/5", "Georgia", "", "ambiguous", None),             # the state or the U.S. state
    ("https://example.org/c/6", "EU Japan Competitiveness Alliance", "", "matched",
     "eu-japan-competitiveness-alliance"),                                     # near-duplicate spelling
    ("https://example.org/c/7", "Nippon-koku", "Q17", "matched", "japan"),     # by identifier
    ("https://example.org/c/8", "Germny", "", "matched", "germany"),           # a typo: close match
    ("https://example.org/c/9", "Frnace", "", "ambiguous", None),              # too far to be sure
]


@pytest.fixture()
def home(tmp_path, release_dir):
    root = make_home(tmp_path / "home", [PROJECT / "seeds" / "000_d4fee536fbe95bae.txt"])
    (root / "data" / "kg").symlink_to(release_dir, target_is_directory=True)
    return root


def write_rows(path: Path, rows=ROWS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "wikidata"])
        for identifier, name, qid, *_ in rows:
            writer.writerow([identifier, name, qid])
    return path


def report_rows(folder: Path) -> dict[str, list[dict]]:
    with (folder / "report.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["record"], []).append(row)
    return found


def test_a_dataset_with_ambiguous_and_near_duplicate_names(home, tmp_path):
    dataset = write_rows(tmp_path / "mine.csv")
    done = run_cli("link", "--dataset", str(dataset), "--report", str(tmp_path / "r"), home=home)
    assert done.returncode == 0, done.stderr
    assert "5 matched, 3 ambiguous, 1 unmatched" in done.stderr
    found = report_rows(tmp_path / "r")
    for identifier, name, _, status, entity in ROWS:
        best = found[identifier][0]
        assert best["status"] == status, (name, best)
        if entity:
            assert best["entity"] == str(ID[entity]), (name, best)
            assert float(best["score"]) >= 90 and best["evidence"]
    assert found["https://example.org/c/7"][0]["method"] == "identifier:wikidata"
    assert found["https://example.org/c/8"][0]["method"] == "name:fuzzy"
    assert {r["entity"] for r in found["https://example.org/c/3"]} >= {str(ID["north-korea"]),
                                                                      str(ID["south-korea"])}
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "5 matched" in html and "Atlantis" in html


def test_a_type_resolves_the_ambiguity(home, tmp_path):
    dataset = write_rows(tmp_path / "georgia.csv", [r for r in ROWS if r[1] == "Georgia"])
    done = run_cli("link", "--dataset", str(dataset), "--type", "State", "--report",
                   str(tmp_path / "r"), home=home)
    assert done.returncode == 0, done.stderr
    best = report_rows(tmp_path / "r")["https://example.org/c/5"][0]
    assert best["status"] == "matched" and best["entity"] == str(ID["georgia"])
    wrong = run_cli("link", "--dataset", str(dataset), "--type", "Nation", home=home)
    assert wrong.returncode == 2 and "--type" in wrong.stderr and "Traceback" not in wrong.stderr


def test_the_country_codes_link_by_identifier_to_the_right_state(home, tmp_path):
    done = run_cli("link", "--dataset", str(COUNTRIES), "--report", str(tmp_path / "r"), home=home)
    assert done.returncode == 0, done.stderr
    assert "249 record(s): 249 matched, 0 ambiguous, 0 unmatched" in done.stderr
    graphs = release_graphs(home / "data" / "kg")
    codes = {str(o): s for g in graphs.values() for s, o in g.subject_objects(AKG.iso3166Alpha2)}
    with COUNTRIES.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    found = report_rows(tmp_path / "r")
    for number, row in enumerate(table, start=2):
        best = found[f"line {number}"][0]
        assert best["entity"] == str(codes[row["ISO3166-1-Alpha-2"]]), row["official_name_en"]
        assert best["method"].startswith("identifier:")


def test_an_rdf_dataset(home, tmp_path):
    path = tmp_path / "theirs.ttl"
    path.write_text("""@prefix ex: <https://example.org/org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
ex:jp owl:sameAs <http://www.wikidata.org/entity/Q17> ; rdfs:label "State of Japan"@en .
ex:eu schema:name "European Union" .
ex:x rdfs:label "Nowhere Land" .
""", encoding="utf-8")
    records = {r.key: r for r in read_records(path)}
    assert records["https://example.org/org/jp"].identifiers == {"wikidata": "Q17"}
    done = run_cli("link", "--dataset", str(path), "--report", str(tmp_path / "r"), home=home)
    assert done.returncode == 0, done.stderr
    found = report_rows(tmp_path / "r")
    assert found["https://example.org/org/jp"][0]["entity"] == str(ID["japan"])
    assert found["https://example.org/org/eu"][0]["entity"] == str(ID["european-union"])
    assert found["https://example.org/org/x"][0]["status"] == "unmatched"


def test_accepted_links_become_a_linkset_with_provenance_in_the_next_build(tmp_path):
    root = make_home(tmp_path / "home", [PROJECT / "seeds" / "000_d4fee536fbe95bae.txt"])
    assert run_cli("build", "-q", "--store", "memory", home=root).returncode == 0
    dataset = write_rows(tmp_path / "mine.csv")
    done = run_cli("link", "--dataset", str(dataset), "--name", "mine", "--accept", home=root)
    assert done.returncode == 0, done.stderr
    saved = root / "data" / "links" / "mine.ttl"
    assert saved.is_file() and (root / "data" / "links" / "reports" / "mine" / "report.csv").is_file()
    built = run_cli("build", "-q", "--store", "memory", home=root)
    assert built.returncode == 0, built.stdout + built.stderr
    graphs = release_graphs(root / "data" / "kg")
    links = graphs[GRAPH["links"]]
    assert (ID["japan"], SKOS.exactMatch, URIRef("https://example.org/c/1")) in links
    assert (ID["germany"], SKOS.closeMatch, URIRef("https://example.org/c/8")) in links
    assert not any(o == URIRef("https://example.org/c/3") for o in links.objects())  # ambiguous: no link
    linkset = URIRef("https://w3id.org/allianceskg/dataset/linkset/mine")
    assert int(links.value(linkset, VOID.triples)) == 5
    source = links.value(linkset, PROV.wasDerivedFrom)
    assert str(links.value(source, AKG.sha256)) == hashlib.sha256(dataset.read_bytes()).hexdigest()
    assert links.value(linkset, PROV.generatedAtTime) is not None
    assert "allianceskg link" in str(links.value(linkset, PROV.wasAttributedTo))
    void = Graph().parse(root / "data" / "kg" / "void.ttl")
    assert any(str(ls).startswith(str(DATASET)) for ls in void.objects(DATASET, VOID.subset))
    manifest = json.loads((root / "data" / "kg" / "manifest.json").read_text())
    assert "data/links/mine.ttl" in manifest["inputs_sha256"]


def test_identifiers_both_ways(release_dir):
    links = release_graphs(release_dir)[GRAPH["links"]]
    assert (ID["japan"], AKG.wikidataId, Literal("Q17")) in links
    assert (ID["japan"], AKG.geonamesId, Literal("1861060")) in links
    for s, target in links.subject_objects(SKOS.exactMatch):
        if str(target).startswith("http://www.wikidata.org/entity/Q"):
            assert (s, AKG.wikidataId, Literal(str(target).rsplit("/", 1)[1])) in links


@pytest.mark.parametrize("content,message", [
    ("", "no header row"),
    ("colour,size\nred,3\n", "no column holds names"),
    ("id,name\nx,Japan,extra\n", "the row has 3 fields"),
])
def test_bad_datasets_are_clear_errors(home, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    done = run_cli("link", "--dataset", str(path), home=home)
    assert done.returncode == 2 and message in done.stderr and "bad.csv" in done.stderr
    assert "Traceback" not in done.stderr


def test_links_need_iris(home, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,name\n17,Japan\n", encoding="utf-8")
    done = run_cli("link", "--dataset", str(path), "--accept", home=home)
    assert done.returncode != 0 and "--base" in done.stderr
    ok = run_cli("link", "--dataset", str(path), "--accept", "--base", "https://example.org/x/",
                 home=home)
    assert ok.returncode == 0, ok.stderr
    saved = Graph().parse(home / "data" / "links" / "plain.ttl")
    assert (ID["japan"], SKOS.exactMatch, URIRef("https://example.org/x/17")) in saved


def test_record_identifiers_are_normalised():
    from allianceskg.analysis.linking import identifier

    assert identifier("wikidata", "https://www.wikidata.org/wiki/Q889") == "Q889"
    assert identifier("isonum", "004") == "4" and identifier("iso2", "jp") == "JP"
    assert identifier("geonames", "") is None


# -- candidate links for what the automatic layer mints (issue 11, item 1) --------------

MINTED_TEXT = """Brazil and Chile deepen trade ties

Brazil and Chile signed a trade agreement on 3 March 2026. Chile joined the \
Organisation for Economic Cooperation and Development in 2010.
"""


def test_minted_entities_get_candidate_links_never_accepted_ones(tmp_path):
    """A name the gazetteer misses ("Cooperation" without the hyphen) is minted as a new
    organisation; the build proposes the reference's OECD, and its Wikidata item, as
    candidates in graph/links, the report and the draft, and asserts no match."""
    home = make_home(tmp_path / "home", documents=[], claims=False)
    (home / "seeds" / "brazil-chile.txt").write_text(MINTED_TEXT, encoding="utf-8")
    (home / "seeds" / "brazil-chile.meta.yaml").write_text(
        "title: Brazil and Chile deepen trade ties\nlanguage: en\ndocument_type: news\n"
        "published: 2026-03-04\n", encoding="utf-8")
    assert run_cli("build", "-q", "--store", "memory", home=home).returncode == 0
    graphs = release_graphs(home / "data" / "kg")
    minted = ID["organisation-for-economic-cooperation-and-development"]
    links = graphs[GRAPH["links"]]
    assert set(links.objects(minted, AKG.candidateMatch)) == {
        ID.oecd, URIRef("http://www.wikidata.org/entity/Q41550")}
    everything = [t for g in graphs.values() for t in g]
    assert not [t for t in everything if t[0] == minted and t[1] in (SKOS.exactMatch,
                                                                      SKOS.closeMatch)]
    # the agreement is not offered a state, though its name holds two
    assert not set(links.objects(ID["brazil-chile-trade-agreement"], AKG.candidateMatch))
    report = json.loads((home / "data" / "kg" / "build-report.json").read_text())
    [line] = report["documents"]["brazil-chile"]["candidate_links"]
    assert line.startswith("organisation-for-economic-cooperation-and-development → oecd (96")
    draft = run_cli("draft", "brazil-chile", home=home)
    assert draft.returncode == 0, draft.stderr
    assert "candidate_links:\n  - 'id:oecd (96" in draft.stdout
    void = Graph().parse(home / "data" / "kg" / "void.ttl")
    assert (None, VOID.linkPredicate, AKG.candidateMatch) in void


def test_candidate_links_compare_whole_names_within_a_kind():
    paths = ProjectPaths.default()
    reference = load_reference(paths.reference)
    supers = superclasses(load_ontology(paths.ontology))
    minted = [Entity(ID["eurasian-economic-union"], AKG.Bloc, "Eurasian Economic Union"),
              Entity(ID["japan-pact"], AKG.Agreement, "Japan"),
              Entity(ID["germny"], AKG.State, "Germny"),
              Entity(ID["stance-x"], AKG.Stance, "Germany")]
    found = candidate_links(minted, {GRAPH["reference"]: reference}, supers)
    assert set(found) == {ID["germny"]}  # "the Union" is a word of it, not its name
    assert found[ID["germny"]][0].entity == ID.germany
