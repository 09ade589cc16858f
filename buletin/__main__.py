"""`python -m buletin [COMMAND] [OPTIONS]`: the same as build.py and the `buletin` command."""
from .cli import main

raise SystemExit(main())
