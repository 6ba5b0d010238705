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
@click.option("--edition", default=None,
              help="Data edition under data/ (default: $REPORT_EDITION, _quarto.yml params.edition, "
                   "else the newest).")
@click.option("--draft", is_flag=True,
              help="Build even if claims in the text fail; mark each failing sentence.")
def build(project_dir: Path, to: str, engine: str, output_dir: Path | None, edition: str | None,
          draft: bool) -> None:
    """Render a Quarto book project to an HTML site and a PDF."""
    from kzchina.edition_build import edition_variant
    from kzchina.problems import ProblemsError
    from litbuild.build import build as build_book
    from litbuild.errors import BuildError

    try:
        variant, _ = edition_variant(project_dir, edition, draft)
        result = build_book(project_dir, to=to, engine=engine, output_dir=output_dir,
                            variant=variant)
    except ProblemsError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("build failed; the previous output was left unchanged", err=True)
        sys.exit(1)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo("build failed; the previous output was left unchanged", err=True)
        sys.exit(1)
    click.echo(result.summary())


@main.command()
@click.option("--edition", default=None, help="Data edition folder under data/ (default: newest).")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def check(edition: str | None, project_dir: Path) -> None:
    """Validate the data package and lint the chapters' prose; list every problem."""
    from kzchina.edition_check import edition_review
    from kzchina.lint import lint_chapters
    from kzchina.validate import check_edition, summarize_edition

    problems = check_edition(edition, root=project_dir) + lint_chapters(project_dir)
    if not problems:  # years and counts that must follow this edition's data
        from kzchina.period_lint import lint_periods

        problems += lint_periods(project_dir, edition)
    review = edition_review(edition, project_dir) if not problems else None
    if review is not None:
        problems += review.failing
        for warning in review.warnings():
            click.echo(warning, err=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo(summarize_edition(edition, root=project_dir))
    click.echo("prose lint: no typed quantities in chapter prose")
    click.echo(review.summary())


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


@main.command("new-edition")
@click.argument("edition")
@click.option("--from", "source", default=None, help="Edition to copy (default: the newest).")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def new_edition(edition: str, source: str | None, project_dir: Path) -> None:
    """Start data/EDITION from the previous edition, every row marked carried-over."""
    from kzchina.editions import new_edition as scaffold
    from kzchina.problems import ProblemsError

    try:
        folder, rows = scaffold(project_dir, edition, source)
    except ProblemsError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    click.echo(f"created {folder.relative_to(project_dir.resolve()) if folder.is_absolute() else folder}: "
               f"{rows} rows marked carried-over; replace their values, set each row's status, "
               f"then run `report check --edition {edition}`")


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the changes as an HTML page to this file.")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def diff_command(old: str, new: str, as_csv: bool, html_file: Path | None, project_dir: Path) -> None:
    """List the facts, table cells and figure data that differ (editions or built book folders)."""
    from kzchina.diff import diff, to_csv, to_html, to_text
    from kzchina.problems import ProblemsError

    try:
        changes = diff(old, new, project_dir.resolve())
    except ProblemsError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    except (OSError, KeyError, ValueError, LookupError) as exc:
        click.echo(f"error: cannot compare {old} with {new}: {exc}", err=True)
        sys.exit(1)
    click.echo(to_csv(changes) if as_csv else to_text(changes), nl=not as_csv)
    if html_file is not None:
        html_file.write_text(to_html(changes, f"What changed: {old} to {new}"), encoding="utf-8")
    if not as_csv:
        click.echo(f"{len(changes)} value(s) changed between {old} and {new}", err=True)


if __name__ == "__main__":
    main()
