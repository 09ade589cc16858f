"""Command line: build (default) and check; exit codes 0 ok, 1 input errors, 2 usage."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from buletin import messages
from buletin.build import progress
from buletin.build.state import DEFAULT_DIR as DEFAULT_CACHE
from buletin.build.state import PREVIEW_FOLDER
from buletin.messages import LANGUAGES, N_, _, _n, decimal, number
from buletin.problems import OutputError, Problem, SiteError, UsageError
from buletin.report import FORMATS, default_format, report


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `command`, only that command's options are added (all it will parse:
    building the others' costs a no-op build a tenth of its time)."""
    parser = argparse.ArgumentParser(prog="buletin", description=_("Build a periodic data bulletin as a static site."))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    commands = (("build", _("build the site into output/ (the default)"), _build_options),
                ("check", _("check settings, articles, data and charts; write nothing"), _build_options),
                ("serve", _("build, show the site on this computer, rebuild on every save, reload the page"),
                 _build_options),
                ("publish", _("freeze an edition: keep a copy of its data, mark it published"), _publish_options),
                ("new", _("start a site, an edition or an article"), _new_options))
    for name, text, add_options in commands:
        found = sub.add_parser(name, help=text, description=text)
        if command in (None, name):
            add_options(found, name)
    return parser


def _build_options(command: argparse.ArgumentParser, name: str) -> None:
    """build, check and serve."""
    _site_option(command)
    if name == "serve":  # a preview: a new edition is a draft, and must be seen before it is released
        command.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True,
                             help=_("include drafts and future-dated items, drafts marked as such (the "
                                    "default); --no-drafts shows the site as it would be published"))
    else:
        command.add_argument("--drafts", action="store_true", help=_("include drafts and future-dated items"))
    command.add_argument("--base-url", type=_base_url, metavar="URL",
                         help=_("the site's full web address (instead of base_url in site.yaml)"))
    _common_options(command)
    if name == "serve":
        command.add_argument("--out", metavar="DIR", type=_folder,
                             help=_("the preview's folder (default: a folder of the cache; output/ is left as "
                                    "it is)"))
    else:
        command.add_argument("--out", metavar="DIR", type=_folder,
                             help=_("output folder (default: SITE/output; check writes nothing)"))
    command.add_argument("--cache", metavar="DIR",
                         help=_("cache folder (default: SITE/{folder}; safe to delete)").format(
                             folder=DEFAULT_CACHE))
    command.add_argument("--no-cache", action="store_true", help=_("neither read nor write the cache"))
    command.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                         help=_("worker processes (default: all cores)"))
    if name != "serve":
        command.add_argument("--format", choices=FORMATS, default=None,
                             help=_("also report problems for CI: github (workflow commands; the default when "
                                    "GITHUB_ACTIONS=true) or gitlab (writes gl-code-quality-report.json)"))
    if name == "check":
        command.add_argument("--strict", action="store_true", help=_("warnings fail the check too"))
    if name == "serve":
        command.add_argument("--port", type=_port, default=8000,
                             help=_("port (default: 8000; 0 picks a free one)"))
        command.add_argument("--host", default="127.0.0.1",
                             help=_("address (default: 127.0.0.1, this computer only)"))


def _publish_options(command: argparse.ArgumentParser, _name: str) -> None:
    command.description = _("Copy every dataset into data/releases/PERIOD/ (with their sha256 in "
                            "release.lock.json) and set the edition's status: published.")
    command.add_argument("period", type=_period, metavar=_("PERIOD"), help=_("the edition, e.g. 2020-11"))
    _site_option(command)
    command.add_argument("--force", action="store_true",
                         help=_("publish again, replacing the copy; or publish despite values in doubt (warnings)"))
    command.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD",
                         help=_("release date (default: the edition's `published`, else today)"))
    _common_options(command)


def _new_options(command: argparse.ArgumentParser, _name: str) -> None:
    command.description = _("new site DIR | new edition PERIOD | new article PERIOD \"Title\"")
    kinds = command.add_subparsers(dest="kind", metavar=_("KIND"), required=True)
    site = kinds.add_parser("site", help=_("a new site in an empty folder, ready to build and to put online"))
    site.add_argument("folder", metavar="DIR", help=_("a new or empty folder"))
    site.add_argument("--title", help=_("the bulletin's title"))
    site.add_argument("--language", choices=LANGUAGES, default="id", help=_("id (default) or en"))
    site.add_argument("--frequency", choices=("monthly", "quarterly", "yearly"), default="monthly",
                      help=_("how often an edition comes out (default: monthly)"))
    edition = kinds.add_parser("edition", help="content/PERIOD/index.md")
    edition.add_argument("period", type=_period, metavar=_("PERIOD"), help=_("e.g. 2020-12"))
    article = kinds.add_parser("article", help=_("content/PERIOD/SLUG.md, named after its title"))
    article.add_argument("period", type=_period, metavar=_("PERIOD"), help=_("e.g. 2020-12"))
    article.add_argument("title", metavar=_("TITLE"), help=_("the article's title"))
    for kind in (site, edition, article):
        if kind is not site:
            _site_option(kind)
        _common_options(kind)


