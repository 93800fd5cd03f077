"""The command-line interface: a thin layer over the library.

Every command calls library functions and prints their results; errors of the
:class:`~allianceskg.errors.AllianceskgError` family are turned into a message and an
exit code in one place (:func:`main`): 0 success, 1 the input does not conform,
2 an error the user must fix.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from allianceskg import __version__
from allianceskg.errors import AllianceskgError

EXIT_OK, EXIT_NONCONFORMING, EXIT_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="allianceskg")
def cli() -> None:
    """allianceskg: a knowledge graph of alliances, risks and economic security."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Serve the knowledge graph over SPARQL (not built yet: prints the plan)."""
    click.echo(
        "allianceskg serve is not available yet.\n"
        f"It will answer SPARQL 1.1 queries at http://{host}:{port}/sparql over the release\n"
        "in data/kg/ (built by 'allianceskg build'), served by waitress.\n"
        "Today you can: 'allianceskg check' (validate the model), 'allianceskg docs -o DIR'\n"
        "(ontology documentation) and 'allianceskg queries' (the competency questions)."
    )


@cli.command()
def check() -> None:
    """Check the model: ontology hygiene, version, shapes and reference data.

    Exit 0 when everything conforms, 1 when the ontology or reference data breaks a
    rule (each problem is listed), 2 when a file cannot be read.
    """
    from allianceskg.checks import check_model

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
    from allianceskg.docs import write_docs
    from allianceskg.model import load_ontology

    target = write_docs(load_ontology(), out_dir)
    click.echo(f"Wrote {target}")


@cli.command()
def reference() -> None:
    """Regenerate data/reference/countries.ttl from the ISO 3166 country table."""
    from allianceskg.model import write_countries_reference

    click.echo(f"Wrote {write_countries_reference()}")


@cli.command()
def queries() -> None:
    """List the competency questions in queries/ with their titles."""
    from allianceskg.queries import load_queries

    for query in load_queries():
        click.echo(f"{query.name:<40} {query.title}")


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
