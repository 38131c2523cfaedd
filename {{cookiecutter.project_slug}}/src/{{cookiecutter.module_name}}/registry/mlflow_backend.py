"""MLflow's model registry as this project's registry: each registered version is a
model version of one registered model, and `champion` is a registered-model alias.

The model file's SHA-256 and the lineage are model-version tags; loading downloads the
version's files and checks the hash before anything is deserialised. A new version is
created tagged `pending_champion` and the tag is removed once the alias names it: a
writer killed in between leaves the tag, and the next writer completes the promotion.
Writers on this machine take turns through a lock file in models/registry; MLflow itself
numbers versions, so writers on other machines never share a number.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import mlflow.artifacts

from ..core.errors import PipelineError
from ..core.model_io import MODEL_FILE, load_verified_model
from ..core.paths import ProjectPaths
from .base import CHAMPION, ModelVersion, get_version
from .locking import one_writer
from .mlflow_errors import mlflow_operation
from .mlflow_tracking import EXPERIMENT, SHA_TAG, Tracking, connect, find_run

if TYPE_CHECKING:  # `models list` and `show` read tags without loading scikit-learn
    from sklearn.pipeline import Pipeline

REGISTERED_MODEL = EXPERIMENT
HISTORY_TAG = "champion_history"
LINEAGE_TAG = "lineage"
PENDING_TAG = "pending_champion"


class MlflowRegistry:
    def __init__(self, tracking: Tracking, lock_folder: Path) -> None:
        self.tracking = tracking
        self.lock_folder = lock_folder
        self.client = tracking.client
        self.location = f"MLflow model {REGISTERED_MODEL!r} at {tracking.uri}"
        self._known_to_exist = False

    @classmethod
    def open(cls, paths: ProjectPaths) -> MlflowRegistry:
        return cls(connect(paths), paths.registry)

    @contextmanager
    def writing(self) -> Iterator[None]:
        with one_writer(self.lock_folder):
            self._complete_pending_promotions()
            yield

    @mlflow_operation("completing an interrupted promotion")
    def _complete_pending_promotions(self) -> None:
        """Make champion each version a killed writer created but did not promote."""
        if not self._exists():
            return
        found = self.client.search_model_versions(f"name = '{REGISTERED_MODEL}'")
        for item in sorted(found, key=lambda item: int(item.version)):
            if PENDING_TAG in item.tags:
                self._make_champion(int(item.version))

    def _exists(self) -> bool:
        # Asked before most reads; once the registered model exists it stays (nothing here
        # deletes it), so the answer is kept rather than searched for again.
        if not self._known_to_exist:
            found = self.client.search_registered_models(f"name = '{REGISTERED_MODEL}'")
            self._known_to_exist = bool(found)
        return self._known_to_exist

    @mlflow_operation("reading the model versions")
    def versions(self) -> list[ModelVersion]:
        if not self._exists():
            return []
        found = self.client.search_model_versions(f"name = '{REGISTERED_MODEL}'")
        return sorted(
            (
                ModelVersion(
                    int(item.version),
                    item.tags.get("sha256", ""),
                    json.loads(item.tags.get(LINEAGE_TAG, "{}")),
                )
                for item in found
            ),
            key=lambda entry: entry.version,
        )

    @mlflow_operation("reading the champion history")
    def champion_history(self) -> list[int]:
        if not self._exists():
            return []
        tags = self.client.get_registered_model(REGISTERED_MODEL).tags
        history: list[int] = json.loads(tags.get(HISTORY_TAG, "[]"))
        return history

    @mlflow_operation("moving the champion alias")
    def set_champion_history(self, history: list[int]) -> None:
        self.client.set_registered_model_tag(REGISTERED_MODEL, HISTORY_TAG, json.dumps(history))
        if history:
            self.client.set_registered_model_alias(REGISTERED_MODEL, CHAMPION, str(history[-1]))
        else:
            self.client.delete_registered_model_alias(REGISTERED_MODEL, CHAMPION)

    @mlflow_operation("downloading a model version")
    def fetch(self, version: int, destination: Path) -> None:
        get_version(self, version)
        source = str(self.client.get_model_version(REGISTERED_MODEL, str(version)).source)
        stored = Path(url2pathname(urlparse(source).path))
        if source.startswith("file:") and not stored.exists():
            raise PipelineError(
                f"{self.location}: version {version}'s files are not at {stored}; MLflow "
                "records absolute paths, so a store moved to another folder cannot find "
                "them: move it back, or register the model again"
            )
        with tempfile.TemporaryDirectory() as scratch:
            try:
                local = mlflow.artifacts.download_artifacts(
                    artifact_uri=source, dst_path=scratch, tracking_uri=self.tracking.uri
                )
            except OSError as exc:  # the store's artifact folder, moved or unreadable
                raise PipelineError(f"{self.location}: version {version}: {exc}") from exc
            shutil.copytree(local, destination, dirs_exist_ok=True)

    def load(self, version: int) -> Pipeline:
        entry = get_version(self, version)
        with tempfile.TemporaryDirectory() as scratch:
            self.fetch(version, Path(scratch))
            return load_verified_model(
                Path(scratch) / MODEL_FILE, entry.sha256, f"{self.location} version {version}"
            )

    def _make_champion(self, version: int) -> None:
        history = self.champion_history()
        if history[-1:] != [version]:
            self.set_champion_history([*history, version])
        self.client.delete_model_version_tag(REGISTERED_MODEL, str(version), PENDING_TAG)

    @mlflow_operation("registering a model version", repeatable=False)
    def add_champion(self, files: list[Path], sha256: str, lineage: dict[str, Any]) -> ModelVersion:
        # The run evaluate logged for this model file; a bare run if tracking was skipped.
        run = find_run(self.tracking, sha256) or self.client.create_run(
            self.tracking.experiment_id, tags={SHA_TAG: sha256}
        )
        for path in files:
            self.client.log_artifact(run.info.run_id, str(path), "registered")
        if not self._exists():
            self.client.create_registered_model(REGISTERED_MODEL)
        created = self.client.create_model_version(
            REGISTERED_MODEL,
            source=f"{run.info.artifact_uri}/registered",
            run_id=run.info.run_id,
            tags={"sha256": sha256, LINEAGE_TAG: json.dumps(lineage), PENDING_TAG: "true"},
        )
        self._make_champion(int(created.version))
        return ModelVersion(int(created.version), sha256, lineage)
