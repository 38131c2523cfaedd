"""Stage 6, register: store the candidate as a new model version when evaluate approved it.

Every version keeps its model file, training record, metrics and model card, with lineage (params,
data fingerprint, code hash, git commit, library versions, holdout metrics) and the
model's SHA-256. Versions are never overwritten; the `champion` alias names the one in
production and moves to each newly registered version. The registry is read and
written under its lock, so the decision is checked against the champion of that moment:
a champion that changed since evaluate compared against it means evaluating again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.artifacts import read_json, sha256_file
from ..core.errors import PipelineError
from ..core.lineage import git_commit
from ..core.model_io import MODEL_CARD_FILE, MODEL_FILE, TRAINING_FILE
from ..core.texts import text
from ..registry.base import ModelRegistry, ModelVersion, champion_version

REGISTRATION_FILE = "registration.json"


@dataclass(frozen=True)
class Registration:
    registered: bool
    version: int | None
    reason: str


def register(
    candidate_dir: Path, metrics_path: Path, registry: ModelRegistry, project_root: Path
) -> Registration:
    """Store the candidate as a new version and make it champion, when evaluate decided
    so against the current champion; the same model is never registered twice."""
    if not metrics_path.is_file():
        raise PipelineError(text("error.run_first", path=metrics_path, stage="evaluate"))
    metrics: dict[str, Any] = read_json(metrics_path)
    record: dict[str, Any] = read_json(candidate_dir / TRAINING_FILE)
    model_path = candidate_dir / MODEL_FILE
    digest = sha256_file(model_path)
    if digest != metrics.get("model_sha256") or digest != record.get("sha256"):
        raise PipelineError(text("error.other_model", metrics=metrics_path, model=model_path))
    decision = metrics["decision"]
    if not decision["register"]:
        return Registration(False, None, decision["reasons"][-1])
    card = metrics_path.parent / MODEL_CARD_FILE
    if not card.is_file() or sha256_file(card) != metrics.get("model_card_sha256"):
        raise PipelineError(text("error.card_mismatch", card=card, metrics=metrics_path.name))
    with registry.writing():
        same = same_model(registry.versions(), digest, record.get("fingerprint"))
        if same is not None:
            return Registration(False, None, text("register.already", version=same.version))
        compared = (metrics.get("champion") or {}).get("version")
        current = champion_version(registry)
        if current != compared:
            return Registration(
                False,
                None,
                text("register.champion_moved", compared=compared, current=current),
            )
        files = [model_path, candidate_dir / TRAINING_FILE, metrics_path, card]
        described = lineage(record, metrics, candidate_dir, project_root, card)
        added = registry.add_champion(files, digest, described)
    return Registration(True, added.version, decision["reasons"][-1])


def same_model(
    versions: list[ModelVersion], sha256: str, fingerprint: str | None
) -> ModelVersion | None:
    """The registered version of this model: the same file, or the same code, data,
    params.yaml and libraries (a retrained model's file differs byte for byte)."""
    for entry in versions:
        if entry.sha256 == sha256 or (
            fingerprint is not None and entry.lineage.get("fingerprint") == fingerprint
        ):
            return entry
    return None


def lineage(
    record: dict[str, Any],
    metrics: dict[str, Any],
    candidate_dir: Path,
    project_root: Path,
    card: Path,
) -> dict[str, Any]:
    return {
        "registered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": record["model"],
        "fingerprint": record.get("fingerprint"),
        # The record the API's schema and the smoke test's example come from.
        "training_sha256": sha256_file(candidate_dir / TRAINING_FILE),
        "data_fingerprint": record["schema"]["fingerprint"],
{%- if cookiecutter.data_versioning == "dvc" %}
        # The source's MD5 and the DVC file recording it (core/data_version.py).
        "data_version": record["schema"].get("data_version"),
{%- endif %}
        "code_sha256": record.get("code_sha256"),
        "git_commit": git_commit(project_root),
        "params": record["params"],
        "schema": record["schema"],
        "libraries": record["libraries"],
        "holdout": metrics["holdout"],
        "goal": metrics["goal"],
        # Among the version's files; checked against its hash wherever it is served
        # (register compared the file with this hash before storing it).
        "model_card": card.name,
        "model_card_sha256": metrics["model_card_sha256"],
        # Two classes: the probability the positive class is predicted from (None: 0.5).
        "decision_threshold": record.get("decision_threshold"),
    }
