"""The `report` command: build, check, provenance, verify. Thin: parse options, call one function."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of any failure.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Build and check the TALAP China-in-Kazakhstan report (any Quarto book, for `build`).

    Exit codes: 0 success, 1 invalid input, 2 usage, 3 tool missing, 4 system error (disk full,
    permission), 5 limit exceeded, 6 output folder refused, 10/11/12 verify (published files
    changed / record damaged / not reproduced), 70 internal error, 130/143 interrupted.
    """
    from kzchina import exits

    ctx.obj = {"debug": debug}
    exits.install_signal_handlers()


def _debug() -> bool:
    ctx = click.get_current_context()
    return bool((ctx.find_root().obj or {}).get("debug"))


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--to",
    "to",
    type=click.Choice(["html", "pdf", "all", "docx"]),
    default="all",
    show_default=True,
    help="Which outputs to render (all: HTML site and PDF; docx: one Word file).",
)
@click.option(
    "--engine",
    type=click.Choice(["builtin", "quarto"]),
    default="builtin",
    show_default=True,
    help="quarto runs `quarto render` (no provenance.json, facts.csv or figures/).",
)
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the book (default: project.output-dir, usually _book).",
)
@click.option(
    "--edition",
    default=None,
    help="Data edition under data/ (default: $REPORT_EDITION, _quarto.yml params.edition, "
    "else the newest).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Build even if claims in the text fail; mark each failing sentence.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds one cell may run (default: execute.timeout, else 600).",
)
@click.option(
    "--max-output-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Output one cell may produce, in MB (default 64).",
)
@click.option(
    "--kernel-memory-mb",
    type=click.FloatRange(min=0),
    default=None,
    help="Memory each kernel may use, in MB; 0 for no limit (default 4096).",
)
@click.option(
    "--pandoc-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds each pandoc call may take (default 300).",
)
@click.option(
    "--typst-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds the PDF compile may take (default 300).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print build events and the summary as JSON lines on stdout (for tools).",
)
def build(
    project_dir: Path,
    to: str,
    engine: str,
    output_dir: Path | None,
    edition: str | None,
    draft: bool,
    timeout: float | None,
    max_output_mb: float | None,
    kernel_memory_mb: float | None,
    pandoc_timeout: float | None,
    typst_timeout: float | None,
    as_json: bool,
) -> None:
    """Render a Quarto book project to an HTML site and a PDF."""
    import json

    from kzchina import exits
    from kzchina.edition_build import edition_variant
    from litbuild import build as build_book
    from litbuild import event_json, to_stderr

    def emit(event: str) -> None:
        click.echo(json.dumps(event_json(event)))

    limits = {
        "cell_timeout": timeout,
        "cell_output_mb": max_output_mb,
        "kernel_memory_mb": kernel_memory_mb,
        "pandoc_timeout": pandoc_timeout,
        "typst_timeout": typst_timeout,
    }
    shown = str(output_dir) if output_dir is not None else "the output folder"

    def on_error(exc: BaseException) -> None:
        if as_json:
            click.echo(json.dumps({"event": "error", "message": str(exc)}))

    # The edition (and draft mode) reach the engine as one keyed build variant.
    variant = exits.run(
        lambda: edition_variant(project_dir, edition, draft)[0], _debug(), on_error=on_error
    )
    result = exits.run(
        lambda: build_book(
            project_dir,
            to=to,
            engine=engine,
            output_dir=output_dir,
            limits=limits,
            variant=variant,
            progress=emit if as_json else to_stderr,
        ),
        _debug(),
        output=shown,
        on_error=on_error,
    )
    click.echo(json.dumps(result.to_json()) if as_json else result.summary())


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=4848,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--edition", default=None, help="Data edition to preview (default: as for `report build`)."
)
@click.option(
    "--draft",
    is_flag=True,
    help="Preview even if claims in the text fail; mark each failing sentence.",
)
def serve(project_dir: Path, port: int, edition: str | None, draft: bool) -> None:
    """Preview the book on 127.0.0.1: rebuild on every change and reload open pages."""
    from kzchina import exits
    from kzchina.edition_build import edition_variant
    from litbuild import serve as serve_book

    variant = exits.run(lambda: edition_variant(project_dir, edition, draft)[0], _debug())
    exits.run(lambda: serve_book(project_dir, port=port, variant=variant), _debug())


