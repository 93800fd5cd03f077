"""Reading the YAML files people write (claims, sidecars): UTF-8 text, no aliases,
bounded nesting, every problem as an :class:`~allianceskg.errors.InputFileError`
naming the file and line.

PyYAML's safe loader still expands aliases (a 600-byte "billion laughs" file took
3.6 GB) and recurses once per nesting level; neither has a place in a hand-written
claims file, so aliases are refused and nesting stops at :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from allianceskg.errors import InputFileError, yaml_problem

MAX_DEPTH = 64


class GuardedLoader(yaml.SafeLoader):
    """A safe loader without aliases and with a nesting limit."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 (PyYAML's signature)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not accepted here; write the value out",
                event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"the YAML nests deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_text(path: Path) -> str:
    """A file's text; not UTF-8 is refused naming the byte and line."""
    return decode(path, path.read_bytes())


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 bytes as text without a byte-order mark; anything else is refused naming
    the byte and its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputFileError(path, f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                             line=line, hint="save the file as UTF-8") from None


def load_yaml(path: Path, loader: type[GuardedLoader] = GuardedLoader) -> object:
    """Parse ``path`` with a guarded loader."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise yaml_problem(path, exc) from None
    except RecursionError:
        raise InputFileError(path, "the YAML nests too deeply") from None
    except ValueError as exc:  # a value the resolver cannot build, e.g. a date 2024-13-45
        raise InputFileError(path, f"a value cannot be read: {exc}",
                             hint="quote it to keep it as text") from None
