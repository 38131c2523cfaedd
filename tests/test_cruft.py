"""Generated projects stay current: cruft creates the same project cookiecutter does,
records where it came from, and `cruft update` carries a later template change over."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import TEMPLATE, installed_tool

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git", ".nox", ".venv*", "build", "__pycache__", ".pytest_cache", ".ruff_cache"
)


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def ok(*command: str, cwd: Path) -> str:
    result = run(*command, cwd=cwd)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """cruft from the environment running the tests (`nox -s tests` installs it)."""
    binary = installed_tool("cruft", "cruft")
    return run(binary, *args, cwd=cwd)


def commit_all(repo: Path, message: str) -> str:
    ok("git", "add", "-A", cwd=repo)
    ok("git", "commit", "-q", "--no-verify", "-m", message, cwd=repo)
    return ok("git", "rev-parse", "HEAD", cwd=repo).strip()


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """This template's working tree as a fresh git repository that tests may change."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE, repo, ignore=NOT_TEMPLATE)
    ok("git", "init", "-q", "-b", "main", cwd=repo)
    commit_all(repo, "template as tested")
    return repo


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_cruft_create_matches_cookiecutter(template_repo: Path, tmp_path: Path) -> None:
    head = ok("git", "rev-parse", "HEAD", cwd=template_repo).strip()
    created = cruft(
        "create", "--no-input", "--output-dir", "cruft", str(template_repo), cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    ok(sys.executable, "-m", "cookiecutter", "--no-input", "-o", "plain", str(template_repo),
       cwd=tmp_path)  # fmt: skip

    with_cruft = tree(tmp_path / "cruft" / "diabetes-progression")
    plain = tree(tmp_path / "plain" / "diabetes-progression")
    record = json.loads(with_cruft.pop(".cruft.json"))
    assert with_cruft == plain
    assert record["template"] == str(template_repo)
    assert record["commit"] == head
    assert record["context"]["cookiecutter"]["module_name"] == "diabetes_progression"


def test_cruft_update_applies_a_later_template_change(template_repo: Path, tmp_path: Path) -> None:
    created = cruft("create", "--no-input", str(template_repo), cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "diabetes-progression"
    ok("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "generated")
    assert cruft("check", cwd=project).returncode == 0

    # A template fix lands: a new params.yaml comment and a changed Python module.
    params = template_repo / "{{cookiecutter.project_slug}}" / "params.yaml"
    params.write_text(params.read_text() + "# Tuned by the platform team.\n")
    package = template_repo / "{{cookiecutter.project_slug}}/src/{{cookiecutter.module_name}}"
    errors = package / "core" / "errors.py"
    errors.write_text(
        errors.read_text() + "\n\nclass ConfigurationError(PipelineError):\n    pass\n"
    )
    new_head = commit_all(template_repo, "template fix")

    assert cruft("check", cwd=project).returncode != 0  # out of date
    updated = cruft("update", "--skip-apply-ask", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert (project / "params.yaml").read_text().endswith("# Tuned by the platform team.\n")
    module = project / "src" / "diabetes_progression" / "core" / "errors.py"
    assert "class ConfigurationError(PipelineError)" in module.read_text()
    assert json.loads((project / ".cruft.json").read_text())["commit"] == new_head
    assert cruft("check", cwd=project).returncode == 0  # up to date
    # Only the template's change: the project's own files are otherwise untouched.
    changed = ok("git", "status", "--porcelain", cwd=project).split()
    assert sorted(name for name in changed if name != "M") == [
        ".cruft.json",
        "params.yaml",
        "src/diabetes_progression/core/errors.py",
    ]
