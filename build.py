"""Command-line entry for the sample site: python build.py [COMMAND] [OPTIONS]."""
from buletin.cli import main

if __name__ == "__main__":  # worker processes import this file again: only the command itself runs main()
    raise SystemExit(main())
