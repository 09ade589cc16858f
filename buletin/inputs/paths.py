"""Which files may be read as a site's inputs: regular files inside the site, links only if they stay inside.

A pull request can add a symbolic link as easily as a file; followed blindly, `data/x.csv -> /etc/passwd`
would be read and published, and a link to /dev/zero or a named pipe would never finish reading.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from buletin.messages import N_, _
from buletin.problems import Problems

# refusal()'s reasons, codes that callers compare (with MISSING, say); refused() gives the same reasons as
# whole messages in the reader's language.
LINK_OUTSIDE = ("is a link to a file outside the site; buletin reads only files inside the site: copy the file here "
                "instead of linking to it")
NOT_REGULAR = "is not a regular file (a folder, a pipe or a device?)"
MISSING = "does not exist"
_MESSAGES = {
    LINK_OUTSIDE: N_("this is a link to a file outside the site, and buletin reads only files inside the site: copy "
                     "the file here instead of linking to it"),
    NOT_REGULAR: N_("this is not an ordinary file (a folder, a pipe or a device?): put the file itself here"),
    MISSING: N_("this file does not exist: add it, or correct the name that points to it"),
}


def refusal(root: Path, path: Path) -> str | None:
    """Why `path` must not be read as an input under `root` (None when it may): a link leading outside
    `root`, or something other than a regular file. Cheap for plain files: one lstat per file, and only links
    are resolved (a thousand articles are checked on every build)."""
    try:
        mode: int | None = os.lstat(path).st_mode
    except OSError:
        mode = None
    linked = mode is not None and stat.S_ISLNK(mode)
    if linked or _has_linked_parent(root, path):
        real, top = os.path.realpath(path), os.path.realpath(root)
        if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
            return LINK_OUTSIDE
        linked = True
    if mode is not None and not linked:
        return None if stat.S_ISREG(mode) else NOT_REGULAR
    if not os.path.isfile(path):
        return NOT_REGULAR if os.path.exists(path) else MISSING
    return None


def refused(root: Path, path: Path) -> str | None:
    """refusal() as a whole message in the reader's language (None when the file may be read)."""
    reason = refusal(root, path)
    return _(_MESSAGES[reason]) if reason else None


def _has_linked_parent(root: Path, path: Path) -> bool:
    """Whether a folder between `root` and `path` is a link (walks do not follow them, but paths named in
    configuration do)."""
    top, full = os.fspath(root).rstrip(os.sep), os.fspath(path)
    if not full.startswith(top + os.sep):
        try:  # not under `root` as written: compare them part by part, as pathlib does
            full = os.path.join(top, *Path(path).relative_to(root).parts)
        except ValueError:
            return True
    folder = top
    for part in full[len(top) + 1:].split(os.sep)[:-1]:
        folder = f"{folder}{os.sep}{part}"
        if os.path.islink(folder):
            return True
    return os.path.islink(root)


def linked_folder_outside(root: Path, folder: Path) -> bool:
    """A folder that is a link leading outside `root`."""
    if not os.path.islink(folder):
        return False
    real, top = os.path.realpath(folder), os.path.realpath(root)
    return not real.startswith(top.rstrip(os.sep) + os.sep)


def unsafe_relative(text: str) -> str | None:
    """Why a path written in a file (datapackage `path`, a lock entry) is not a plain relative path, or None:
    what the path `must` be, in the reader's language."""
    if not text or "\\" in text or "\x00" in text:
        return _("must be a relative path with `/` between folders")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":") or "://" in text:
        return _("must be relative to its folder, not an absolute path or a web address")
    if ".." in posixpath.normpath(text).split("/") or posixpath.normpath(text) == ".":
        return _("must stay inside its folder (no `..`)")
    return None


class NotUtf8(ValueError):
    """A text file in another encoding; `line` is where its first byte that UTF-8 cannot read stands."""

    def __init__(self, line: int):
        super().__init__(_("this text is not UTF-8 (line {line}): save the file as UTF-8 (in Notepad: Save as, "
                           "Encoding: UTF-8)").format(line=line))
        self.line = line


def read_utf8(path: Path) -> str:
    """A text file's content (a UTF-8 byte-order mark dropped); NotUtf8 with the line of the first bad byte."""
    return decode_utf8(path.read_bytes())


