"""The search index: Pagefind over the built pages, loaded by the search page in small chunks."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from . import progress
from .cache import Cache, make_key
from .output import sha256

BUNDLE = "pagefind"
# Pagefind's own UI bundles are not used: the theme's search page has a small script of its own.
_UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")


class SearchUnavailable(Exception):
    """Pagefind is missing or failed; the site builds without a search index."""


def search_files(pages: dict[str, bytes], cache: Cache) -> dict[str, bytes]:
    """Index every HTML page (only their `data-pagefind-body` parts); the bundle's files by output path."""
    html = {path: data for path, data in pages.items() if path.endswith(".html")}
    key = make_key("search", sorted((path, sha256(data)) for path, data in html.items()))
    found = cache.load("search", key)
    if found is not None:
        return found
    progress.say(f"indexing {len(html)} pages for search", len(html))
    with tempfile.TemporaryDirectory(prefix="buletin-search-") as folder:
        root = Path(folder)
        for path, data in html.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(root), "--quiet"],
                                  capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise SearchUnavailable(str(exc)) from None
        if done.returncode != 0:
            raise SearchUnavailable((done.stderr or done.stdout).strip().splitlines()[-1:] or "pagefind failed")
        bundle = root / BUNDLE
        files = {f"{BUNDLE}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
                 for p in sorted(bundle.rglob("*")) if p.is_file() and not p.name.startswith(_UNUSED)}
    cache.store("search", key, files)
    return files
