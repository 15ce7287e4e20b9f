"""The index's fingerprint covers every module whose code can change what a parse stores:
a change to any of them means every article is parsed again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import mapper
from mapper.build.fingerprint import UNRELATED, code_digest, code_files

PACKAGE = Path(mapper.__file__).resolve().parent
#: Modules whose code makes the index's rows: reading, parsing, excerpts, export lines,
#: the page fragments kept per article, the build itself.
ROW_MAKERS = sorted(
    p.relative_to(PACKAGE).as_posix()
    for folder in ("read", "parse", "build", "exports")
    for p in (PACKAGE / folder).rglob("*.py")
    if p.relative_to(PACKAGE).as_posix() not in UNRELATED
) + ["models.py", "render/passages.py"]


def test_every_module_that_makes_rows_is_covered() -> None:
    covered = {p.relative_to(PACKAGE).as_posix() for p in code_files(PACKAGE)}
    assert set(ROW_MAKERS) <= covered
    assert not any(c.startswith("cli") for c in covered) and "parse/evaluate.py" not in covered


@pytest.mark.parametrize("module", ROW_MAKERS)
def test_a_change_in_the_module_changes_the_fingerprint(tmp_path: Path, module: str) -> None:
    copy = tmp_path / "mapper"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(copy)
    path = copy / module
    path.write_text(path.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    assert code_digest(copy) != before


def test_a_new_parse_module_is_covered(tmp_path: Path) -> None:
    copy = tmp_path / "mapper"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(copy)
    (copy / "parse" / "newrule.py").write_text("RULE = 1\n", encoding="utf-8")
    assert code_digest(copy) != before


def test_the_command_line_does_not_count(tmp_path: Path) -> None:
    copy = tmp_path / "mapper"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(copy)
    (copy / "cli" / "building.py").write_text("# another command line\n", encoding="utf-8")
    assert code_digest(copy) == before
