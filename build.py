"""Command-line entry for the sample site: python build.py [COMMAND] [OPTIONS]."""
from buletin.cli import main

raise SystemExit(main())
