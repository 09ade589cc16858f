"""Printing problems: `path:line: error: message` lines, and the forms CI reads (docs/reference.md §2, --format).

`github` adds a workflow command per problem, so a pull request shows it on its line; `gitlab` writes a
Code Quality report that the merge request widget reads. The text lines are printed in every format.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from buletin.messages import _
from buletin.problems import Problem, in_report_order

FORMATS = ("text", "github", "gitlab")
GITLAB_REPORT = "gl-code-quality-report.json"


def default_format() -> str:
    """`github` inside GitHub Actions, else `text`."""
    return "github" if os.environ.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


def report(problems: list[Problem], fmt: str, site_root: Path, stream: TextIO | None = None) -> None:
    """Print every problem as a text line; add the CI form `fmt` asks for."""
    stream = stream or sys.stderr
    ordered = in_report_order(problems)
    for problem in ordered:
        print(problem, file=stream)
    if fmt == "github":
        for problem in ordered:
            print(github_command(problem, _ci_path(site_root, problem.path)), file=sys.stdout)
        sys.stdout.flush()
    elif fmt == "gitlab":
        target = Path.cwd() / GITLAB_REPORT
        try:
            write_gitlab_report(ordered, site_root, target)
        except OSError as exc:  # a folder of that name, a read-only workspace: said, not a traceback
            print(_("buletin: warning: cannot write GitLab's report {path} ({reason}): GitLab shows none of the "
                    "problems above; remove what stands in its place, or run where files may be written").format(
                path=GITLAB_REPORT, reason=exc.strerror or exc), file=stream)


def _ci_path(site_root: Path, path: str) -> str:
    """The path from the repository's root (the workspace), which is where CI looks for files."""
    base = Path(os.environ.get("GITHUB_WORKSPACE") or os.environ.get("CI_PROJECT_DIR") or Path.cwd())
    try:
        return Path(os.path.relpath((site_root / path).absolute(), base.absolute())).as_posix()
    except ValueError:  # another drive (Windows)
        return path


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(problem: Problem, path: str) -> str:
    """`::error file=PATH,line=N,title=buletin::MESSAGE`; a workbook cell, which has no line, leads the message."""
    properties = [f"file={_escape_property(path)}"]
    if problem.line and not problem.location:
        properties.append(f"line={problem.line}")
    properties.append("title=buletin")
    message = f"{problem.location}: {problem.message}" if problem.location else problem.message
    return f"::{problem.severity} {','.join(properties)}::{_escape_data(message)}"


def write_gitlab_report(problems: list[Problem], site_root: Path, target: Path) -> None:
    """GitLab Code Quality JSON: one issue per problem (an empty list when there are none)."""
    issues = []
    for problem in problems:
        path = _ci_path(site_root, problem.path)
        description = f"{problem.location}: {problem.message}" if problem.location else problem.message
        fingerprint = hashlib.sha256(f"{path}\0{problem.where}\0{problem.message}".encode()).hexdigest()
        issues.append({"description": description, "check_name": "buletin", "fingerprint": fingerprint,
                       "severity": "major" if problem.severity == "error" else "minor",
                       "location": {"path": path, "lines": {"begin": problem.line or 1}}})
    target.write_text(json.dumps(issues, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
