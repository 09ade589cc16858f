"""`python -m buletin [COMMAND] [OPTIONS]`: the same as build.py and the `buletin` command."""
from buletin.cli import main

if __name__ == "__main__":  # worker processes import the main module again: only the command runs main()
    raise SystemExit(main())
