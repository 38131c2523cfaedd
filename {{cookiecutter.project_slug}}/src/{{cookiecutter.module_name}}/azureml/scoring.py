"""What the Azure ML scoring scripts do: load the registered model only when its file
matches the SHA-256 the registry recorded, and predict for JSON requests (the online
endpoint) or CSV files (the batch endpoint).

Azure ML mounts the model version's files under AZUREML_MODEL_DIR; the rollout sets
MODEL_SHA256 on each deployment from the registry entry of the version it deploys.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ..core.artifacts import read_json
from ..core.dataset import DatasetSchema, records_frame
from ..core.errors import PipelineError
from ..core.model_io import MODEL_FILE, TRAINING_FILE, load_verified_model

MODEL_DIR_VARIABLE = "AZUREML_MODEL_DIR"
SHA256_VARIABLE = "MODEL_SHA256"
# The most rows one online request may carry, as the FastAPI service allows.
MAX_RECORDS = 1000


@dataclass(frozen=True)
class ScoringModel:
    model: Pipeline
    schema: DatasetSchema

    def predict(self, features: pd.DataFrame) -> list[Any]:
        predictions = np.asarray(self.model.predict(features[self.schema.features]))
        return list(predictions.tolist())


def find_model_file(model_dir: Path) -> Path:
    """The model file inside a mounted model version (Azure ML adds a folder level)."""
    found = sorted(model_dir.rglob(MODEL_FILE))
    if len(found) != 1:
        raise PipelineError(
            f"{model_dir}: expected one {MODEL_FILE} in the model version, found {len(found)}"
        )
    return found[0]


def load_scoring_model(model_dir: Path, expected_sha256: str) -> ScoringModel:
    if not expected_sha256:
        raise PipelineError(
            f"{SHA256_VARIABLE} is not set: deploy with `nox -s azureml -- stage`, which sets "
            "it from the registry"
        )
    path = find_model_file(model_dir)
    model = load_verified_model(path, expected_sha256, SHA256_VARIABLE)
    record: dict[str, Any] = read_json(path.parent / TRAINING_FILE)
    return ScoringModel(model, DatasetSchema.from_dict(record["schema"]))


def load_from_environment() -> ScoringModel:
    """The model of this deployment, as Azure ML's variables describe it."""
    model_dir = os.environ.get(MODEL_DIR_VARIABLE)
    if not model_dir:
        raise PipelineError(f"{MODEL_DIR_VARIABLE} is not set: not running in a deployment")
    return load_scoring_model(Path(model_dir), os.environ.get(SHA256_VARIABLE, ""))


def checked_frame(records: list[dict[str, Any]], schema: DatasetSchema, where: str) -> pd.DataFrame:
    """Rows as the model's input frame (core/dataset.py); a missing column is named."""
    present = {name for record in records for name in record}
    missing = [name for name in schema.features if name not in present]
    if missing:
        raise PipelineError(f"{where}: missing feature {missing[0]!r}")
    return records_frame(records, schema)


def request_frame(scorer: ScoringModel, body: str) -> pd.DataFrame:
    """{"records": [{feature: value, ...}, ...]} -> the model's input frame."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PipelineError(f"request body is not JSON: {exc.msg}") from exc
    records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(records, list) or not all(isinstance(row, dict) for row in records):
        raise PipelineError('request body: expected {"records": [{feature: value, ...}, ...]}')
    if not 1 <= len(records) <= MAX_RECORDS:
        raise PipelineError(f"request body: send 1 to {MAX_RECORDS} records, not {len(records)}")
    return checked_frame(records, scorer.schema, "request body")


def predictions_for(scorer: ScoringModel, frame: pd.DataFrame) -> list[Any]:
    """The model's answers; a value it cannot take is named as the request's fault."""
    try:
        return scorer.predict(frame)
    except (ValueError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PipelineError(f"request body: {first_line}") from exc


def score_request(scorer: ScoringModel, body: str) -> dict[str, list[Any]]:
    """{"records": [{feature: value, ...}, ...]} -> {"predictions": [...]}."""
    return {"predictions": predictions_for(scorer, request_frame(scorer, body))}


def score_files(scorer: ScoringModel, files: list[str]) -> pd.DataFrame:
    """Predictions for every row of every CSV file, with the file and row they came from."""
    scored = []
    for name in files:
        path = Path(name)
        frame = pd.read_csv(path)
        features = checked_frame(frame.to_dict(orient="records"), scorer.schema, str(path))
        scored.append(
            pd.DataFrame(
                {
                    "file": path.name,
                    "row": range(len(frame)),
                    "prediction": scorer.predict(features),
                }
            )
        )
    columns = ["file", "row", "prediction"]
    return pd.concat(scored, ignore_index=True) if scored else pd.DataFrame(columns=columns)
