"""Write tests/golden/sample-site.txt: the sha256 of every file of the sample site as built today.

    python tools/golden.py

The test suite builds the sample site and compares it with this list (tests/test_golden.py). A change to the
engine, the theme or the sample content that changes an output file shows up there; run this command to
accept it, and review the list's diff like code. The libraries whose versions decide the bytes of charts and
the search index are written at the top: with other versions installed, the test says so and is skipped.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "sample-site.txt"
EPOCH = "1609459200"  # as tests/conftest.py: 2021-01-01, after every date of the sample site
LEFT_OUT = ("manifest.json",)  # it names the git commit, which changes with every commit


def libraries() -> str:
    """The versions that decide the output's bytes, as one line."""
    from buletin.build.state import versions

    found = dict(versions())
    return " ".join(f"{name}={found.get(name, '-')}" for name in ("matplotlib", "pagefind", "markdown", "jinja2",
                                                                   "babel", "nh3"))


def listing(out: Path) -> list[str]:
    """`sha256  path` for every output file, sorted by path."""
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel not in LEFT_OUT:
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}")
    return lines


def build(target: Path) -> Path:
    """The sample site built as the tests build it (fixed time, no base URL, a cache of its own)."""
    from buletin.cli import main

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    out = target / "out"
    code = main(["build", "--site", str(ROOT), "--out", str(out), "--quiet", "--cache", str(target / "cache")])
    if code != 0:
        raise SystemExit(f"the sample site did not build (exit {code})")
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        lines = listing(build(Path(folder)))
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(f"# libraries: {libraries()}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}: {len(lines)} files")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
