"""The service's settings: one table drives the defaults, the config file, the
``ALLIANCESKG_*`` environment variables, the ``serve`` options and their help.

Precedence, lowest first: the table's defaults < a TOML config file (``--config``,
``ALLIANCESKG_CONFIG``, or ``allianceskg.toml`` in the working directory) <
environment variables < command-line flags. A bad value names the setting, where it
came from and what is expected.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from allianceskg.errors import AllianceskgError

ENV_PREFIX = "ALLIANCESKG_"
DEFAULT_CONFIG = Path("allianceskg.toml")


@dataclass(frozen=True)
class Setting:
    """One row of the table."""

    name: str
    default: object
    parse: Callable[[str], object]
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _queue_size(text: str) -> int | str:
    return "auto" if str(text).strip().lower() == "auto" else _non_negative_int(text)


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be a port number, 0–65535 (0: any free port)")
    return value


def _words(text: str | list) -> tuple[str, ...]:
    if isinstance(text, (list, tuple)):
        return tuple(str(t) for t in text)
    return tuple(w for w in (p.strip() for p in str(text).replace(",", " ").split()) if w)


def _store(text: str):
    from allianceskg.store.base import parse_spec

    try:
        return parse_spec(text)
    except AllianceskgError as exc:
        raise ValueError(f"{exc.message.split(' (from')[0]}; {exc.hint}") from None


def _bool(text: str | bool) -> bool:
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def _optional_url(text: str) -> str:
    text = str(text).strip()
    if text and not text.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return text


def _optional_path(text: str) -> Path | None:
    return Path(text) if str(text).strip() else None


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", str, "Interface to listen on."),
    Setting("port", 8000, _port, "Port to listen on (0 picks a free one)."),
    Setting("data", None, _optional_path, "Release folder to serve (default: the project's data/kg/)."),
    Setting("store", "oxigraph", _store,
            "Store that answers queries: memory (rdflib), oxigraph[:DIR] (pyoxigraph, persistent "
            "in DIR, default data/oxigraph beside the release) or remote:URL (a SPARQL 1.1 "
            "endpoint the release is pushed to)."),
    Setting("remote_update_url", "", _optional_url,
            "SPARQL Update endpoint of the remote store (default: its query URL)."),
    Setting("remote_graph_store_url", "", _optional_url,
            "Graph Store Protocol endpoint of the remote store (default: its query URL; "
            "Virtuoso: http://HOST:8890/sparql-graph-crud)."),
    Setting("query_timeout", 10.0, _positive_float,
            "Seconds a query may run before it is stopped (its worker process is killed)."),
    Setting("max_rows", 10000, _positive_int,
            "Most result rows (or triples) returned; more are cut and the response says so."),
    Setting("max_request_bytes", 1_000_000, _positive_int,
            "Largest request (URL and body) accepted; larger ones get 413."),
    Setting("max_query_chars", 100_000, _positive_int, "Longest query text accepted."),
    Setting("max_nesting", 40, _positive_int,
            "Deepest nesting of {, ( and [ accepted in a query (the parser recurses)."),
    Setting("workers", 2, _positive_int, "Query worker processes."),
    Setting("threads", 12, _positive_int, "HTTP threads of the waitress server."),
    Setting("queue_size", "auto", _queue_size,
            "Queries that may wait for a busy worker (or share an identical query's answer); "
            "more get 503 with Retry-After at once. Running, express (one per worker) and "
            "waiting queries must leave two HTTP threads free: auto is threads - 2 × workers - 2."),
    Setting("worker_memory_mb", 256, _positive_int,
            "Memory a query worker may grow by (RLIMIT_AS); a query needing more gets 503."),
    Setting("max_response_bytes", 16_000_000, _positive_int,
            "Largest response body; results beyond it are cut and the response says so."),
    Setting("cache_bytes", 64_000_000, _non_negative_int,
            "Bytes of responses kept in the result cache (0 disables it)."),
    Setting("connection_limit", 200, _positive_int,
            "Open HTTP connections accepted at once (waitress connection_limit)."),
    Setting("channel_timeout", 30, _positive_int,
            "Seconds an idle or slow HTTP connection is kept before it is closed."),
    Setting("reload_interval", 2.0, _non_negative_float,
            "Seconds between checks for a new release (0: reload on SIGHUP only)."),
    Setting("cors_origins", (), _words,
            "Origins allowed to call the service from a browser (space separated; none by default)."),
    Setting("service_allowlist", (), _words,
            "SERVICE endpoints queries may call (none by default: SERVICE is refused)."),
    Setting("cache_entries", 512, int, "Responses kept in the result cache (0 disables it)."),
    Setting("public_url", "", str,
            "Base URL clients use to reach the service, for the service description "
            "(default: taken from each request)."),
    Setting("review", False, _bool,
            "Open the review desk (/review/): accept, reject or edit the automatic layer's "
            "draft claims and write data/claims/; local only, so host must be loopback."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings, with where each value came from."""

    host: str
    port: int
    data: Path | None
    store: object  # allianceskg.store.StoreSpec
    remote_update_url: str
    remote_graph_store_url: str
    query_timeout: float
    max_rows: int
    max_request_bytes: int
    max_query_chars: int
    max_nesting: int
    workers: int
    threads: int
    queue_size: int | str  # "auto" until load_settings resolves it
    worker_memory_mb: int
    max_response_bytes: int
    cache_bytes: int
    connection_limit: int
    channel_timeout: int
    reload_interval: float
    cors_origins: tuple[str, ...]
    service_allowlist: tuple[str, ...]
    cache_entries: int
    public_url: str
    review: bool = False

    def replace(self, **changes: object) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def defaults() -> Settings:
    return _resolve({s.name: s.default for s in SETTINGS})


