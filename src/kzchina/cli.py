"""The `report` command: build, check, provenance, verify. Thin: parse options, call one function."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Build and check the TALAP China-in-Kazakhstan report (any Quarto book, for `build`)."""


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "to", type=click.Choice(["html", "pdf", "all"]), default="all",
              show_default=True, help="Which outputs to render.")
@click.option("--engine", type=click.Choice(["auto", "builtin", "quarto"]), default="auto",
              show_default=True, help="auto uses quarto when it is on PATH, else the builtin engine.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the book (default: project.output-dir, usually _book).")
def build(project_dir: Path, to: str, engine: str, output_dir: Path | None) -> None:
    """Render a Quarto book project to an HTML site and a PDF."""
    from litbuild.build import build as build_book
    from litbuild.errors import BuildError

    try:
        result = build_book(project_dir, to=to, engine=engine, output_dir=output_dir)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("build failed; the previous output was left unchanged", err=True)
        sys.exit(1)
    click.echo(result.summary())


if __name__ == "__main__":
    main()
