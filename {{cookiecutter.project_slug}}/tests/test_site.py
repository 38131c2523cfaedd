"""The documentation site (mkdocs.yml, mkdocs_hooks.py), built as `nox -s docs` builds
it, strictly, once the stages have run: the documents in process order with the
figures they show, the model card, and an API reference page per layer of the package;
a document linking to a file that does not exist fails the build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.stages import analyze, evaluate, monitor
from {{ cookiecutter.module_name }}.stages.pipeline import run_all

from .conftest import PROJECT_ROOT, ProjectFactory

SITE_CONFIGURATION = ("mkdocs.yml", "mkdocs_hooks.py", "pyproject.toml")
STAGE_REPORTS = {analyze.REPORT_FILE, evaluate.REPORT_FILE, monitor.REPORT_FILE}
DOCUMENTS = ("01_business_understanding", "02_analysis_report", "03_data_request", "06_test_report")


@pytest.fixture(scope="module")
def project(make_project: ProjectFactory) -> Path:
    """A project whose stages have run, with the site's configuration, the pages the
    team keeps in docs/ and the package the reference documents."""
    paths = make_project()
    for _ in run_all(paths):
        pass
    for name in SITE_CONFIGURATION:
        shutil.copy(PROJECT_ROOT / name, paths.root / name)
    # The pages the team keeps, not the reports stages write: those come from this
    # project's own stages (a copy of docs/07 would show figures only `monitor` drew).
    for page in (PROJECT_ROOT / "docs").glob("*.md"):
        if not (paths.docs / page.name).exists() and page.name not in STAGE_REPORTS:
            shutil.copy(page, paths.docs / page.name)
    shutil.copytree(
        PROJECT_ROOT / "src", paths.root / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    return paths.root


def build(root: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", "mkdocs.yml"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


def test_the_site_builds_strictly_once_the_stages_have_run(project: Path) -> None:
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "build" / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    places = [home.index(f'href="{name}/"') for name in DOCUMENTS]
    assert places == sorted(places), "the navigation follows the processes"
    assert re.search(r">\s*06 ", home), "each process document is under its number"
    # Every figure a document shows is on the site where its page points.
    for name in DOCUMENTS[1:]:
        page = site / name / "index.html"
        sources = re.findall(r'<img [^>]*src="([^"]+)"', page.read_text(encoding="utf-8"))
        assert sources or name == "03_data_request", name
        for source in sources:
            assert (page.parent / source).resolve().is_file(), f"{name}: {source}"
    assert (site / "reports" / "model_card" / "index.html").is_file()
    core = (site / "reference" / "core" / "index.html").read_text(encoding="utf-8")
    assert "load_goal" in core  # a function of core/goal.py, from its docstring
    for layer in ("cli", "stages", "registry", "reports"):
        assert (site / "reference" / layer / "index.html").is_file(), layer


def test_a_link_to_a_missing_file_fails_the_build(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    page = copy / "docs" / "03_data_request.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[The extract](../data/missing.csv)\n")
    result = build(copy)
    assert result.returncode != 0
    assert "missing.csv" in result.stdout + result.stderr
