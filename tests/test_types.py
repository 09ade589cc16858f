"""The engine's static checks: its types (mypy) and its import contracts (import-linter), both configured in
pyproject.toml, hold as part of the test suite."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_mypy_finds_no_error():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    # No cache written into the checkout; the packages checked come from [tool.mypy] in pyproject.toml.
    done = _run("-m", "mypy", "--cache-dir", os.devnull)
    assert done.returncode == 0, f"mypy found errors:\n{done.stdout}{done.stderr}"


def test_import_contracts_are_kept():
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    # lint-imports, the console script of import-linter, run by the same interpreter.
    done = _run("-c", "from importlinter.cli import lint_imports_command; lint_imports_command()", "--no-cache")
    assert done.returncode == 0, f"lint-imports found broken contracts:\n{done.stdout}{done.stderr}"
