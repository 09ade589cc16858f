"""Page weights of a built site: what each page transfers, gzip-compressed, photos left out.

    python bench/weights.py [OUTPUT]      # default: output/ of the sample site (build it first)

Counts each HTML page with the CSS, JavaScript and chart images it references (each once), compressed
with gzip level 6 as a web server would; prints the heaviest pages and checks the budget of issue 4:
100 KB per page, 20 KB of CSS, no script on article pages.
"""
from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

BUDGET_PAGE = 100 * 1024
BUDGET_CSS = 20 * 1024
_REFERENCE = re.compile(r'<(?:link|script|img)\b[^>]*?(?:href|src)="([^"#?]+)"', re.I)
_PHOTO = re.compile(r"\.(jpe?g|png|webp|avif|gif)$", re.I)  # raster images are photos; charts are SVG


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def page_weight(root: Path, page: Path) -> tuple[int, dict[str, int]]:
    """(total gzip bytes, per referenced file) for one page, photos left out."""
    html = page.read_bytes()
    parts = {"html": gzipped(html)}
    base = page.relative_to(root).as_posix()
    for ref in sorted(set(_REFERENCE.findall(html.decode("utf-8", "replace")))):
        if ref.startswith(("http:", "https:", "data:", "mailto:")):
            continue
        target = root / urljoin(base, ref)
        if target.is_file() and not _PHOTO.search(target.name):
            parts[target.relative_to(root).as_posix()] = gzipped(target.read_bytes())
    return sum(parts.values()), parts


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else Path(__file__).resolve().parent.parent / "output")
    if not (root / "index.html").is_file():
        print(f"no built site at {root}: run `python build.py` first")
        return 2
    pages = sorted(root.rglob("*.html"))
    weights = sorted(((page_weight(root, p)[0], p.relative_to(root).as_posix()) for p in pages), reverse=True)
    css = [gzipped(p.read_bytes()) for p in (root / "assets").glob("*.css")]
    scripts_on_articles = [p for _, p in weights if p.count("/") == 2 and re.match(r"\d{4}", p)
                           and "<script src" in (root / p).read_text(encoding="utf-8")]
    print(f"{len(pages)} pages, heaviest first (KB, gzip, HTML + CSS + JS + charts):")
    for size, path in weights:
        print(f"  {size / 1024:7.1f}  {path}")
    median = weights[len(weights) // 2][0] / 1024
    print(f"median page {median:.1f} KB; CSS {max(css, default=0) / 1024:.1f} KB gzip")
    over = [p for size, p in weights if size > BUDGET_PAGE]
    ok = not over and max(css, default=0) <= BUDGET_CSS and not scripts_on_articles
    print(f"budget: pages over 100 KB: {len(over)}; CSS over 20 KB: {max(css, default=0) > BUDGET_CSS}; "
          f"articles with scripts: {len(scripts_on_articles)} -> {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
