"""The command line's words: each command's options, their checks, and argparse's own messages translated."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
from collections.abc import Iterator

from buletin.build.state import DEFAULT_DIR as DEFAULT_CACHE
from buletin.messages import LANGUAGES, N_, _, _n
from buletin.problems import nearest
from buletin.report import FORMATS

COMMANDS = ("build", "check", "serve", "publish", "new")


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with `command`, only that command's options are added (all it will parse:
    building the others' costs a no-op build a tenth of its time)."""
    top = argparse.ArgumentParser(prog="buletin", description=_("Build a periodic data bulletin as a static site."))
    sub = top.add_subparsers(dest="command", metavar=_("COMMAND"))
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
    return top


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
        command.add_argument("--host", default="127.0.0.1", type=_host,
                             help=_("address (default: 127.0.0.1, this computer only)"))


def _publish_options(command: argparse.ArgumentParser, _name: str) -> None:
    command.description = _("Copy every dataset into data/releases/PERIOD/ (with their sha256 in "
                            "release.lock.json) and set the edition's status: published.")
    command.add_argument("period", type=_period, metavar=_("PERIOD"), help=_("the edition, e.g. 2020-11"))
    _site_option(command)
    command.add_argument("--force", action="store_true",
                         help=_("publish again, replacing the copy; or publish despite values in doubt (warnings)"))
    command.add_argument("--date", type=_iso_date, metavar=_("YYYY-MM-DD"),
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
    site.add_argument("--timezone", type=_zone, metavar=_("ZONE"),
                      help=_("where the office is: WIB, WITA, WIT or an IANA name such as Asia/Makassar (default: "
                             "Asia/Jakarta for id, UTC for en)"))
    edition = kinds.add_parser("edition", help=_("content/PERIOD/index.md"))
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
    from buletin.inputs.config import query_problem, web_address

    if not web_address(text):
        raise argparse.ArgumentTypeError(query_problem(text) or _(
            "`{text}` is not a full web address: write it with http:// or https://, e.g. "
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


def _zone(text: str) -> str:
    from buletin.inputs.config import INDONESIAN_ZONES, time_zone_problem

    zone = INDONESIAN_ZONES.get(text.upper(), text)
    problem = time_zone_problem(zone)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return zone


def _period(text: str) -> str:
    from buletin.periods import FREQUENCIES, is_period

    if not any(is_period(text, frequency) for frequency in FREQUENCIES):
        from buletin.inputs.cellslips import typed_as_people_write

        month = typed_as_people_write(text, "yearmonth")  # 2021-1, 2021/01: a month written otherwise
        if month:
            raise argparse.ArgumentTypeError(_("`{text}` is not a period: write the month as {month}").format(
                text=text, month=month))
        raise argparse.ArgumentTypeError(
            _("`{text}` is not a period: write 2020-11 (a month), 2020-Q4 (a quarter) or 2020 (a year)").format(
                text=text))
    _plausible_year(text, int(text[:4]))
    return text


def _host(text: str) -> str:
    """An address to show the preview on; an empty one (an unset variable in `--host "$HOST"`) would be every
    address of the machine, open to the network."""
    if not text.strip():
        raise argparse.ArgumentTypeError(_("an empty address would show the site to the whole network: leave out "
                                           "--host to show it on this computer only"))
    return text.strip()


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


def parse(argv: list[str]) -> argparse.Namespace:
    """The parsed command line, argparse's own messages in the chosen language."""
    with argparse_words():
        found = parser(argv[0] if argv else None)
        if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
            meant = nearest(argv[0], COMMANDS)  # argparse (before 3.14) lists the commands without a guess
            if meant:
                found.error(_("`{word}` is not a command: did you mean `{command}`?").format(word=argv[0],
                                                                                           command=meant))
        return found.parse_args(argv)


@contextlib.contextmanager
def argparse_words() -> Iterator[None]:
    """argparse's words (usage, its errors) from the catalogue, for as long as buletin uses argparse."""
    before = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, _n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = before  # type: ignore[attr-defined]
