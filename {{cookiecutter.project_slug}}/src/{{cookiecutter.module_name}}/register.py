"""Stage 6, register: store the candidate as a new model version when evaluate approved it.

A local, file-based registry: every version keeps its model file, training record and
metrics, with lineage (params, data fingerprint, git commit, library versions) and the
model's SHA-256. Versions are never overwritten; the `champion` alias names the one
in production.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .artifacts import read_json, sha256_file, write_json
from .errors import PipelineError
from .registry import CHAMPION, INDEX_FILE, read_index
from .train import MODEL_FILE, TRAINING_FILE


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
    candidate_dir: Path, metrics_path: Path, registry_dir: Path, project_root: Path
) -> Registration:
    """Copy the candidate into a new version folder and point `champion` at it, when
    evaluate decided so; the same model file is never registered twice."""
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

    index = read_index(registry_dir)
    for entry in index["versions"]:
        if entry["sha256"] == digest:
            return Registration(False, None, f"already registered as version {entry['version']}")
    version = max((entry["version"] for entry in index["versions"]), default=0) + 1
    version_dir = registry_dir / f"v{version}"
    staging = registry_dir / f".v{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for source in (model_path, candidate_dir / TRAINING_FILE, metrics_path):
        shutil.copy2(source, staging / source.name)
    staging.rename(version_dir)  # the version appears whole or not at all

    index["versions"].append(
        {
            "version": version,
            "registered_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sha256": digest,
            "model": record["model"],
            "data_fingerprint": record["schema"]["fingerprint"],
            "git_commit": git_commit(project_root),
            "params": record["params"],
            "libraries": record["libraries"],
            "holdout": metrics["holdout"],
            "goal": metrics["goal"],
        }
    )
    index["aliases"][CHAMPION] = version
    write_json(registry_dir / INDEX_FILE, index)
    return Registration(True, version, decision["reasons"][-1])
