"""The build's time and the checkout's commit: SOURCE_DATE_EPOCH, git, or the clock. Light to import."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any


def checkout_top(folder: Path) -> Path | None:
    """The top folder of the git checkout that holds `folder` (None outside one): a few stats, no git process."""
    full = Path(os.path.abspath(folder))
    return next((parent for parent in (full, *full.parents) if (parent / ".git").exists()), None)


def in_checkout(site_root: Path) -> bool:
    """Whether the site is in a git checkout: at its top or in a folder of it."""
    return checkout_top(site_root) is not None


class _NoGit(Exception):
    """git did not run: not installed (args[0] None), or it took too long (args[0] says so)."""


def _git(site_root: Path, *args: str, text: bool = True, timeout: float = 10) -> Any:
    """A finished git command in the site's folder (a subprocess.CompletedProcess), its words read whatever the
    locale (a folder's name); _NoGit when it did not run."""
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(site_root), *args], capture_output=True, text=text,
                              errors="replace" if text else None, timeout=timeout)
    except OSError:
        raise _NoGit(None) from None
    except subprocess.SubprocessError as exc:
        raise _NoGit(str(exc)) from None


def git(site_root: Path, *args: str) -> str | None:
    """A git command's output in the site's checkout; None outside one or on failure."""
    if not in_checkout(site_root):
        return None
    try:
        done = _git(site_root, *args)
    except _NoGit:
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def checkout(site_root: Path, published: bool) -> tuple[str | None, str | None]:
    """The checkout's commit, and a warning when git cannot read the checkout (the build's time and revision
    dates then come from the clock) or, with `published` editions, when it is shallow (a revision's date is
    that of the commit that changed the data, which a shallow clone lacks). (None, None) outside a checkout."""
    if not in_checkout(site_root):
        return None, None
    try:
        done = _git(site_root, "rev-parse", "--is-shallow-repository", "HEAD")
    except _NoGit as exc:
        return None, _unread(exc.args[0])
    lines = done.stdout.split()
    if not lines:  # git could not read the checkout at all (not merely a checkout without commits)
        said = [line for line in done.stderr.splitlines() if line.strip()]
        return None, _unread(said[0] if said else f"git: exit {done.returncode}")
    commit = lines[1] if len(lines) > 1 and done.returncode == 0 else None
    if published and lines[0] == "true":
        from buletin.messages import _

        return commit, _("this git checkout is shallow (cloned with a depth), so the revision dates of published "
                         "editions may be wrong: fetch the whole history (`fetch-depth: 0` in GitHub Actions, "
                         "`GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`)")
    return commit, None


def _unread(reason: str | None) -> str:
    """The warning for a checkout git cannot read (`reason`, git's words) or that no git reads (None)."""
    from buletin.messages import _

    dated = _("the revision dates of published editions come from SOURCE_DATE_EPOCH") if _epoch() else _(
        "the build's time and the revision dates of published editions come from the clock, and change from day "
        "to day")
    if reason is None:
        return _("the site is in a git checkout, but git is not installed here, so {dated}: install git").format(
            dated=dated)
    return _("git cannot read this checkout ({reason}), so {dated}: make git able to read it (`git status` in the "
             "site's folder says what it needs)").format(reason=reason.removeprefix("fatal: "), dated=dated)


def git_folder(site_root: Path) -> str:
    """The checkout's `.git` as seen from the site (`../.git` for a site in a folder of it)."""
    top = checkout_top(site_root)
    return os.path.relpath(top / ".git", os.path.abspath(site_root)).replace(os.sep, "/") if top else ".git"


def shallow(site_root: Path) -> str:
    """The commits a shallow clone stops at ("" for a whole history), read without a git process, for the no-op
    check: deepening or unshallowing changes what dates a revision. A worktree's or a submodule's `.git` is a
    file naming its git folder, whose common folder holds the list."""
    top = checkout_top(site_root)
    if top is None:
        return ""
    folder = top / ".git"
    try:
        if folder.is_file():
            folder = (top / folder.read_text(encoding="utf-8").removeprefix("gitdir:").strip()).resolve()
        common = folder / "commondir"
        if common.is_file():
            folder = (folder / common.read_text(encoding="utf-8").strip()).resolve()
        return (folder / "shallow").read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ""


