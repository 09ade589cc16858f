"""Progress lines for long builds: shown on a terminal, silent in CI, when piped, and with --quiet."""
from __future__ import annotations

import os
import sys

_shown = False
WORTH_SAYING = 20  # items below which a stage is too quick to announce


def enable(quiet: bool) -> None:
    """Show progress only to a person watching a terminal."""
    global _shown
    _shown = not quiet and sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")


def say(message: str, count: int = WORTH_SAYING) -> None:
    if _shown and count >= WORTH_SAYING:
        print(f"buletin: {message}…", file=sys.stderr, flush=True)