def decode_utf8(data: bytes) -> str:
    """read_utf8() for bytes already read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(data[: exc.start].count(b"\n") + 1) from None
    if "\0" in text and _utf16_shape(data):  # UTF-16 without its byte-order mark, which UTF-8 reads as it is
        raise NotUtf8(data[: data.index(b"\0")].count(b"\n") + 1)
    return text


def _utf16_shape(data: bytes) -> bool:
    """Whether the text opens as Latin letters do in UTF-16: every other byte zero (a stray zero elsewhere is not
    this)."""
    head = data[:64]
    return len(head) >= 4 and any(half.count(0) * 2 >= len(half) for half in (head[0::2], head[1::2]))


def read_input(site_root: Path, rel: str, problems: Problems) -> str | None:
    """The text of the site's file `rel`; None, with the problem reported at the file, when it may not be
    read (a link leading outside, not a regular file) or is not UTF-8 (at the line of the first bad byte)."""
    path = site_root / rel
    reason = refused(site_root, path)
    if reason:
        problems.add(rel, None, reason)
        return None
    try:
        return read_utf8(path)
    except NotUtf8 as exc:
        problems.add(rel, exc.line, str(exc))
        return None


# Names a Markdown file gets by mistake: Windows' capitals, Notepad's "Save as" (.md.txt), another extension.
_MISNAMED = re.compile(r"(?i)\.(?:md|markdown|mdown)(?:\.txt)?$")


def markdown_files(site_root: Path, folder: Path, problems: Problems) -> list[Path]:
    """The Markdown files (`*.md`) of a content folder, but hidden ones: an editor's lock (`.#artikel.md`) or
    backup, a Mac's `._artikel.md` beside each file on a shared drive. A file meant as one under another name
    (`Laporan.MD`, `harga.md.txt`) is reported, as it would be left out without a word."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        rel = path.relative_to(site_root).as_posix()
        if path.is_dir() and not path.name.startswith("_") and folder.name != "content":
            _report_nested(site_root, path, folder, problems)
        elif path.suffix.lower() in (".txt", ".text") and not _MISNAMED.search(path.name):
            name = path.name.rsplit(".", 1)[0] + ".md"
            if _starts_with_front_matter(path) and not _named_beside(path):  # an article saved by Notepad
                problems.add(rel, 1, _("this file is not read, though it starts like an article (`---`): an "
                                       "article or page is a Markdown file, whose name ends in `.md`; rename it "
                                       "`{name}`").format(name=name))
                continue
            # Panduan: Notepad menyimpan .txt; artikel harus berakhiran .md agar dibaca.
            problems.warn(rel, None, _("this file is not read: an article or page is a Markdown file, whose name "
                                       "ends in `.md`; rename it `{name}` if it is one").format(name=name))
        elif not _MISNAMED.search(path.name):
            continue
        elif path.suffix == ".md":
            found.append(path)
        else:
            problems.add(rel, None, _(
                "this file is not read: a Markdown file's name ends in `.md`, in small letters; rename it "
                "`{name}`").format(name=_MISNAMED.sub("", path.name) + ".md"))
    return found


def _starts_with_front_matter(path: Path) -> bool:
    """Whether a text file opens with a front matter's `---` line (a byte-order mark before it allowed)."""
    try:
        with open(path, "rb") as file:
            start = file.read(8)
    except OSError:
        return False
    return start.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r ") == b"---"


def _named_beside(path: Path) -> bool:
    """Whether a Markdown file beside `path` names it (a text offered for download, not a misnamed article)."""
    for other in path.parent.glob("*.md"):
        try:
            if path.name in other.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def _report_nested(site_root: Path, subfolder: Path, folder: Path, problems: Problems) -> None:
    """Markdown files in a folder inside an edition's (or content/pages/) are read by nothing: each is an error,
    unless the folder's name starts with `_` (a place for notes that are not published)."""
    for path in sorted(subfolder.rglob("*")):
        if path.suffix.lower() == ".md" and not any(part.startswith(".") for part in path.parts):
            problems.add(path.relative_to(site_root).as_posix(), None, _(
                "this file is not read: articles and pages stand directly in {folder}, not in a folder inside it; "
                "move it there (a folder whose name starts with `_` is left alone)").format(
                    folder=folder.relative_to(site_root).as_posix() + "/"))


INPUT_DIRS = ("content", "data", "templates")
Stamp = tuple[int, int, int, int]
_HASHED: dict[str, tuple[Stamp, str]] = {}  # path -> (stamp, sha256), for a second call
# ns: a file modified this close to when it is hashed may change again within the same mtime (file systems keep
# time in ticks of a few milliseconds, or of seconds) with the same size: its hash is not remembered.
RACY = 2_000_000_000
_UNSETTLED: set[str] = set()  # files hashed within RACY of their last change (see settle)