@main.command()
@click.option("--edition", default=None, help="Data edition folder under data/ (default: newest).")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def check(edition: str | None, project_dir: Path) -> None:
    """Validate the data package and lint the chapters' prose; list every problem."""
    from kzchina import exits
    from kzchina.edition_check import edition_review
    from kzchina.lint import lint_chapters
    from kzchina.validate import check_edition, summarize_edition

    problems = exits.run(
        lambda: check_edition(edition, root=project_dir) + lint_chapters(project_dir), _debug()
    )
    if not problems:  # years and counts that must follow this edition's data
        from kzchina.period_lint import lint_periods

        problems += exits.run(lambda: lint_periods(project_dir, edition), _debug())
    review = (
        exits.run(lambda: edition_review(edition, project_dir), _debug()) if not problems else None
    )
    if review is not None:
        problems += review.failing
        for warning in review.warnings():
            click.echo(warning, err=True)
    if problems:
        for line in exits.problem_lines(problems):
            click.echo(line, err=True)
        sys.exit(exits.FAILED)
    click.echo(exits.run(lambda: str(summarize_edition(edition, root=project_dir)), _debug()))
    click.echo("prose lint: no typed quantities in chapter prose")
    click.echo(review.summary())


@main.command()
@click.argument("identifier")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--json", "as_json", is_flag=True, help="Print the raw provenance record.")
def provenance(identifier: str, project_dir: Path, as_json: bool) -> None:
    """Print the lineage of a figure, table or fact (e.g. fig-trade, tbl-ministers, a fact id)."""
    import json

    from kzchina import exits
    from litbuild import lineage

    record = exits.run(lambda: lineage(project_dir, identifier), _debug())
    if as_json:
        click.echo(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False))
        return
    click.echo(
        f"{record['identifier']}: {record.get('name')}"
        + (f" = {record.get('text')}" if record.get("text") else "")
    )
    if record.get("caption"):
        click.echo(f"  caption: {record['caption']}")
    where = record.get("page") or ", ".join(
        f"{u['chapter']}:{u['line']}" for u in record.get("usedIn", [])
    )
    click.echo(f"  in: {where}")
    code = record.get("instrument") or {}
    if code:
        params = record.get("params") or {}
        call = f"({', '.join(f'{k}={v!r}' for k, v in sorted(params.items()))})" if params else ""
        click.echo(
            f"  code: {code.get('name')}{call} ({code.get('file')}:{code.get('line')}, "
            f"git blob {code.get('gitBlob')})"
        )
    for item in record.get("object", []):
        click.echo(f"  input: {item['@id']} [{item.get('resource')}] sha256 {item.get('sha256')}")
    for item in record.get("result", []):
        click.echo(f"  output: {item['@id']} sha256 {item.get('sha256')}")


@main.command()
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option(
    "--no-rebuild",
    is_flag=True,
    help="Only check the published files against the record (no rebuild).",
)
def verify(project_dir: Path, no_rebuild: bool) -> None:
    """Check the published files against the record, then rebuild and compare every hash.

    Exit codes: 0 all match; 10 published files changed, added or missing; 11 the record itself
    is missing, damaged or changed; 12 the rebuild differs from the record.
    """
    from kzchina import exits
    from litbuild import verify as verify_book

    report = exits.run(lambda: verify_book(project_dir, rebuild=not no_rebuild), _debug())
    for line in report.lines():
        click.echo(line)
    if not report.published_ok:
        click.echo("verify FAILED: the published files differ from the record", err=True)
        sys.exit(exits.PUBLISHED_CHANGED)
    if not report.rebuild_ok:
        click.echo("verify FAILED: the rebuild differs from the recorded outputs", err=True)
        sys.exit(exits.NOT_REPRODUCED)
    what = "checked" if no_rebuild else "reproduced byte for byte"
    click.echo(f"verify OK: {report.compared} recorded outputs {what}")


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
    click.echo(
        f"created {folder.relative_to(project_dir.resolve()) if folder.is_absolute() else folder}: "
        f"{rows} rows marked carried-over; replace their values, set each row's status, "
        f"then run `report check --edition {edition}`"
    )


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the changes as an HTML page to this file.",
)
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def diff_command(
    old: str, new: str, as_csv: bool, html_file: Path | None, project_dir: Path
) -> None:
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