def epoch_problem() -> str | None:
    """Why SOURCE_DATE_EPOCH cannot be the build's time (None when it is unset or can): whole seconds since 1970,
    before the year 10000. Libraries read it too: matplotlib failed on `abc` with an internal error."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text or (text.isdigit() and len(text) <= 12 and int(text) < 253402300800):
        return None
    from buletin.messages import _

    return _("SOURCE_DATE_EPOCH is `{value}`: it must be the build's time in whole seconds since 1970-01-01 UTC, "
             "e.g. 1606780800, or be unset").format(value=text[:40])


def _epoch() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc) if epoch.isdigit() else None


def build_time(site_root: Path) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else the last commit's time in a git checkout, else the clock (UTC)."""
    commit_time = None if _epoch() else git(site_root, "log", "-1", "--format=%ct")
    if commit_time and commit_time.isdigit():
        return dt.datetime.fromtimestamp(int(commit_time), tz=dt.timezone.utc)
    return _epoch() or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def today(zone: dt.tzinfo) -> dt.date:
    """"Now" of the contract (SOURCE_DATE_EPOCH, else the clock) as a date where the site is."""
    return (_epoch() or dt.datetime.now(dt.timezone.utc)).astimezone(zone).date()


def uncommitted(site_root: Path, path: str) -> bool | None:
    """Whether a file differs from the last commit (changed in the work tree or the index, or untracked);
    None outside a git checkout."""
    if git(site_root, "rev-parse", "--git-dir") is None:
        return None
    return git(site_root, "status", "--porcelain", "--untracked-files=all", "--", path) is not None


def file_history(site_root: Path, path: str, limit: int = 50) -> list[tuple[str, int]]:
    """The commits that changed a file, newest first: (commit, seconds since the epoch)."""
    found = git(site_root, "log", f"--max-count={limit}", "--format=%H %ct", "--", path) or ""
    return [(commit, int(seconds)) for commit, _, seconds in (line.partition(" ") for line in found.splitlines())
            if seconds.isdigit()]


def file_at(site_root: Path, commit: str, path: str) -> bytes | None:
    """A file's bytes as a commit holds them; None when it does not (or outside git)."""
    if not in_checkout(site_root):
        return None
    try:
        done = _git(site_root, "show", f"{commit}:./{path}", text=False, timeout=30)
    except _NoGit:
        return None
    return done.stdout if done.returncode == 0 else None


def deploy_epoch(site_root: Path, zone: dt.tzinfo) -> int:
    """The build time for a published site (SOURCE_DATE_EPOCH): the last commit's time, or the start of today
    where the site is when that is later. Every build of one commit on one day gives the same bytes, and a
    daily run shows what is dated that day; the commit's time alone would hide, for ever, what is dated
    after it."""
    commit = git(site_root, "log", "-1", "--format=%ct")
    midnight = dt.datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(int(commit) if commit and commit.isdigit() else 0, int(midnight.timestamp()))


def today_at(site_root: Path) -> dt.date:
    """Today where the site is (its time zone, from site.yaml), for new files' dates."""
    from zoneinfo import ZoneInfo

    from buletin.inputs.config import FALLBACK, load_config
    from buletin.problems import Problems

    return today(ZoneInfo((load_config(site_root, Problems()) or FALLBACK).timezone))


def _main() -> int:
    """`python -m buletin.inputs.clock [SITE]`: print deploy_epoch() for CI (see docs/deploy.md)."""
    import sys
    from zoneinfo import ZoneInfo

    from buletin.inputs.config import FALLBACK, load_config
    from buletin.problems import Problems

    site_root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    config = load_config(site_root, Problems()) or FALLBACK
    print(deploy_epoch(site_root, ZoneInfo(config.timezone)))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
