"""The floors (docs/architecture.md) are enforced: make lint runs import-linter with pyproject's contracts,
and a lower floor importing a higher one breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "hotline",
    "knowledge_base",
    "intake",
    "dispatch",
    "feedback",
    "assessment",
    "governance",
    "reports",
    "public",
    "demo",
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def tree(tmp_path):
    """A copy of the code (Python files only) and its contracts, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__", "data", "static")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_code_keeps_its_floors(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # core reaching for an app again (issue 18 removed the last of these)
        ("hotline/core/reference.py", "import dispatch.models", "hotline.core is not allowed to import dispatch"),
        # a domain app reaching up a floor, even by a function-level import
        (
            "knowledge_base/services.py",
            "def f():\n    from intake.models import Demand",
            "knowledge_base is not allowed to import intake",
        ),
        ("feedback/selectors.py", "import reports.models", "feedback is not allowed to import reports"),
        # no domain code imports the demo generators
        ("dispatch/services.py", "import demo.orders", "dispatch is not allowed to import demo"),
        # siblings of one floor stay independent
        ("assessment/models.py", "import governance.selectors", "assessment is not allowed to import governance"),
        # inside an app, a model does not call its services
        ("intake/models.py", "import intake.services", "intake.models is not allowed to import intake.services"),
    ],
)
def test_an_import_up_a_floor_breaks_the_contracts(tree, module, line, broken):
    _append(tree / module, line)
    result = lint(tree)
    assert result.returncode != 0
    assert broken in result.stdout
