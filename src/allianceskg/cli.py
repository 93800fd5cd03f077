"""The command-line interface: a thin layer over the library.

Every command calls library functions and prints their results; errors of the
:class:`~allianceskg.errors.AllianceskgError` family are turned into a message and an
exit code in one place (:func:`main`): 0 success, 1 the data does not conform,
2 an error the user must fix (the message names the file and line, or the option).
"""

from __future__ import annotations

import contextlib
import errno
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from allianceskg import __version__
from allianceskg.errors import AllianceskgError

EXIT_OK, EXIT_NONCONFORMING, EXIT_ERROR = 0, 1, 2

_DATA_OPTION = click.option(
    "--data", "data_dir", type=click.Path(path_type=Path), default=None,
    help="Release folder to read (default: data/kg/ of the project).")


def _release_dir(data_dir: Path | None) -> Path:
    from allianceskg.build.pipeline import ProjectPaths

    return data_dir or ProjectPaths.default().release


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="allianceskg")
def cli() -> None:
    """allianceskg: a knowledge graph of alliances, risks and economic security."""


def _settings_options(command):
    """Add one option per row of the settings table (allianceskg.settings)."""
    from allianceskg.settings import SETTINGS

    for setting in reversed(SETTINGS):
        default = setting.default
        shown = " ".join(default) if isinstance(default, tuple) else default
        if isinstance(default, bool):
            name = setting.flag[2:]
            command = click.option(f"--{name}/--no-{name}", setting.name, default=None,
                                   help=f"{setting.help} [default: {'on' if default else 'off'}; "
                                        f"env: {setting.env}]")(command)
            continue
        command = click.option(
            setting.flag, setting.name, default=None, metavar="VALUE",
            help=f"{setting.help} [default: {shown if shown not in (None, '', ()) else 'none'}; "
                 f"env: {setting.env}]")(command)
    return command


@cli.command()
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="TOML file of settings (default: ./allianceskg.toml if present; "
                   "env: ALLIANCESKG_CONFIG).")
@_settings_options
def serve(config: Path | None, **values: object) -> None:
    """Serve the release over SPARQL 1.1 with waitress (read-only).

    Settings come from the table below; precedence: defaults < config file <
    ALLIANCESKG_* environment < these flags.
    """
    from allianceskg.server import run_server
    from allianceskg.settings import load_settings

    settings = load_settings(values, config=config)
    run_server(settings, announce=lambda line: click.echo(line, err=True))


@cli.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder to write the release to (default: data/kg/).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@click.option("--store", default=None, metavar="STORE",
              help="Also load the release into a store: memory (nothing to load), "
                   "oxigraph[:DIR] or remote:URL [default: the store setting; env: "
                   "ALLIANCESKG_STORE].")
@click.option("--remote-update-url", default=None, metavar="URL",
              help="SPARQL Update endpoint of a remote store (default: its URL).")
@click.option("--remote-graph-store-url", default=None, metavar="URL",
              help="Graph Store Protocol endpoint of a remote store (default: its URL).")
def build(out_dir: Path | None, quiet: bool, store: str | None, remote_update_url: str | None,
          remote_graph_store_url: str | None) -> None:
    """Build the knowledge graph from seeds/ and write the release atomically.

    A SHACL violation or an OWL inconsistency stops the build (exit 1) and leaves the
    previous release as it was. With --store, the new release is then loaded into
    the store (an oxigraph folder, or pushed to a remote SPARQL endpoint).
    """
    from allianceskg import resources
    from allianceskg.build.pipeline import ProjectPaths
    from allianceskg.settings import load_settings

    paths = ProjectPaths.default()
    settings = load_settings({"store": store, "remote_update_url": remote_update_url,
                              "remote_graph_store_url": remote_graph_store_url})
    if out_dir is None:
        resources.writable_root()  # refuses to write into a checkout from elsewhere
    result = _build_or_exit(paths, quiet)
    target = out_dir or paths.release
    _write_release(result, target, quiet,
                   state_file=_state_file(paths) if target == paths.release else None)
    _load_store(settings.store, target)


def _state_file(paths) -> Path | None:
    """Where a build leaves what the next ingest continues from (data/cache/)."""
    from allianceskg.build.incremental.state import STATE_FILE

    return paths.cache / STATE_FILE if paths.cache is not None else None


def _load_store(spec, release: Path) -> None:
    """After a build: make the chosen store hold the new release, and say so."""
    from allianceskg.store import prepare

    if spec.kind == "memory":
        return
    ready = prepare(spec, release, force_push=True)
    if ready.path is not None:
        click.echo(f"oxigraph store: {ready.path}", err=True)
    else:
        click.echo(f"pushed {ready.pushed} triples to {spec.location}", err=True)


