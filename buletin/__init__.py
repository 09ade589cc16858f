"""buletin: a static report-site generator for periodic data bulletins."""

__version__ = "0.1.0"
