"""Command line: build (default) and check; exit codes 0 ok, 1 input errors, 2 usage."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .output import OutputError
from .problems import SiteError

COMMANDS = ("build", "check")
LATER = {"serve": "the live-reload preview", "publish": "freezing an edition", "new": "scaffolding content"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="buletin", description="Build a periodic data bulletin as a static site.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in (("build", "build the site into output/ (the default)"),
                       ("check", "validate config, content, data and charts; write nothing")):
        command = sub.add_parser(name, help=text, description=text)
        command.add_argument("--site", default=".", metavar="DIR", help="the site root (default: .)")
        command.add_argument("--drafts", action="store_true", help="include drafts and future-dated items")
        command.add_argument("--base-url", metavar="URL", help="absolute site URL (overrides site.yaml)")
        command.add_argument("--quiet", "-q", action="store_true", help="print only errors")
        command.add_argument("--out", metavar="DIR", help="output folder (default: SITE/output; check writes nothing)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in LATER:
        print(f"buletin: error: `{argv[0]}` ({LATER[argv[0]]}) is not available in this version yet",
              file=sys.stderr)
        return 2
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code in (0, None) else 2
    if args.command is None:
        _parser().print_help()
        return 2
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from .pipeline import BuildOptions, run

    site = Path(args.site)
    if not site.is_dir():
        print(f"buletin: error: --site {site}: no such folder", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else site / "output"
    started = time.perf_counter()
    try:
        result = run(BuildOptions(site, out, args.drafts, args.base_url, write=args.command == "build"))
    except SiteError as exc:
        for problem in sorted(exc.problems, key=lambda p: (p.path, p.line or 0)):
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"buletin: {count} error{'s' if count != 1 else ''}; "
              f"{'nothing was written' if args.command == 'build' else 'check failed'}", file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"buletin: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("buletin: interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in buletin: say so plainly; the traceback only on request
        if os.environ.get("BULETIN_DEBUG"):
            raise
        print(f"buletin: internal error: {type(exc).__name__}: {exc}\n"
              "The output folder was left as it was. Please report this with the command you ran; "
              "set BULETIN_DEBUG=1 to see the traceback.", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    if args.quiet:
        return 0
    if args.command == "check":
        print(f"buletin: no errors ({result.figures} figures checked, {seconds:.1f} s)")
    else:
        print(f"buletin: built {result.pages} pages and {result.files} files into {out} "
              f"({result.written} changed, {result.figures} figures) in {seconds:.1f} s")
    return 0
