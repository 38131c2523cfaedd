"""Where a model came from: the code, the data and the settings that produced it.

Two trainings of the same code on the same data with the same settings make the same
model, yet their skops files differ byte for byte. The registry therefore tells models
apart by their fingerprint (the inputs that produced them), not by file hashes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent


def code_sha256(package: Path = PACKAGE) -> str:
    """A hash of the package's Python files by relative path and content: any edit,
    committed or not, gives another value (a git commit would miss uncommitted edits).
    Report templates and message catalogues are left out: they shape no model."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def model_fingerprint(
    params: dict[str, Any], data_fingerprint: str, libraries: dict[str, str], code: str
) -> str:
    """The same value for every training of the same code on the same data with the
    same params.yaml and library versions."""
    inputs = {"params": params, "data": data_fingerprint, "libraries": libraries, "code": code}
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def git_commit(root: Path) -> str | None:
    """The commit of the git repository that tracks this project, if one does: a
    project folder lying untracked inside another repository (a template's clone, say)
    is not described by that repository's commit."""
    tracked = run_git(root, "ls-files", "--error-unmatch", "pyproject.toml")
    return run_git(root, "rev-parse", "HEAD") if tracked is not None else None


def run_git(root: Path, *arguments: str) -> str | None:
    """git's output, or None when git is missing or the command fails."""
    try:
        result = subprocess.run(
            ["git", *arguments], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