def _build_or_exit(paths, quiet: bool):
    """Run the build; a SHACL violation or inconsistency exits 1 (release untouched)."""
    from allianceskg.build.pipeline import BuildError
    from allianceskg.build.pipeline import build as run_build

    progress = None if quiet else (lambda stage: click.echo(f"… {stage}", err=True))
    try:
        return run_build(paths, progress=progress)
    except BuildError as exc:
        click.echo(f"build failed: {exc}", err=True)
        sys.exit(EXIT_NONCONFORMING)


def _write_release(result, target: Path, quiet: bool, state_file: Path | None = None) -> None:
    from allianceskg.build.release import write_release
    from allianceskg.views import build_summary

    write_release(result, target, state_file)
    click.echo(build_summary(result, target, quiet=quiet))


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@_DATA_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="Report format.")
def validate(path: Path | None, data_dir: Path | None, fmt: str) -> None:
    """Validate the release (or an RDF file) against ontology/shapes.ttl.

    Exit 0 when it conforms, 1 on violations, 2 when it cannot be read.
    """
    from allianceskg.views import report_text, validate_file

    target = path or (_release_dir(data_dir) / "allianceskg.trig")
    report, graph = validate_file(target)
    click.echo(report_text(report, graph, fmt), nl=False)
    sys.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


@cli.command()
@click.argument("query")
@_DATA_OPTION
@click.option("--format", "fmt", default=None,
              help="SELECT/ASK: table (default), csv, tsv, json, xml. "
                   "CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld, xml.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable, e.g. -p actor=id:japan (repeatable).")
def query(query: str, data_dir: Path | None, fmt: str | None, params: tuple[str, ...]) -> None:
    """Run SPARQL on the release: QUERY is a .rq file, a stored query's name, or text."""
    from allianceskg.views import run_cli_query

    click.echo(run_cli_query(query, _release_dir(data_dir), fmt, params), nl=False)


@cli.command()
@_DATA_OPTION
@click.option("--graph", "graph_name", default="all", show_default=True,
              help="Graph to export: all, ontology, reference, links, provenance, mentions, "
                   "inferred, doc/ID, or a full graph IRI.")
@click.option("--entity", default=None, metavar="IRI",
              help="Export one entity's description instead: every triple with it as "
                   "subject or object, outside the mention and tentative graphs "
                   "(id:japan or a full IRI).")
@click.option("--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "ntriples", "trig", "nquads", "jsonld", "xml"]))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (default: standard output).")
def export(data_dir: Path | None, graph_name: str, entity: str | None, fmt: str,
           output: Path | None) -> None:
    """Export a graph of the release, all of it, or one entity, in an RDF format."""
    from allianceskg.views import export_text

    from allianceskg.errors import InputFileError

    if output is not None and output.is_dir():
        raise InputFileError(output, "is a folder", hint="give a file name, e.g. -o out.ttl")
    if output is not None and not output.parent.is_dir():
        raise InputFileError(output, f"the folder {output.parent} does not exist",
                             hint="create it first, or write elsewhere")
    text = export_text(_release_dir(data_dir), graph_name, fmt, entity=entity)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@cli.command()
@_DATA_OPTION
def stats(data_dir: Path | None) -> None:
    """Counts of the release: graphs, documents, claims by modality, entities by class."""
    from allianceskg.views import stats_text

    click.echo(stats_text(_release_dir(data_dir)), nl=False)


@cli.command()
@click.argument("subject")
@click.argument("predicate")
@click.argument("obj", metavar="OBJECT")
@_DATA_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def explain(subject: str, predicate: str, obj: str, data_dir: Path | None, fmt: str) -> None:
    """Say why a triple holds: its evidence, or the OWL 2 RL rule and premises.

    Example: allianceskg explain id:japan akg:isPartyTo id:eu-japan-competitiveness-alliance
    """
    from allianceskg.views import explain_text

    text, known = explain_text(_release_dir(data_dir), subject, predicate, obj, fmt)
    click.echo(text, nl=False)
    sys.exit(EXIT_OK if known else EXIT_NONCONFORMING)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="Title (default: the first line of the text).")
