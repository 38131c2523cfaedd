"""Where a model came from: the code hash behind its fingerprint, and the git commit
recorded only from the repository that tracks the project."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.core.lineage import PACKAGE, code_sha256, git_commit

IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]


def test_the_code_hash_follows_python_edits_only(tmp_path: Path) -> None:
    package = Path(shutil.copytree(PACKAGE, tmp_path / "package"))
    before = code_sha256(package)
    assert code_sha256(package) == before
    (package / "reports" / "notes.md").write_text("prose shapes no model\n")
    assert code_sha256(package) == before
    module = package / "core" / "metrics.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    assert code_sha256(package) != before


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_commit_comes_from_the_repository_tracking_the_project(tmp_path: Path) -> None:
    def git(*arguments: str) -> str:
        done = subprocess.run(
            ["git", *IDENTITY, *arguments], cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    git("init", "-q")
    (tmp_path / "README.md").write_text("another repository\n")
    git("add", "README.md")
    git("commit", "-q", "-m", "outer")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'inside'\n")
    # A project lying untracked in another repository: that repository's HEAD is not its.
    assert git_commit(project) is None
    git("add", "project/pyproject.toml")
    git("commit", "-q", "-m", "track the project")
    assert git_commit(project) == git("rev-parse", "HEAD")
