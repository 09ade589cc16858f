"""Command line: build (default) and check; exit codes 0 ok, 1 input errors, 2 usage."""
from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from buletin import arguments, messages
from buletin.build import progress
from buletin.build.state import DEFAULT_DIR as DEFAULT_CACHE
from buletin.build.state import PREVIEW_FOLDER
from buletin.inputs.clock import epoch_problem
from buletin.messages import _, _n, decimal, number
from buletin.problems import OutputError, Problem, SiteError, UsageError
from buletin.report import default_format, report

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


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the process exit code. Messages are in the language chosen for it (_language)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a folder's name the console cannot show (PYTHONIOENCODING=ascii)
        if hasattr(stream, "reconfigure"):   # is shown escaped, not a crash after the site was written
            stream.reconfigure(errors="backslashreplace")
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]
    messages.use(_language(argv))
    try:
        try:
            args = arguments.parse(argv)
        except SystemExit as exc:
            return 0 if exc.code in (0, None) else 2
        if args.command is None:
            with arguments.argparse_words():
                arguments.parser().print_help()
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


def _run(args: argparse.Namespace) -> int:
    site = Path(getattr(args, "site", "."))
    if not site.is_dir():
        _say(_("buletin: error: --site {site}: there is no such folder; give the folder that holds "
               "site.yaml").format(site=site))
        return 2
    epoch = epoch_problem()
    if epoch:
        _say(_("buletin: error: {message}").format(message=epoch))
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
    from buletin.build.state import check_cache_folder, linked_cache

    out = Path(args.out) if args.out else site / "output"
    if (site / DEFAULT_CACHE).is_symlink():  # the site lock and the work folder are there even with --no-cache
        raise UsageError(linked_cache(site / DEFAULT_CACHE))
    if args.no_cache:
        return out, None
    cache = Path(args.cache) if args.cache else site / DEFAULT_CACHE
    if args.cache:
        check_cache_folder(cache, site, out)
    return out, cache


def _usable(cache: Path | None) -> Path | None:
    """The cache, unless its files are committed to the repository (a warning says so): its entries, made by
    whoever committed them, could stand for any page. Asked before a build, not before the no-op check, which
    trusts nothing of the cache but its own record of the inputs and the output."""
    from buletin.inputs import clock

    if cache is None or not cache.is_dir() or not clock.git(cache, "ls-files", "--", "."):
        return cache
    # Panduan: Cache tidak pernah di-commit. Cache yang datang bersama commit bisa berisi halaman apa saja, jadi
    # tidak dibaca: situsnya dibangun seperti dengan --no-cache sampai cache itu dikeluarkan dari git.
    _say(_("buletin: warning: {cache} holds files committed to the repository, so it is neither read nor written "
           "(entries that came with a commit could stand for any page): this build makes everything afresh; remove "
           "it from git with `git rm -r --cached {cache}` and list it in .gitignore").format(cache=cache))
    return None


def _build(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    out, cache = _folders(args, site)
    verdict = None
    if args.command == "build" and cache is not None:
        from buletin import skip

        verdict = skip.check(cache, site, out, args.drafts, args.base_url)
        if verdict.files is not None:
            return _("nothing changed since the last build ({count} files in {out})").format(
                count=number(verdict.files), out=out), [Problem(*warning) for warning in verdict.warnings]
    cache = _usable(cache)
    from buletin.pipeline import BuildOptions, run

    result = run(BuildOptions(site, out, args.drafts, args.base_url, write=args.command == "build",
                              cache_dir=cache, jobs=args.jobs, note=_note,
                              changed=verdict.changed if verdict else None))
    # A warning of the build itself (no search index) is mended by building again; the inputs' warnings are kept
    # with the record, and a skipped build says them again.
    if verdict is not None and cache is not None and not result.warnings:
        skip.remember(cache, site, out, verdict, result.problems.warnings)
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
    cache = _usable(cache)
    with _preview_folder(out if args.out else None, cache) as folder:
        options = BuildOptions(site, folder, args.drafts, args.base_url, cache_dir=cache, jobs=args.jobs,
                               command="serve")
        try:
            return serve(options, args.host, args.port, quiet=args.quiet)
        except UsageError as exc:  # an --out folder it may not use
            _say(_("buletin: error: {message}").format(message=exc))
            return 2
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _say(_("buletin: error: cannot show the site on {host}:{port}: {reason}; another `serve` may be "
                       "running: stop it, or choose another port with --port").format(
                    host=args.host, port=args.port, reason=_("the port is in use")))
            else:  # an address this computer does not have
                _say(_("buletin: error: cannot show the site on {host}:{port}: {reason}; leave out --host to show it "
                       "on this computer, or give one of its addresses").format(
                    host=args.host, port=args.port, reason=exc.strerror or exc))
            return 2


@contextlib.contextmanager
def _preview_folder(out: Path | None, cache: Path | None) -> Iterator[Path]:
    """Where `serve` builds: `out` (--out) when given, else a preview folder of the cache (a temporary one with
    --no-cache), never output/, which would then hold drafts that could be copied to the web by mistake."""
    if out is not None:
        yield out
    elif cache is not None:
        yield cache / PREVIEW_FOLDER
    else:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="buletin-preview-") as folder:
            yield Path(folder) / "site"


def _new(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    if args.kind == "site":
        from buletin.inputs.clock import checkout_top
        from buletin.newsite import create_site, installed_from

        written = create_site(Path(args.folder), args.title, args.language, args.frequency, zone=args.timezone)
        source = installed_from()
        if source is not None and source.startswith("file:"):
            _note(_("this buletin was installed from {source}, on this computer, which CI cannot reach: write in "
                    "{folder}/requirements.txt where your office keeps buletin (a repository's or a wheel's "
                    "address), as its comment shows").format(source=source, folder=args.folder))
        top = checkout_top(Path(args.folder))  # the new folder is empty of any .git of its own: one above it
        if top is not None:
            _note(_("{folder} is inside the git repository {top}, whose CI runs only the workflows in its own "
                    ".github/workflows/ (and its own .gitlab-ci.yml): the CI files written into {folder} stay unused "
                    "there. Make {folder} a repository of its own (`git init` in it), or move them to {top} and "
                    "run each step in {folder}").format(folder=args.folder, top=top))
        return _("wrote a new site of {count} files into {folder}; next: `cd {folder}` and `python build.py "
                 "serve` to see it").format(count=number(len(written)), folder=args.folder), []
    from buletin.inputs.clock import today_at
    from buletin.scaffold import create

    path = create(site, args.kind, args.period, getattr(args, "title", None), today_at(site))
    return _("wrote {path}; edit it, then `build` or `serve` to see it").format(
        path=path.relative_to(site).as_posix()), []


def _publish(args: argparse.Namespace, site: Path) -> tuple[str, list[Problem]]:
    from buletin.publish import publish

    done = publish(site, args.period, force=args.force, date=args.date)
    return _("published edition {period} ({date}): {count} files frozen in data/releases/{period}/").format(
        period=done.period, date=done.date.isoformat(), count=number(len(done.files))), done.overridden
