"""Where the project's files live: the one module that locates them.

An editable install reads ontology/, queries/, seeds/ and data/ from the checkout; a
wheel carries the same folders under ``allianceskg/_resources`` (see pyproject.toml).
Nothing is looked up at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

from allianceskg.errors import ResourceNotFoundError

_PACKAGE_DIR = Path(__file__).resolve().parent
_FOLDERS = ("ontology", "queries", "seeds", "data")


def project_root() -> Path:
    """Return the folder holding ontology/, queries/, seeds/ and data/.

    ``ALLIANCESKG_HOME`` names another such folder (a checkout, a working copy);
    otherwise the wheel's resources or the editable checkout are used.
    """
    home = os.environ.get("ALLIANCESKG_HOME")
    if home:
        root = Path(home)
        if not (root / "ontology" / "allianceskg.ttl").is_file():
            raise ResourceNotFoundError(
                f"ALLIANCESKG_HOME={home} holds no ontology/allianceskg.ttl",
                hint="point ALLIANCESKG_HOME at a folder with ontology/, queries/, seeds/ "
                     "and data/, or unset it")
        return root
    candidates = (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent.parent)
    for root in candidates:
        if (root / "ontology" / "allianceskg.ttl").is_file():
            return root
    raise ResourceNotFoundError(
        "cannot find the project's ontology/ folder",
        hint="reinstall with 'pip install -e .' from the checkout, or install the wheel",
    )


def writable_root() -> Path:
    """The project folder a command may write into (seeds/, data/).

    ``ALLIANCESKG_HOME`` when set; else the checkout of an editable install, but only
    from inside it — a build started in another folder must not change the checkout
    behind the user's back; and never an installed wheel's resources."""
    root = project_root()
    if os.environ.get("ALLIANCESKG_HOME"):
        return root
    if root == _PACKAGE_DIR / "_resources":
        raise ResourceNotFoundError(
            "the installed package's data cannot be written",
            hint="set ALLIANCESKG_HOME to a project folder (ontology/, data/, queries/, seeds/)")
    here = Path.cwd().resolve()
    if here != root.resolve() and root.resolve() not in here.parents:
        raise ResourceNotFoundError(
            f"this would write into the checkout {root} from {here}",
            hint=f"run it inside {root}, or set ALLIANCESKG_HOME to the project folder to "
                 f"write into (or give build an output folder with -o)")
    return root


def folder(name: str) -> Path:
    """Return one of the project's data folders by name (ontology, queries, seeds, data)."""
    if name not in _FOLDERS:
        raise ValueError(f"unknown folder {name!r}; expected one of {', '.join(_FOLDERS)}")
    return project_root() / name


def ontology_file() -> Path:
    """The OWL ontology, ``ontology/allianceskg.ttl``."""
    return folder("ontology") / "allianceskg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes for the data, ``ontology/shapes.ttl``."""
    return folder("ontology") / "shapes.ttl"


def hygiene_shapes_file() -> Path:
    """The SHACL shapes run on the ontology itself, ``ontology/hygiene-shapes.ttl``."""
    return folder("ontology") / "hygiene-shapes.ttl"


def reference_files() -> list[Path]:
    """The curated reference data, every ``data/reference/*.ttl`` in name order."""
    return sorted((folder("data") / "reference").glob("*.ttl"))


def query_files() -> list[Path]:
    """The competency questions, every ``queries/*.rq`` in name order."""
    return sorted(folder("queries").glob("*.rq"))
