"""The ontology: it parses, carries its version, and each OWL 2 RL axiom gives the
inference it exists for (run with owlrl on a small graph), while disjointness turns
modelling errors into inconsistencies."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, OWL, PROV, RDF, SDO, SKOS

from allianceskg import __version__
from allianceskg.model.checks import check_version
from allianceskg.model.load import ontology_version
from allianceskg.build.reasoning import infer
from allianceskg.vocab import AKG, ID, OA, ONTOLOGY_IRI


def test_header_names_the_package_version(ontology: Graph):
    assert ontology_version(ontology) == __version__
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        f"https://w3id.org/allianceskg/ontology/{__version__}")
    assert check_version(ontology, __version__) == []


def test_a_stale_version_is_reported(ontology: Graph):
    problems = check_version(ontology, "9.9.9")
    assert any("owl:versionInfo is '0.1.0'" in p and "9.9.9" in p for p in problems)


def _entails(ontology: Graph, asserted: list[tuple], expected: tuple) -> bool:
    data = Graph()
    for triple in asserted:
        data.add(triple)
    inference = infer(ontology, data)
    assert inference.consistent, inference.inconsistencies
    assert expected not in data
    return expected in inference.triples


EU, JAPAN, CHINA, US = ID["european-union"], ID["japan"], ID["china"], ID["united-states"]
ALLIANCE, PILLAR = ID["some-alliance"], ID["some-alliance-pillar"]

# (OWL 2 RL rule, asserted triples, the triple it must entail)
RL_CASES = [
    ("cax-sco", [(JAPAN, RDF.type, AKG.State)], (JAPAN, RDF.type, AKG.Actor)),
    ("cax-sco (aligned vocabularies)", [(EU, RDF.type, AKG.SupranationalUnion)],
     (EU, RDF.type, ORG.FormalOrganization)),
    ("cax-sco (risk taxonomy)", [(ID["r"], RDF.type, AKG.WeaponisedDependency)],
     (ID["r"], RDF.type, AKG.EconomicCoercion)),
    ("prp-dom", [(ALLIANCE, AKG.hasParty, EU)], (ALLIANCE, RDF.type, AKG.Agreement)),
    ("prp-rng", [(ALLIANCE, AKG.hasParty, EU)], (EU, RDF.type, AKG.Actor)),
    ("prp-inv1", [(ALLIANCE, AKG.hasParty, EU)], (EU, AKG.isPartyTo, ALLIANCE)),
    ("prp-inv2", [(CHINA, AKG.poses, ID["r"])],
     (ID["r"], AKG.posedBy, CHINA)),
    ("prp-spo1", [(ALLIANCE, AKG.launchedAt, ID["summit"])],
     (ALLIANCE, AKG.announcedAt, ID["summit"])),
    ("prp-spo1 (ORG alignment)", [(JAPAN, AKG.memberOf, ID["g7"])],
     (JAPAN, ORG.memberOf, ID["g7"])),
    ("prp-spo1 (schema.org alignment)", [(ID["summit"], AKG.venue, ID["tokyo"])],
     (ID["summit"], SDO.location, ID["tokyo"])),
    ("prp-trp", [(ID["a"], AKG.locatedIn, ID["b"]), (ID["b"], AKG.locatedIn, ID["c"])],
     (ID["a"], AKG.locatedIn, ID["c"])),
    ("prp-trp (ORG sub-organisations)",
     [(ID["unit"], AKG.subOrganisationOf, ID["ministry"]),
      (ID["ministry"], AKG.subOrganisationOf, JAPAN)],
     (ID["unit"], ORG.transitiveSubOrganizationOf, JAPAN)),
    ("prp-symp", [(JAPAN, AKG.partnerOf, EU)], (EU, AKG.partnerOf, JAPAN)),
    ("prp-symp (doctrines)", [(ID["de-risking"], AKG.contrastsWith, ID["decoupling"])],
     (ID["decoupling"], AKG.contrastsWith, ID["de-risking"])),
    ("prp-spo2 (agreement counters what its pillars address)",
     [(ALLIANCE, AKG.hasPillar, PILLAR), (PILLAR, AKG.addressesRisk, ID["coercion"])],
     (ALLIANCE, AKG.counters, ID["coercion"])),
    ("prp-spo2 (announced in the venue of the summit)",
     [(ALLIANCE, AKG.announcedAt, ID["summit"]), (ID["summit"], AKG.venue, ID["tokyo"])],
     (ALLIANCE, AKG.announcedIn, ID["tokyo"])),
    ("prp-spo2 (a risk is posed by who introduced the policy it arises from)",
     [(ID["subsidies"], AKG.arisesFrom, ID["ira"]), (ID["ira"], AKG.introducedBy, US)],
     (ID["subsidies"], AKG.posedBy, US)),
    ("prp-spo2 (regions up the M49 tree)",
     [(JAPAN, AKG.inRegion, ID["region-eastern-asia"]),
      (ID["region-eastern-asia"], AKG.locatedIn, ID["region-asia"])],
     (JAPAN, AKG.inRegion, ID["region-asia"])),
    ("prp-spo2 (a claim is stated in the source of its evidence)",
     [(ID["claim"], AKG.hasEvidence, ID["ev"]), (ID["ev"], OA.hasTarget, ID["target"]),
      (ID["target"], OA.hasSource, ID["doc"])],
     (ID["claim"], AKG.statedIn, ID["doc"])),
    ("prp-spo1 (statedIn is PROV derivation)", [(ID["claim"], AKG.statedIn, ID["doc"])],
     (ID["claim"], PROV.wasDerivedFrom, ID["doc"])),
]


@pytest.mark.parametrize("rule, asserted, expected", RL_CASES, ids=[c[0] for c in RL_CASES])
def test_rl_axiom_yields_its_inference(ontology: Graph, rule, asserted, expected):
    assert _entails(ontology, asserted, expected), f"{rule} did not entail {expected}"


MODELLING_ERRORS = [
    ("a city used as a party to an agreement",
     [(ID["tokyo"], RDF.type, AKG.City), (ALLIANCE, AKG.hasParty, ID["tokyo"])],
     ID["tokyo"]),
    ("the EU typed as a state and as a union",
     [(EU, RDF.type, AKG.State), (EU, RDF.type, AKG.SupranationalUnion)], EU),
    ("a risk used as the holder of a stance",
     [(ID["coercion"], RDF.type, AKG.EconomicCoercion), (ID["s"], AKG.stanceHolder, ID["coercion"])],
     ID["coercion"]),
    ("a sector typed as an actor",
     [(ID["energy"], RDF.type, AKG.Sector), (ID["energy"], RDF.type, AKG.Firm)], ID["energy"]),
]


@pytest.mark.parametrize("case, asserted, culprit", MODELLING_ERRORS,
                         ids=[c[0] for c in MODELLING_ERRORS])
def test_disjointness_catches_modelling_errors(ontology: Graph, case, asserted, culprit):
    data = Graph()
    for triple in asserted:
        data.add(triple)
    inference = infer(ontology, data)
    assert not inference.consistent, case
    assert any(str(culprit) in message for message in inference.inconsistencies)


def test_inferred_triples_hold_no_owlrl_noise(ontology: Graph):
    data = Graph()
    data.add((ALLIANCE, AKG.hasParty, EU))
    triples = set(infer(ontology, data).triples)
    assert (EU, OWL.sameAs, EU) not in triples
    assert not any(p == RDF.type and o in (OWL.Thing, URIRef(str(RDF) + "Resource"))
                   for _, p, o in triples)
    individuals = set(ontology.subjects(RDF.type, OWL.NamedIndividual))
    # schema-level entailments about the ontology's classes and properties are noise;
    # its named individuals (statuses, modalities) are data and keep their types
    assert not any(str(s).startswith(str(AKG._NS)) and s not in individuals for s, _, _ in triples)
    assert (AKG.Launched, RDF.type, SKOS.Concept) in triples
    assert not (triples & set(data))


def test_reasoning_leaves_its_inputs_untouched(ontology: Graph):
    data = Graph()
    data.add((JAPAN, AKG.partnerOf, EU))
    before_data, before_ontology = len(data), len(ontology)
    infer(ontology, data)
    assert (len(data), len(ontology)) == (before_data, before_ontology)