@click.option("--language", default="en", show_default=True)
@click.option("--type", "document_type", default="article", show_default=True)
@click.option("--author", default="unknown", show_default=True)
@click.option("--published", default="unknown", show_default=True)
@click.option("--no-build", is_flag=True, help="Only copy the document; do not rebuild.")
def ingest(file: Path, title: str | None, language: str, document_type: str, author: str,
           published: str, no_build: bool) -> None:
    """Add a document to seeds/ with a metadata sidecar, then rebuild.

    The document is staged outside seeds/ and the build reads the staged corpus; only
    a successful build moves it into seeds/ and replaces the release. A failed or
    interrupted ingest (Ctrl-C, SIGTERM) leaves seeds/ and the release as they were.
    """
    from dataclasses import replace

    from allianceskg import resources
    from allianceskg.build.ingest import stage_document
    from allianceskg.build.pipeline import ProjectPaths

    paths = ProjectPaths(resources.writable_root())
    staged = stage_document(file, paths.seeds, title=title, language=language,
                            document_type=document_type, author=author, published=published)
    added = None
    try:
        with _terminate_as_interrupt():
            result = None
            if not no_build:
                staged_paths = replace(paths, seeds_dir=staged.folder)
                try:
                    added = _add_incrementally(staged_paths, staged.folder / staged.document.name,
                                               paths.release)
                    if added is None:
                        result = _build_or_exit(staged_paths, quiet=False)
                except (SystemExit, AllianceskgError):
                    click.echo(f"Did not add {staged.document.name}: the build failed; "
                               f"seeds/ and the release are unchanged.", err=True)
                    raise
            with _signals_deferred():
                staged.commit()
                click.echo(f"Added {staged.document} and {staged.sidecar.name}", err=True)
                if added is not None:
                    added.commit()
                    added = None
                elif result is not None:
                    _write_release(result, paths.release, quiet=False,
                                   state_file=_state_file(paths))
    except KeyboardInterrupt:
        click.echo(f"Interrupted: {staged.document.name} was not added; seeds/ is unchanged.",
                   err=True)
        sys.exit(130)
    finally:
        if added is not None:
            added.discard()
        staged.discard()


def _add_incrementally(paths, document: Path, release: Path):
    """The release with ``document`` added from the last build's state (only the new
    document is read), or None when only a full build can add it (the reason is said)."""
    from allianceskg.build.incremental.add import NotIncremental, add_document
    from allianceskg.build.pipeline import BuildError

    try:
        added = add_document(paths, document, release,
                             progress=lambda stage: click.echo(f"… {stage}", err=True))
    except BuildError as exc:
        click.echo(f"build failed: {exc}", err=True)
        sys.exit(EXIT_NONCONFORMING)
    except NotIncremental as why:
        click.echo(f"… a full build: {why}", err=True)
        return None
    except (OSError, ValueError, LookupError, TypeError) as exc:  # an unreadable state
        click.echo(f"… a full build: the last build's state could not be used ({exc})", err=True)
        return None
    click.echo(f"Added {added.doc_id} incrementally: {added.claims} claims, {added.mentions} "
               f"mentions, {added.triples} triples → {release}\ntime per stage (s): "
               + ", ".join(f"{k} {v}" for k, v in added.timings.items()))
    return added


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so clean-up code runs (the default kills at once)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while seeds/ and the release are updated (milliseconds)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@cli.command()
@click.argument("doc")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (default: standard output), e.g. data/claims/DOC-ID.yaml.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def draft(doc: str, output: Path | None, force: bool) -> None:
    """Write the automatic layer's reading of DOC as a claims file to review.

    DOC is a document id of seeds/ or the path of a document with its sidecar. Each
    claim carries its quote (the whole sentence), modality, speaker, confidence and
    construction; names no fact uses yet are listed as proposed entities. Reviewed
    and saved as data/claims/DOC-ID.yaml, it becomes the document's curated layer.
    """
    from allianceskg.build.corpus import load_document
    from allianceskg.errors import InputFileError
    from allianceskg.build.pipeline import BuildError, ProjectPaths
    from allianceskg.build.pipeline import draft as draft_document

    paths = ProjectPaths.default()
    candidate = Path(doc)
    if not candidate.is_file():
        found = [p for p in paths.seeds.glob(f"{doc}.*") if not p.name.endswith(".meta.yaml")]
        if not found:
            raise click.BadParameter(f"no document {doc!r} in {paths.seeds} and no such file",
                                     param_hint="DOC")
        candidate = found[0]
    if output is not None and output.exists() and not force:
        raise InputFileError(output, "the output file exists",
                             hint="review and keep the existing file, choose another -o, or pass --force")
    document = load_document(candidate)
    try:
        text, facts = draft_document(paths, document)
    except BuildError as exc:
        raise InputFileError(document.path, exc.message, hint=exc.hint) from None
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}: {facts} fact(s) in "
                   f"{text.count('- quote:')} group(s) to review", err=True)


@cli.command()
@_DATA_OPTION
@click.option("--dataset", "dataset", type=click.Path(path_type=Path), required=True,
              help="The dataset to link to: a CSV file with a header, or an RDF file.")
@click.option("--type", "types", multiple=True, metavar="CLASS",
              help="Only match entities of this class (subclasses included), e.g. State.")
