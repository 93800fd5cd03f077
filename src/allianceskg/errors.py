"""The one exception hierarchy of allianceskg.

Every error says what went wrong and what to change: the file and line, the node and
shape, or the setting. The CLI and the web app each turn these into output in one
place.
"""

from __future__ import annotations

from pathlib import Path


class AllianceskgError(Exception):
    """Base class: a problem the user can fix, with a hint saying how."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class InputFileError(AllianceskgError):
    """A file the project reads (ontology, shapes, reference data, seeds) is malformed."""

    def __init__(
        self, path: Path | str, problem: str, *, line: int | None = None, hint: str | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {problem}", hint=hint)


class ResourceNotFoundError(AllianceskgError):
    """A packaged resource (ontology, queries, data) cannot be found."""


def yaml_problem(path: Path, exc: Exception) -> InputFileError:
    """A YAML parser error as an InputFileError naming the file and line."""
    mark = getattr(exc, "problem_mark", None)
    return InputFileError(path, f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
                          line=mark.line + 1 if mark else None)
