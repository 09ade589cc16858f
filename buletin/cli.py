"""Command line: build (default) and check; exit codes 0 ok, 1 input errors, 2 usage."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path

from buletin.build import progress
from buletin.build.state import DEFAULT_DIR as DEFAULT_CACHE
from buletin.problems import OutputError, Problem, SiteError, UsageError
from buletin.report import FORMATS, default_format, report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="buletin", description="Build a periodic data bulletin as a static site.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in (("build", "build the site into output/ (the default)"),
                       ("check", "validate config, content, data and charts; write nothing"),
                       ("serve", "build, serve on this machine, rebuild on every save, reload the page")):
        command = sub.add_parser(name, help=text, description=text)
        command.add_argument("--site", default=".", metavar="DIR", help="the site root (default: .)")
        command.add_argument("--drafts", action="store_true", help="include drafts and future-dated items")
        command.add_argument("--base-url", type=_base_url, metavar="URL",
                             help="absolute site URL (overrides site.yaml)")
        command.add_argument("--quiet", "-q", action="store_true", help="print only errors")
        command.add_argument("--out", metavar="DIR", type=_folder,
                             help="output folder (default: SITE/output; check writes nothing)")
        command.add_argument("--cache", metavar="DIR",
                             help=f"cache folder (default: SITE/{DEFAULT_CACHE}; safe to delete)")
        command.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
        command.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="worker processes (default: all cores)")
        if name != "serve":
            command.add_argument("--format", choices=FORMATS, default=None,
                                 help="also report problems for CI: github (workflow commands; the default when "
                                 "GITHUB_ACTIONS=true) or gitlab (writes gl-code-quality-report.json)")
        if name == "check":
            command.add_argument("--strict", action="store_true", help="warnings fail the check too")
        if name == "serve":
            command.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
            command.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1, this machine)")
    command = sub.add_parser("publish", help="freeze an edition: snapshot its data, mark it published",
                             description="Snapshot every dataset into data/releases/PERIOD/ (sha256 in "
                             "release.lock.json) and set the edition's status: published.")
    command.add_argument("period", type=_period, metavar="PERIOD", help="the edition, e.g. 2020-11")
    command.add_argument("--site", default=".", metavar="DIR", help="the site root (default: .)")
    command.add_argument("--force", action="store_true", help="publish again, replacing the snapshot")
    command.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD",
                         help="release date (default: the edition's `published`, else today)")
    command.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    command = sub.add_parser("new", help="start a site, an edition or an article",
                             description="new site DIR | new edition PERIOD | new article PERIOD \"Title\"")
    kinds = command.add_subparsers(dest="kind", metavar="KIND", required=True)
    site = kinds.add_parser("site", help="a new site in an empty folder, ready to build and to put online")
    site.add_argument("folder", metavar="DIR", help="a new or empty folder")
    site.add_argument("--title", help="the bulletin's title")
    site.add_argument("--language", choices=("id", "en"), default="id", help="id (default) or en")
    site.add_argument("--frequency", choices=("monthly", "quarterly", "yearly"), default="monthly",
                      help="how often an edition comes out (default: monthly)")
    edition = kinds.add_parser("edition", help="content/PERIOD/index.md")
    edition.add_argument("period", type=_period, metavar="PERIOD", help="e.g. 2020-12")
    article = kinds.add_parser("article", help="content/PERIOD/SLUG.md, named after its title")
    article.add_argument("period", type=_period, metavar="PERIOD", help="e.g. 2020-12")
    article.add_argument("title", metavar="TITLE", help="the article's title")
    for kind in (site, edition, article):
        if kind is not site:
            kind.add_argument("--site", default=".", metavar="DIR", help="the site root (default: .)")
        kind.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    return parser


def _base_url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"`{text}` is not an absolute http(s) URL, e.g. https://example.go.id/buletin/")
    return text


def _folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name is no folder")
    return text


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a number of processes (1 or more)")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"`{text}` is not a port number (0 to 65535)")
    return int(text)


def _period(text: str) -> str:
    if not re.match(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$", text):
        raise argparse.ArgumentTypeError(f"`{text}` is not a period: 2020-11 (month), 2020-Q4 (quarter) or 2020 (year)")
    return text


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date written YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
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
    site = Path(getattr(args, "site", "."))
    if not site.is_dir():
        print(f"buletin: error: --site {site}: no such folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    progress.enable(args.quiet)
    if args.command == "serve":
        return _serve(args, site)
    fmt = getattr(args, "format", None) or default_format()
    try:
        commands = {"publish": _publish, "new": _new}
        summary, warnings = commands.get(args.command, _build)(args, site)
    except SiteError as exc:
        report([*exc.problems.items, *exc.problems.warnings], fmt, site)
        count = len(exc.problems)
        outcome = {"build": "nothing was written", "check": "check failed", "publish": "nothing was published",
                   "new": "nothing was written"}
        print(f"buletin: {count} error{'s' if count != 1 else ''}; {outcome[args.command]}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"buletin: error: {exc}", file=sys.stderr)
        return 2
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
    report(warnings, fmt, site)
    if warnings and getattr(args, "strict", False):
        print(f"buletin: {len(warnings)} warning{'s' if len(warnings) != 1 else ''}; --strict: check failed",
              file=sys.stderr)
        return 1
    if not args.quiet:
        took = f" in {time.perf_counter() - started:.1f} s" if args.command in ("build", "check", "publish") else ""
        print(f"buletin: {summary}{took}")
    return 0


def _folders(args: argparse.Namespace, site: Path) -> tuple[Path, Path | None]:
    """The output folder and the cache folder (None with --no-cache) the options name; UsageError when the
    cache folder is one buletin must not fill."""
    from buletin.build.state import check_cache_folder

    out = Path(args.out) if args.out else site / "output"
    if args.no_cache:
        return out, None
    if args.cache:
        check_cache_folder(Path(args.cache), site, out)
        return out, Path(args.cache)
    return out, site / DEFAULT_CACHE


def _build(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    out, cache = _folders(args, site)
    print_ = None
    if args.command == "build" and cache is not None:
        from buletin import skip

        print_, count = skip.check(cache, site, out, args.drafts, args.base_url)
        if count is not None:
            return f"nothing changed since the last build ({count} files in {out})", []
    from buletin.pipeline import BuildOptions, run

    result = run(BuildOptions(site, out, args.drafts, args.base_url, write=args.command == "build",
                              cache_dir=cache, jobs=args.jobs, note=_note))
    if print_ is not None and cache is not None and not result.warnings and not result.problems.warnings:
        skip.remember(cache, site, out, print_)  # a build with warnings runs again, to say them again
    for warning in result.warnings:
        print(f"buletin: warning: {warning}", file=sys.stderr)
    if args.command == "check":
        return f"no errors ({result.figures} figures checked)", result.problems.warnings
    return (f"built {result.pages} pages and {result.files} files into {out} "
            f"({result.written} changed; {result.figures} figures, {result.drawn} drawn)"), result.problems.warnings


def _note(text: str) -> None:
    print(f"buletin: note: {text}", file=sys.stderr)


def _serve(args: argparse.Namespace, site: Path) -> int:
    from buletin.pipeline import BuildOptions
    from buletin.serve import serve

    out, cache = _folders(args, site)
    options = BuildOptions(site, out, args.drafts, args.base_url, cache_dir=cache, jobs=args.jobs)
    try:
        return serve(options, args.host, args.port)
    except OSError as exc:
        print(f"buletin: error: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2


def _new(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    if args.kind == "site":
        from buletin.newsite import create_site

        written = create_site(Path(args.folder), args.title, args.language, args.frequency)
        return (f"wrote a new site of {len(written)} files into {args.folder}; next: "
                f"`cd {args.folder}` and `python build.py serve` to see it"), []
    from buletin.pipeline import today_at
    from buletin.scaffold import create

    path = create(site, args.kind, args.period, getattr(args, "title", None), today_at(site))
    return f"wrote {path.relative_to(site).as_posix()}; edit it, then `build` or `serve` to see it", []


def _publish(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    from buletin.publish import publish

    done = publish(site, args.period, force=args.force, date=args.date)
    return (f"published edition {done.period} ({done.date.isoformat()}): {len(done.files)} files frozen in "
            f"data/releases/{done.period}/"), []