@click.option("--name", default=None, help="Name of the linkset (default: the file's name).")
@click.option("--base", default=None, metavar="IRI",
              help="For a CSV whose ids are not IRIs: the IRI the ids are appended to.")
@click.option("--report", "report_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for report.csv and report.html (default: data/links/reports/NAME/).")
@click.option("--accept", is_flag=True,
              help="Write the matched links as data/links/NAME.ttl; the next build puts them "
                   "in graph/links.")
def link(data_dir: Path | None, dataset: Path, types: tuple[str, ...], name: str | None,
         base: str | None, report_dir: Path | None, accept: bool) -> None:
    """Link the release's entities to another dataset: shared identifiers first, then
    normalised and fuzzy names; a review report, and with --accept a VoID linkset."""
    import getpass
    import re as _re

    from rdflib import URIRef

    from allianceskg.analysis.linking import link as run_link, linkset_graph, write_report
    from allianceskg.model.load import load_ontology
    from allianceskg.build.pipeline import ProjectPaths
    from allianceskg.build.release import release_graphs
    from allianceskg.rdf.formats import parse_term
    from allianceskg.rdf.serialize import turtle
    from allianceskg.vocab import AKG, PREFIXES

    paths = ProjectPaths.default()
    name = name or _re.sub(r"[^a-z0-9-]+", "-", dataset.stem.lower()).strip("-") or "dataset"
    ontology = load_ontology(paths.ontology)
    classes = tuple(URIRef(str(AKG._NS) + t) if ":" not in t else parse_term(t) for t in types)
    for cls in classes:
        if (cls, None, None) not in ontology:
            raise click.BadParameter(f"{cls} is not a class of the ontology", param_hint="--type")
    report = run_link(dataset, release_graphs(_release_dir(data_dir)), types=classes,
                      ontology=ontology)
    folder = report_dir or paths.links / "reports" / name
    csv_path, html_path = write_report(report, folder)
    click.echo(f"{len(report.decisions)} record(s): {report.count('matched')} matched, "
               f"{report.count('ambiguous')} ambiguous, {report.count('unmatched')} unmatched "
               f"→ {csv_path}, {html_path}", err=True)
    if accept:
        agent = f"{getpass.getuser()} (allianceskg link)"
        graph = linkset_graph(report, name, base=base, agent=agent)
        paths.links.mkdir(parents=True, exist_ok=True)
        target = paths.links / f"{name}.ttl"
        target.write_text(turtle(graph, dict(PREFIXES, prov="http://www.w3.org/ns/prov#")),
                          encoding="utf-8")
        click.echo(f"Wrote {target}: {report.count('matched')} link(s); run 'allianceskg build' "
                   f"to publish them in graph/links", err=True)


@cli.command()
def check() -> None:
    """Check the model: ontology hygiene, version, shapes, vocabulary and reference data.

    Exit 0 when everything conforms, 1 when the ontology or reference data breaks a
    rule (each problem is listed), 2 when a file cannot be read.
    """
    from allianceskg.model.checks import check_model

    problems = check_model(package_version=__version__)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(EXIT_NONCONFORMING)
    click.echo("The ontology, shapes and reference data conform.")


@cli.command()
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder to write index.html to (created if missing).")
def docs(out_dir: Path) -> None:
    """Write HTML documentation of the ontology (pyLODE)."""
    from allianceskg.model.docs import write_docs
    from allianceskg.model.load import load_ontology

    target = write_docs(load_ontology(), out_dir)
    click.echo(f"Wrote {target}")


@cli.command()
def reference() -> None:
    """Regenerate data/reference/countries.ttl (ISO 3166 table) and places.ttl (capitals,
    demonyms, aliases and U.S. states from GeoNames and REST Countries data)."""
    from allianceskg import resources
    from allianceskg.model.load import write_countries_reference, write_places_reference

    resources.writable_root()
    click.echo(f"Wrote {write_countries_reference()}")
    click.echo(f"Wrote {write_places_reference()}")


@cli.command()
def queries() -> None:
    """List the competency questions in queries/ with their titles."""
    from allianceskg.analysis.queries import load_queries

    for stored in load_queries():
        parameters = f"  (-p {' -p '.join(p + '=…' for p in stored.parameters)})" if stored.parameters else ""
        click.echo(f"{stored.name:<40} {stored.title}{parameters}")


def main() -> None:
    """Entry point: run the CLI, turning project errors into a message and exit code 2."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except AllianceskgError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except OSError as exc:  # a file that cannot be read or written: say which and why
        where = exc.filename or "a file"
        click.echo(f"error: {where}: {exc.strerror or exc}", err=True)
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM):
            click.echo("  hint: free space or fix permissions; a release that could not be "
                       "written leaves the previous one in place", err=True)
        sys.exit(EXIT_ERROR)
