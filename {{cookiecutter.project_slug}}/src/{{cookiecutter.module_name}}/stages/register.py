"""Stage 6, register: store the candidate as a new model version when evaluate approved it.

Every version keeps its model file, training record and metrics, with lineage (params,
data fingerprint, git commit, library versions, holdout metrics) and the model's
SHA-256. Versions are never overwritten; the `champion` alias names the one in
production and moves to each newly registered version.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.artifacts import read_json, sha256_file
from ..core.errors import PipelineError
from ..core.model_io import MODEL_FILE, TRAINING_FILE
from ..registry.base import ModelRegistry, promote

REGISTRATION_FILE = "registration.json"


@dataclass(frozen=True)
class Registration:
    registered: bool
    version: int | None
    reason: str


def git_commit(root: Path) -> str | None:
    """The commit the code was at, when the project is a git checkout with git installed."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def register(
    candidate_dir: Path, metrics_path: Path, registry: ModelRegistry, project_root: Path
) -> Registration:
    """Store the candidate as a new version and make it champion, when evaluate decided
    so; the same model file is never registered twice."""
    if not metrics_path.is_file():
        raise PipelineError(f"{metrics_path} not found: run the evaluate stage first")
    metrics: dict[str, Any] = read_json(metrics_path)
    record: dict[str, Any] = read_json(candidate_dir / TRAINING_FILE)
    model_path = candidate_dir / MODEL_FILE
    digest = sha256_file(model_path)
    if digest != metrics.get("model_sha256"):
        raise PipelineError(
            f"{metrics_path} was written for another model than {model_path}; rerun evaluate"
        )
    decision = metrics["decision"]
    if not decision["register"]:
        return Registration(False, None, decision["reasons"][-1])
    for entry in registry.versions():
        if entry.sha256 == digest:
            return Registration(False, None, f"already registered as version {entry.version}")

    lineage = {
        "registered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": record["model"],
        "data_fingerprint": record["schema"]["fingerprint"],
        "git_commit": git_commit(project_root),
        "params": record["params"],
        "schema": record["schema"],
        "libraries": record["libraries"],
        "holdout": metrics["holdout"],
        "goal": metrics["goal"],
    }
    files = [model_path, candidate_dir / TRAINING_FILE, metrics_path]
    added = registry.add(files, digest, lineage)
    promote(registry, added.version)
    return Registration(True, added.version, decision["reasons"][-1])