def _site_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--site", default=".", metavar="DIR", help=_("the site's folder (default: .)"))


def _common_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quiet", "-q", action="store_true", help=_("print only errors"))
    command.add_argument("--lang", choices=LANGUAGES, default=None,
                         help=_("the language of messages: id or en (default: the site's language)"))


def _base_url(text: str) -> str:
    from buletin.inputs.config import web_address

    if not web_address(text):
        raise argparse.ArgumentTypeError(
            _("`{text}` is not a full web address: write it with http:// or https://, e.g. "
              "https://example.go.id/buletin/").format(text=text))
    return text


def _folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(_("an empty name is no folder: give the folder's name"))
    return text


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            _("`{text}` is not a number of processes: write 1 or more").format(text=text))
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(_("`{text}` is not a port number: write 0 to 65535").format(text=text))
    return int(text)


# A file that cannot be written anywhere (output, build state, a temporary folder) for want of room, or on a
# read-only disk: the machine's problem, not the site's.
_DISK_FULL_OR_READ_ONLY = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _internal_error(exc: Exception) -> int:
    """A bug in buletin: say so plainly; the traceback only on request."""
    if os.environ.get("BULETIN_DEBUG"):
        raise exc
    # Panduan: Ini bukan kesalahan di berkas Anda. Kirim perintah yang dijalankan dan seluruh pesannya kepada
    # pengelola buletin.
    _say(_("buletin: internal error: {kind}: {detail}").format(kind=type(exc).__name__, detail=exc))
    _say(_("The output folder was left as it was. This is a fault in buletin, not in your files: please "
           "report it with the command you ran; set BULETIN_DEBUG=1 to see the details."))
    return 1


def _period(text: str) -> str:
    if not re.match(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$", text):
        raise argparse.ArgumentTypeError(
            _("`{text}` is not a period: write 2020-11 (a month), 2020-Q4 (a quarter) or 2020 (a year)").format(
                text=text))
    _plausible_year(text, int(text[:4]))
    return text


def _iso_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("`{text}` is not a date: write it YYYY-MM-DD, e.g. 2020-11-09").format(text=text)) from None
    _plausible_year(text, day.year)
    return day


def _plausible_year(text: str, year: int) -> None:
    from buletin.periods import year_problem

    problem = year_problem(text, year)
    if problem:
        raise argparse.ArgumentTypeError(problem)


# argparse's own messages, translated by the catalogue while the command line is read (see _parse).
ARGPARSE = (N_("usage: "), N_("unrecognized arguments: %s"), N_("the following arguments are required: %s"),
            N_("argument %(argument_name)s: %(message)s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
            N_("invalid %(type)s value: %(value)r"), N_("expected one argument"), N_("positional arguments"),
            N_("options"), N_("show this help message and exit"), N_("ambiguous option: %(option)s could match "
                                                                      "%(matches)s"),
            N_("ignored explicit argument %r"), N_("not allowed with argument %s"))


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the process exit code. Messages are in the language chosen for it (_language)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]
    messages.use(_language(argv))
    try:
        try:
            args = _parse(argv)
        except SystemExit as exc:
            return 0 if exc.code in (0, None) else 2
        if args.command is None:
            with _argparse_words():
                _parser().print_help()
            return 2
        return _run(args)
    finally:
        messages.use(None)  # in a process that goes on (tests, the guide's tool): its own default again


def _language(argv: list[str]) -> str:
    """--lang, else BULETIN_LANG, else the site's language (site.yaml's `language:` line; for `new site`, its
    --language), else Indonesian; read before the command line is parsed, so its errors are in it too."""
    found: dict[str, str] = {}
    for index, word in enumerate(argv):
        name, equals, value = word.partition("=")
        if name in ("--lang", "--site", "--language"):
            found[name] = value if equals else (argv[index + 1] if index + 1 < len(argv) else "")
    option = found.get("--lang")
    if argv[:2] == ["new", "site"]:
        return messages.choose(option, found.get("--language", "id"))
    return messages.choose(option, messages.site_language(Path(found.get("--site") or ".") / "site.yaml"))


def _parse(argv: list[str]) -> argparse.Namespace:
    """The parsed command line, argparse's own messages in the chosen language."""
    with _argparse_words():
        return _parser(argv[0] if argv else None).parse_args(argv)


@contextlib.contextmanager
def _argparse_words() -> Iterator[None]:
    """argparse's words (usage, its errors) from the catalogue, for as long as buletin uses argparse."""
    before = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, _n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = before  # type: ignore[attr-defined]


