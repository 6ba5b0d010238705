"""`python -m litbuild build|verify [DIR]`: the engine on its own, without the report's CLI."""

from __future__ import annotations

import argparse
import json
import sys

from . import BuildError, build, verify
from .build import ENGINES
from .events import event_json


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one command, return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m litbuild", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("build", help="render a Quarto book project")
    render.add_argument("project_dir", nargs="?", default=".")
    render.add_argument("--to", choices=("all", "html", "pdf"), default="all")
    render.add_argument("--engine", choices=ENGINES, default="builtin")
    render.add_argument("--output-dir", default=None)
    render.add_argument(
        "--json",
        action="store_true",
        help="print build events and the summary as JSON lines on stdout",
    )
    check = commands.add_parser("verify", help="rebuild afresh and compare every output hash")
    check.add_argument("project_dir", nargs="?", default=".")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":

            def emit(event: str) -> None:
                print(json.dumps(event_json(event)), flush=True)

            progress = emit if args.json else (lambda e: print(e, file=sys.stderr, flush=True))
            result = build(
                args.project_dir,
                to=args.to,
                engine=args.engine,
                output_dir=args.output_dir,
                progress=progress,
            )
            print(json.dumps(result.to_json()) if args.json else result.summary())
            return 0
        report = verify(args.project_dir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    print(f"verify {'OK' if report.ok else 'FAILED'}: {report.compared} recorded outputs")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
