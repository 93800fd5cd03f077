"""The vocabularies the code uses, as closed namespaces.

Every ``akg:`` term the code names comes from :class:`AKG`, whose members mirror
ontology/allianceskg.ttl (a test keeps them in sync). ``_fail = True`` makes a misspelt
term raise ``AttributeError`` instead of minting a new IRI silently. Web Annotation
and NIF are absent from rdflib, so the few terms used are declared here the same way.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

ONTOLOGY_IRI = URIRef("https://w3id.org/allianceskg/ontology")
ID = Namespace("https://w3id.org/allianceskg/id/")
DOC = Namespace("https://w3id.org/allianceskg/doc/")
GRAPH = Namespace("https://w3id.org/allianceskg/graph/")
WD = Namespace("http://www.wikidata.org/entity/")
GEONAMES = Namespace("https://sws.geonames.org/")

# The prefixes every file the project writes uses, so output reads the same everywhere.
PREFIXES = {
    "akg": "https://w3id.org/allianceskg/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "doc": str(DOC),
    "graph": str(GRAPH),
    "id": str(ID),
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "wd": str(WD),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


class AKG(DefinedNamespace):
    """The allianceskg ontology, ``https://w3id.org/allianceskg/ontology#``."""

    _NS = Namespace("https://w3id.org/allianceskg/ontology#")
    _fail = True

    # Classes
    Actor: URIRef
    Agreement: URIRef
    AgreementStatus: URIRef
    Alliance: URIRef
    Bloc: URIRef
    Attitude: URIRef
    City: URIRef
    Claim: URIRef
    Crisis: URIRef
    CriticalGood: URIRef
    DependentTerritory: URIRef
    DistortiveTradePractice: URIRef
    Doctrine: URIRef
    Document: URIRef
    EconomicCoercion: URIRef
    EnergyDependence: URIRef
    Event: URIRef
    Entailment: URIRef
    Evidence: URIRef
    ExportControls: URIRef
    ExtractionMethod: URIRef
    Firm: URIRef
    GovernmentBody: URIRef
    IndustrialDumping: URIRef
    IndustryGroup: URIRef
    InformalForum: URIRef
    InternationalOrganisation: URIRef
    InvestmentScreening: URIRef
    Legislation: URIRef
    LicensingRegime: URIRef
    Mention: URIRef
    Modality: URIRef
    Organisation: URIRef
    PatternRule: URIRef
    PillarTheme: URIRef
    Place: URIRef
    Policy: URIRef
    PolicyField: URIRef
    Polity: URIRef
    ProtectionistSubsidy: URIRef
    Region: URIRef
    Risk: URIRef
    Sanctions: URIRef
    SanctionsRegime: URIRef
    Sector: URIRef
    Stance: URIRef
    State: URIRef
    StrategicPillar: URIRef
    Strategy: URIRef
    Subsidy: URIRef
    Summit: URIRef
    SupplyDependency: URIRef
    SupplyShock: URIRef
    SupranationalUnion: URIRef
    Tariff: URIRef
    TariffVolatility: URIRef
    Technology: URIRef
    TechnologyRestrictions: URIRef
    Topic: URIRef
    TradeAgreement: URIRef
    TradeBan: URIRef
    TradeMeasure: URIRef
    TradeRestriction: URIRef
    Unilateralism: URIRef
    WeaponisedDependency: URIRef

    # Object properties
    addressesRisk: URIRef
    adoptsDoctrine: URIRef
    affects: URIRef
    announcedAt: URIRef
    announcedIn: URIRef
    arisesFrom: URIRef
    attitude: URIRef
    benefits: URIRef
    concerns: URIRef
    contrastsWith: URIRef
    counterbalances: URIRef
    counters: URIRef
    exposed: URIRef
    exposedBy: URIRef
    extractionMethod: URIRef
    facedBy: URIRef
    faces: URIRef
    forumFor: URIRef
    harms: URIRef
    hasEvidence: URIRef
    hasMember: URIRef
    hasParty: URIRef
    hasPillar: URIRef
    hasSeat: URIRef
    holdsStance: URIRef
    imposedBy: URIRef
    imposedOn: URIRef
    inRegion: URIRef
    introduced: URIRef
    introducedBy: URIRef
    isPartyTo: URIRef
    launchedAt: URIRef
    locatedIn: URIRef
    memberOf: URIRef
    mintedBy: URIRef
    modality: URIRef
    partnerOf: URIRef
    pillarOf: URIRef
    pillarTheme: URIRef
    posedBy: URIRef
    premiseModality: URIRef
    poses: URIRef
    seatOf: URIRef
    stanceHolder: URIRef
    stanceTarget: URIRef
    statedIn: URIRef
    status: URIRef
    subOrganisationOf: URIRef
    territoryOf: URIRef
    venue: URIRef

    # Datatype properties
    agreementDate: URIRef
    attributedTo: URIRef
    confidence: URIRef
    date: URIRef
    demonym: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    iso3166Numeric: URIRef
    wikidataId: URIRef
    candidateMatch: URIRef
    geonamesId: URIRef
    leiCode: URIRef
    rorId: URIRef
    recognition: URIRef
    sentenceIndex: URIRef
    sha256: URIRef
    startDate: URIRef

    # Named individuals
    Apprehension: URIRef
    Approval: URIRef
    AuthorAssessment: URIRef
    Concluded: URIRef
    Condemnation: URIRef
    Criticism: URIRef
    Curation: URIRef
    Frustration: URIRef
    InForce: URIRef
    Launched: URIRef
    Opposition: URIRef
    Proposed: URIRef
    ReportedFact: URIRef
    Scepticism: URIRef
    Speculation: URIRef
    Speculative: URIRef
    Stalled: URIRef
    Support: URIRef
    Unease: URIRef
    Warning: URIRef


class OA(DefinedNamespace):
    """The W3C Web Annotation vocabulary terms used for evidence."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    Annotation: URIRef
    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    end: URIRef
    exact: URIRef
    hasBody: URIRef
    identifying: URIRef
    motivatedBy: URIRef
    hasSelector: URIRef
    hasSource: URIRef
    hasTarget: URIRef
    prefix: URIRef
    start: URIRef
    suffix: URIRef


class NIF(DefinedNamespace):
    """The NIF Core terms used to keep a document's text."""

    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    _fail = True

    Context: URIRef
    isString: URIRef