def load_settings(cli: Mapping[str, object] | None = None, *, config: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve every setting: defaults < config file < environment < ``cli``."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    config = config or _optional_path(environ.get(ENV_PREFIX + "CONFIG", "")) or (
        DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    if config is not None:
        for name, raw in _read_config(config).items():
            values[name] = _parse(_BY_NAME[name], raw, f"{config}")
    for setting in SETTINGS:
        if setting.env in environ:
            values[setting.name] = _parse(setting, environ[setting.env], setting.env)
    for name, raw in (cli or {}).items():
        if raw is not None and raw != ():
            values[name] = _parse(_BY_NAME[name], raw, _BY_NAME[name].flag)
    return _resolve(values)


def _resolve(values: dict[str, object]) -> Settings:
    from allianceskg.store.base import StoreSpec

    store = values["store"]
    if not isinstance(store, StoreSpec):
        store = values["store"] = _store(store)
    if store.kind == "remote":
        values["store"] = StoreSpec("remote", store.location,
                                    values["remote_update_url"] or store.location,
                                    values["remote_graph_store_url"] or store.location)
    if values["queue_size"] == "auto":
        values = {**values, "queue_size": max(0, values["threads"] - 2 * values["workers"] - 2)}
    settings = Settings(**values)
    _check_capacity(settings)
    _check_review(settings)
    return settings


def _check_capacity(settings: Settings) -> None:
    """Queries (running, express or waiting) must never hold every HTTP thread, or
    /healthz, /metrics and cached answers would wait behind them."""
    held = 2 * settings.workers + settings.queue_size
    if held > settings.threads - 2:
        raise AllianceskgError(
            f"workers ({settings.workers}, and as many express ones) + queue_size "
            f"({settings.queue_size}) leave fewer than two of the {settings.threads} HTTP "
            f"threads free", hint=f"raise threads to at least {held + 2}, or lower queue_size")


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _check_review(settings: Settings) -> None:
    """The review desk writes files: it is never offered beyond this machine."""
    if settings.review and settings.host not in LOOPBACK:
        raise AllianceskgError(
            f"the review desk (review) writes data/claims/ and only listens on loopback, "
            f"but host is {settings.host}", hint="drop --host (it defaults to 127.0.0.1), or "
                                                 "serve without --review")


def _read_config(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AllianceskgError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise AllianceskgError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise AllianceskgError(f"{path}: unknown setting(s) {', '.join(unknown)}",
                               hint=f"known settings: {', '.join(_BY_NAME)}")
    return data


def _parse(setting: Setting, raw: object, origin: str) -> object:
    if not isinstance(raw, str) and setting.parse not in (_words, _bool):
        raw = str(raw)
    try:
        return setting.parse(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise AllianceskgError(f"bad value {raw!r} for {setting.name} (from {origin}): {exc}",
                               hint=setting.help) from None
