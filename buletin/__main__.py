"""`python -m buletin [COMMAND] [OPTIONS]`: the same as build.py and the `buletin` command."""
from buletin.cli import main

raise SystemExit(main())
