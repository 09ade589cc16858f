"""Problems found in a site's inputs, collected by every stage and reported together."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):  # a named tuple, not a dataclass: `build`'s no-op check imports this, and no more
    """One error in a source file: `path:line: error: message`."""

    path: str
    line: int | None
    message: str
    location: str | None = None  # replaces `line` where a workbook cell (Sheet!D7) is more useful
    severity: str = "error"  # or "warning": reported, but fails only `check --strict` and `publish`

    @property
    def where(self) -> str:
        """`path:line`, `path:Sheet!D7` or `path`: the prefix editors and CI parse."""
        if self.location:
            return f"{self.path}:{self.location}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


class Problems:
    """An ordered, de-duplicated collection of problems."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.warnings: list[Problem] = []  # kept apart: only errors stop a build
        self.reported: list[Problem] = []  # every error added, repeats too (see mark)

    def __repr__(self) -> str:
        return f"Problems({self.items!r}, warnings={self.warnings!r})"

    def add(self, path: str, line: int | None, message: str, location: str | None = None) -> None:
        problem = Problem(one_line(path), line, one_line(message), location)  # a file named with ESC [2K too
        self.reported.append(problem)
        if problem not in self.items:
            self.items.append(problem)

    def mark(self) -> int:
        """Where the errors added from now on start, for since(). A step asks whether it added any by this, not
        by len(): an error that repeats one added before (the same step run again in a long-lived process)
        is listed once, but it is still an error of that step, whose result must not be kept."""
        return len(self.reported)

    def since(self, mark: int) -> list[Problem]:
        """The errors added since `mark`, repeats too."""
        return self.reported[mark:]

    def warn(self, path: str, line: int | None, message: str, location: str | None = None) -> None:
        problem = Problem(one_line(path), line, one_line(message), location, "warning")
        if problem not in self.warnings:
            self.warnings.append(problem)

    def extend(self, other: Problems) -> None:
        self.reported.extend(other.items)
        for problem in other.items:
            if problem not in self.items:
                self.items.append(problem)
        for problem in other.warnings:
            if problem not in self.warnings:
                self.warnings.append(problem)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


_INVISIBLE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(message: str) -> str:
    """A message on one line, as editors and CI read them: a line break quoted from a file is shown as ⏎,
    other invisible characters (some of which also end a line for some readers) as \\xNN."""
    message = message.replace("\r\n", "⏎").replace("\t", " ")
    return _INVISIBLE.sub(lambda m: "⏎" if m.group(0) in "\r\n" else f"\\x{ord(m.group(0)):02x}", message)


def report_order(problem: Problem) -> tuple:
    """The settings, then the data, then the text, as each is read from the other (an error in the data shows
    first, above what it causes in the articles that quote them); then file by file, by line or by cell as a
    reader counts (D7 before D14, A9 before B1)."""
    import re

    stage = 0 if problem.path == "site.yaml" else 1 if problem.path.startswith("data/") else 2
    cell = re.match(r"(.*)!([A-Z]+)(\d+)$", problem.location or "")
    if cell:
        return (stage, problem.path, 0, cell.group(1), int(cell.group(3)), len(cell.group(2)), cell.group(2))
    return (stage, problem.path, problem.line or 0, "", 0, 0, "")


def in_report_order(problems: Problems | list[Problem]) -> list[Problem]:
    return sorted(problems, key=report_order)


class OutputError(Exception):
    """The output folder cannot be written safely (exit code 1)."""


class SiteBusy(OutputError):
    """Another build or publish of the site holds its lock (serve waits for it and tries again)."""


class UsageError(OutputError):
    """An option names something buletin must not use (exit code 2)."""


class SiteError(Exception):
    """Raised when a stage cannot go on; carries every problem found so far."""

    def __init__(self, problems: Problems):
        super().__init__(f"{len(problems)} error(s)")
        self.problems = problems


# Keys written in Indonesian, as staff would name them, and the keys they mean (the first one known wins).
_INDONESIAN_KEYS = {
    "judul": ("title",), "tanggal": ("date",), "tgl": ("date",), "penulis": ("authors",), "pengarang": ("authors",),
    "wartawan": ("authors",), "penyunting": ("editor",), "lokasi": ("location",), "tempat": ("location",),
    "ringkasan": ("summary",), "abstrak": ("summary",), "topik": ("tags",), "label": ("tags", "label"),
    "kata_kunci": ("tags",), "gambar": ("image",), "foto": ("image",), "draf": ("draft",), "konsep": ("draft",),
    "terbit": ("published", "publish"), "tanggal_terbit": ("published",), "poin": ("highlights",),
    "sorotan": ("highlights",),
    "kartu": ("figures",), "angka_utama": ("figures",), "rilis_berikutnya": ("next_release",),
    "bahasa": ("language",), "zona_waktu": ("timezone",), "penerbit": ("publisher",), "lisensi": ("license",),
    "deskripsi": ("description",), "keterangan": ("caption", "description"), "alamat": ("base_url",),
    "frekuensi": ("frequency",), "jenis": ("type",), "tipe": ("type",), "urutan": ("sort",), "urut": ("sort",),
    "sumber": ("source", "sources"), "satuan": ("unit",), "kolom": ("y", "column"), "penyaring": ("filter",),
    "saring": ("filter",), "desimal": ("digits",), "angka_desimal": ("digits",), "catatan": ("caption", "notice"),
    # the commands
    "bangun": ("build",), "periksa": ("check",), "cek": ("check",), "pratinjau": ("serve",),
    "tampilkan": ("serve",), "terbitkan": ("publish",), "bekukan": ("publish",), "baru": ("new",), "buat": ("new",),
}


def nearest(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest known name to a misspelt one, or the one an Indonesian name means, for "did you mean"."""
    meant = next((key for key in _INDONESIAN_KEYS.get(str(word).strip().lower(), ()) if key in choices), None)
    if meant:
        return meant
    found = close_matches(str(word), choices, 1, 0.6)
    return found[0] if found else None


def close_matches(word: str, choices: Iterable[str], count: int, cutoff: float) -> list[str]:
    """Up to `count` choices most like `word`, capitals aside (`IKM` for `ikm`): the one that differs only in them
    alone, else difflib's closest at `cutoff` or above."""
    import difflib

    by_folded = {str(choice).casefold(): str(choice) for choice in sorted(set(choices), reverse=True)}
    if word.casefold() in by_folded:
        return [by_folded[word.casefold()]]
    return [by_folded[found] for found in difflib.get_close_matches(word.casefold(), sorted(by_folded), n=count,
                                                                    cutoff=cutoff)]


def did_you_mean(word: str, choices) -> str:
    """A hint such as " (did you mean `title`?)", or the list of known names."""
    from buletin.messages import _

    if not choices:
        return " " + _("(there are none)")
    guess = nearest(word, choices)
    if guess:
        return " " + _("(did you mean `{name}`?)").format(name=guess)
    return " " + _("(known: {names})").format(names=", ".join(sorted(choices)))
