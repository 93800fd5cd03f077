"""The build's per-document caches in ``data/cache/`` (parses, document-scoped SHACL
results): entries named by a content hash, written atomically. An entry is only an
optimisation: one that cannot be written is skipped, one that cannot be read is
recomputed by its caller."""

from __future__ import annotations

import os
from pathlib import Path


def write_entry(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by a rename, so a reader never sees half an entry."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        pass
