"""The package's layering, checked by import-linter: read -> parse -> build -> exports/render,
the command on top (the contract is in pyproject.toml)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parent.parent


def _lint(root: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))
    return lint_imports(config_filename=str(root / "pyproject.toml"), no_cache=True,
                        no_logo=True)


def test_the_layers_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _lint(REPO, monkeypatch) == 0


def test_an_upward_import_breaks_the_contract(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract bites: a parse module importing the build fails the check."""
    shutil.copytree(REPO / "mapper", tmp_path / "mapper",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    geo = tmp_path / "mapper" / "parse" / "geo.py"
    geo.write_text(geo.read_text() + "\nfrom mapper.build import pipeline  # noqa\n")
    # grimp finds the package by importing it: this copy, not the one already imported.
    for name in [n for n in sys.modules if n.split(".")[0] == "mapper"]:
        monkeypatch.delitem(sys.modules, name)
    assert _lint(tmp_path, monkeypatch) == 1