def stamp(stat: os.stat_result) -> Stamp:
    """What moves whenever a file's content changes, as git's index keeps it: size, mtime, ctime and inode. An
    edit that keeps the size and puts the old mtime back (`cp -p`, `rsync -t`, an archive unpacked) moves ctime."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def listed_stamp(stat: os.stat_result) -> list[int]:
    """The stamp of a file its folder's listing gives (an output file's, in the no-op record): size, mtime and
    ctime, without the inode, which a listing on Windows leaves at 0."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def changed_at(stamp: Stamp) -> int:
    """When a file with this stamp last changed (ns): its mtime, or its ctime when that is later."""
    return max(stamp[1], stamp[2])


def known_digests(prefix: str) -> dict[str, tuple[Stamp, str]]:
    """The digests noted so far of the files under `prefix` (a folder with its separator), by path after it,
    with the stamp they were noted for: the no-op record keeps them for the next build."""
    return {path[len(prefix):]: noted for path, noted in _HASHED.items() if path.startswith(prefix)}


def note_digest(path: str, noted: Stamp, digest: str) -> None:
    """A digest of `path` the last build noted: used while the file keeps that stamp."""
    _HASHED.setdefault(path, (noted, digest))


def input_hashes(site_root: Path, extra: tuple[str, ...] = ("site.yaml",), hidden: bool = False,
                 left_out: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """sha256 of every input file (input_files), by path relative to the site. A file hashed before in this
    process and not modified since (the same stamp: size, modification and change times, inode) is not read
    again."""
    return dict(sorted((rel, _file_hash(path)) for rel, path in input_files(site_root, extra, hidden, left_out)))


def hidden(rel: str) -> bool:
    """Whether an input file (by path relative to the site) is one input_files leaves out unless `hidden`: a
    hidden file or one in a hidden folder (an editor's lock file, `.DS_Store`)."""
    return any(part.startswith(".") for part in rel.split("/"))


def input_files(site_root: Path, extra: tuple[str, ...] = ("site.yaml",), hidden: bool = False,
                left_out: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, str]]:
    """Every input file (config, content, data, templates): its path relative to the site, and its absolute path.

    Walked with os.scandir, which knows from the folder listing which entries are links: only those are
    resolved. A link, to a file or a folder, is followed when it stays inside the site (one leading outside is
    left out, and reported by the stage that reads it). Hidden files and folders are left out unless `hidden`:
    the no-op check and serve's watch want them (a dataset may be named `.contoh.csv`), the manifest does not
    list an editor's lock files. The links left out (leading outside, or to nothing) are added to `left_out`,
    when given, as the no-op check must see them come and go: a build reports them.
    """
    site_root = site_root.absolute()  # the hash memo's keys are absolute paths
    for name in extra:
        if refusal(site_root, site_root / name) is None:
            yield name, str(site_root / name)
    top = os.path.realpath(site_root)
    for folder in INPUT_DIRS:
        if linked_folder_outside(site_root, site_root / folder) or not os.path.isdir(site_root / folder):
            continue
        todo, seen = [(f"{folder}/", str(site_root / folder))], {os.path.realpath(site_root / folder)}
        while todo:
            prefix, path = todo.pop()
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.name.startswith(".") and (not hidden or entry.name == ".git"):
                        continue
                    if entry.is_symlink():
                        real = os.path.realpath(entry.path)
                        if not real.startswith(top + os.sep) or not os.path.exists(real):
                            if left_out is not None:
                                left_out.append((f"{prefix}{entry.name}", entry.path))
                            continue
                        if os.path.isdir(real):
                            if real not in seen:  # a link to a folder above it would loop
                                seen.add(real)
                                todo.append((f"{prefix}{entry.name}/", entry.path))
                            continue
                        if not os.path.isfile(real):
                            continue
                    elif entry.is_dir():
                        todo.append((f"{prefix}{entry.name}/", entry.path))
                        continue
                    elif not entry.is_file():
                        continue
                    yield f"{prefix}{entry.name}", entry.path


def _file_hash(path: str) -> str:
    now = stamp(os.stat(path))
    known = _HASHED.get(path)
    if known and known[0] == now:
        return known[1]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    if time.time_ns() - changed_at(now) > RACY:
        _HASHED[path] = (now, digest)
    else:
        _UNSETTLED.add(path)
    return digest


def settle() -> None:
    """Hash again, and remember, the files hashed too soon after they were written that are old enough now (a
    build that follows an edit of many files ends with this, so that the next skipped build need not read them)."""
    for path in list(_UNSETTLED):
        try:
            if time.time_ns() - changed_at(stamp(os.stat(path))) > RACY:
                _UNSETTLED.discard(path)
                _file_hash(path)
        except OSError:
            _UNSETTLED.discard(path)
