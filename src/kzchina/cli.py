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


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=4848, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--edition", default=None,
              help="Data edition to preview (passed to the chapters as REPORT_EDITION).")
def serve(project_dir: Path, port: int, edition: str | None) -> None:
    """Preview the book on 127.0.0.1: rebuild on every change and reload open pages."""
    import os

    from litbuild.errors import BuildError
    from litbuild.serve import serve as serve_book

    if edition:
        os.environ["REPORT_EDITION"] = edition
    try:
        serve_book(project_dir, port=port)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@main.command()
@click.option("--edition", default=None, help="Data edition folder under data/ (default: newest).")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def check(edition: str | None, project_dir: Path) -> None:
    """Validate the data package and lint the chapters' prose; list every problem."""
    from kzchina.lint import lint_chapters
    from kzchina.validate import check_edition, summarize_edition

    problems = check_edition(edition, root=project_dir) + lint_chapters(project_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo(summarize_edition(edition, root=project_dir))
    click.echo("prose lint: no typed quantities in chapter prose")


@main.command()
@click.argument("identifier")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--json", "as_json", is_flag=True, help="Print the raw provenance record.")
def provenance(identifier: str, project_dir: Path, as_json: bool) -> None:
    """Print the lineage of a figure, table or fact (e.g. fig-trade, tbl-ministers, a fact id)."""
    import json

    from litbuild.errors import BuildError
    from litbuild.verify import lineage

    try:
        record = lineage(project_dir, identifier)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False))
        return
    click.echo(f"{record['identifier']}: {record.get('name')}"
               + (f" = {record.get('text')}" if record.get("text") else ""))
    if record.get("caption"):
        click.echo(f"  caption: {record['caption']}")
    where = record.get("page") or ", ".join(
        f"{u['chapter']}:{u['line']}" for u in record.get("usedIn", []))
    click.echo(f"  in: {where}")
    code = record.get("instrument") or {}
    if code:
        params = record.get("params") or {}
        call = f"({', '.join(f'{k}={v!r}' for k, v in sorted(params.items()))})" if params else ""
        click.echo(f"  code: {code.get('name')}{call} ({code.get('file')}:{code.get('line')}, "
                   f"git blob {code.get('gitBlob')})")
    for item in record.get("object", []):
        click.echo(f"  input: {item['@id']} [{item.get('resource')}] sha256 {item.get('sha256')}")
    for item in record.get("result", []):
        click.echo(f"  output: {item['@id']} sha256 {item.get('sha256')}")


@main.command()
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def verify(project_dir: Path) -> None:
    """Rebuild from scratch into a temporary folder and compare every output hash."""
    from litbuild.errors import BuildError
    from litbuild.verify import verify as verify_book

    try:
        report = verify_book(project_dir)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        click.echo("verify FAILED: the rebuild differs from the recorded outputs", err=True)
        sys.exit(1)
    click.echo(f"verify OK: {report.compared} recorded outputs reproduced byte for byte")


if __name__ == "__main__":
    main()
