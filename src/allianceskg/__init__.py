"""allianceskg: a knowledge graph and SPARQL service for analysts of geopolitics and
economic security.

The version comes from the installed package metadata, the one source of truth
(pyproject.toml); nothing else is done at import time.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("allianceskg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