def _run(args: argparse.Namespace) -> int:
    site = Path(getattr(args, "site", "."))
    if not site.is_dir():
        _say(_("buletin: error: --site {site}: there is no such folder; give the folder that holds "
               "site.yaml").format(site=site))
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
        _say(_failed(args.command, len(exc.problems)))
        return 1
    except UsageError as exc:
        _say(_("buletin: error: {message}").format(message=exc))
        return 2
    except OutputError as exc:
        _say(_("buletin: error: {message}").format(message=exc))
        return 1
    except KeyboardInterrupt:
        _say(_("buletin: interrupted; the output folder was left as it was"))
        return 130
    except OSError as exc:
        if exc.errno not in _DISK_FULL_OR_READ_ONLY:
            return _internal_error(exc)
        _say(_("buletin: error: {message}").format(message=_(
            "cannot write {path}: {reason}; the output folder was left as it was: check that the disk has room and "
            "that the folder may be written").format(path=exc.filename or site, reason=exc.strerror or exc)))
        return 1
    except Exception as exc:  # a bug in buletin: say so plainly; the traceback only on request
        return _internal_error(exc)
    report(warnings, fmt, site)
    if warnings and getattr(args, "strict", False):
        _say(_n("buletin: {count} warning; --strict: the check failed", "buletin: {count} warnings; --strict: the "
                "check failed", len(warnings)).format(count=number(len(warnings))))
        return 1
    if not args.quiet:
        if args.command in ("build", "check", "publish"):
            summary = _("{summary} in {seconds} s").format(summary=summary,
                                                           seconds=decimal(time.perf_counter() - started, 1))
        print(_("buletin: {summary}").format(summary=summary))
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _failed(command: str, count: int) -> str:
    """The last line of a failed command: how many errors, and that nothing was changed."""
    outcome = {"build": _("nothing was written"), "check": _("the check failed"),
               "publish": _("nothing was published"), "new": _("nothing was written")}[command]
    return _n("buletin: {count} error; {outcome}", "buletin: {count} errors; {outcome}", count).format(
        count=number(count), outcome=outcome)


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
            return _("nothing changed since the last build ({count} files in {out})").format(
                count=number(count), out=out), []
    from buletin.pipeline import BuildOptions, run

    result = run(BuildOptions(site, out, args.drafts, args.base_url, write=args.command == "build",
                              cache_dir=cache, jobs=args.jobs, note=_note))
    if print_ is not None and cache is not None and not result.warnings and not result.problems.warnings:
        skip.remember(cache, site, out, print_)  # a build with warnings runs again, to say them again
    for warning in result.warnings:
        _say(_("buletin: warning: {message}").format(message=warning))
    if args.command == "check":
        return _("no errors ({figures} figures checked)").format(figures=number(result.figures)), \
            result.problems.warnings
    return _("built {pages} pages and {files} files into {out} ({written} changed; {figures} figures, {drawn} "
             "drawn)").format(pages=number(result.pages), files=number(result.files), out=out,
                              written=number(result.written), figures=number(result.figures),
                              drawn=number(result.drawn)), result.problems.warnings


def _note(text: str) -> None:
    _say(_("buletin: note: {message}").format(message=text))


def _serve(args: argparse.Namespace, site: Path) -> int:
    from buletin.pipeline import BuildOptions
    from buletin.serve import serve

    out, cache = _folders(args, site)
    with _preview_folder(args.out, cache) as preview:
        options = BuildOptions(site, preview or out, args.drafts, args.base_url, cache_dir=cache, jobs=args.jobs)
        try:
            return serve(options, args.host, args.port)
        except OSError as exc:
            _say(_("buletin: error: cannot show the site on {host}:{port}: {reason}; another `serve` may be running: "
                   "stop it, or choose another port with --port").format(host=args.host, port=args.port,
                                                                         reason=exc.strerror or exc))
            return 2


@contextlib.contextmanager
def _preview_folder(out: str | None, cache: Path | None) -> Iterator[Path | None]:
    """Where `serve` builds when no --out is given: a preview folder of the cache (a temporary one with
    --no-cache), never output/, which would then hold drafts that could be copied to the web by mistake."""
    if out is not None:
        yield None
    elif cache is not None:
        yield cache / PREVIEW_FOLDER
    else:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="buletin-preview-") as folder:
            yield Path(folder) / "site"


def _new(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    if args.kind == "site":
        from buletin.newsite import create_site

        written = create_site(Path(args.folder), args.title, args.language, args.frequency)
        return _("wrote a new site of {count} files into {folder}; next: `cd {folder}` and `python build.py "
                 "serve` to see it").format(count=number(len(written)), folder=args.folder), []
    from buletin.pipeline import today_at
    from buletin.scaffold import create

    path = create(site, args.kind, args.period, getattr(args, "title", None), today_at(site))
    return _("wrote {path}; edit it, then `build` or `serve` to see it").format(
        path=path.relative_to(site).as_posix()), []


def _publish(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    from buletin.publish import publish

    done = publish(site, args.period, force=args.force, date=args.date)
    return _("published edition {period} ({date}): {count} files frozen in data/releases/{period}/").format(
        period=done.period, date=done.date.isoformat(), count=number(len(done.files))), []
