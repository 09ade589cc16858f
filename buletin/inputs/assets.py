"""The site's assets: the theme's (style.css, search.js, favicon.svg), overridden or added to by the site's
templates/assets/, read and checked as any other input."""
from __future__ import annotations

from pathlib import Path

from buletin.inputs.paths import refused
from buletin.problems import Problems

THEME_ASSETS = Path(__file__).parent.parent / "theme" / "assets"


def collect_assets(site_root: Path, problems: Problems) -> dict[str, bytes]:
    """Theme assets, overridden or added to by the site's templates/assets/, by logical name."""
    assets: dict[str, bytes] = {}
    for folder in (THEME_ASSETS, site_root / "templates" / "assets"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.name.startswith(".") or path.is_dir():
                    continue
                refusal = None if folder == THEME_ASSETS else refused(site_root, path)
                if refusal:
                    problems.add(path.relative_to(site_root).as_posix(), None, refusal)
                else:
                    assets[path.relative_to(folder).as_posix()] = path.read_bytes()
    return assets
