"""Stage 4, train: fit the model pipeline and cross-validate it on the training split."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_validate
from sklearn.pipeline import Pipeline

from ..core.artifacts import read_json, sha256_file, write_json
from ..core.config import Params
from ..core.dataset import DatasetSchema, PreparedData
from ..core.errors import PipelineError
from ..core.lineage import code_sha256, model_fingerprint
from ..core.metrics import cv_scorers, sign
from ..core.model_io import (
    MODEL_FILE,
    TRAINING_FILE,
    library_versions,
    load_verified_model,
    save_model,
)
from ..core.models import make_estimator
from .preprocess import FittedFeatures, build_preprocessor
from .splitting import cv_folds, cv_rows


@dataclass(frozen=True)
class TrainedModel:
    model: Pipeline
    cv: dict[str, dict[str, float]]
    path: Path


def build_model(schema: DatasetSchema, params: Params) -> Pipeline:
    """Features and estimator in one Pipeline: the saved object is the whole model."""
    estimator = make_estimator(params.task, params.model.name, params.model.params, params.seed)
    return Pipeline(
        [("features", build_preprocessor(schema, params.features)), ("model", estimator)]
    )


def cross_validate_model(
    model: Pipeline,
    rows: pd.DataFrame,
    prepared: PreparedData,
    params: Params,
    only: str | None = None,
) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each metric (or the `only` one: a tuning trial's,
    without the others' scoring) over K folds of `rows`, split as train and holdout were
    (stages/splitting.py)."""
    splitter, groups = cv_folds(prepared.schema, rows, params.cv_folds, params.seed)
    scorers = cv_scorers(prepared.schema)
    if only is not None:
        scorers = {only: scorers[only]}
    results = cross_validate(
        model,
        prepared.features(rows),
        prepared.labels(rows),
        groups=groups,
        cv=splitter,
        scoring=scorers,
        error_score="raise",
    )
    summary: dict[str, dict[str, float]] = {}
    for metric in scorers:
        values = sign(params.task, metric) * np.asarray(results[f"test_{metric}"])
        summary[metric] = {"mean": float(values.mean()), "std": float(values.std())}
    return summary


def input_example(model: Pipeline, prepared: PreparedData, rows: int = 5) -> dict[str, Any]:
    """A few complete training rows and the model's predictions for them: a deployed copy
    of the model must reproduce these exactly (the smoke test checks it)."""
    features = prepared.features(prepared.train).dropna().head(rows)
    records = json.loads(features.to_json(orient="records", date_format="iso"))
    # As a client sends them: prepare keeps a boolean column as the text "True"/"False",
    # the API takes JSON true/false.
    schema = prepared.schema
    for name in (name for name in schema.categorical if schema.is_boolean(name)):
        for record in records:
            record[name] = record[name] == "True"
    return {"features": records, "predictions": model.predict(features).tolist()}


def fit_on_training_split(
    model: Pipeline, prepared: PreparedData, fitted: FittedFeatures | None
) -> Pipeline:
    """The model fitted on the whole training split. Given the preprocess stage's fitted
    feature pipeline (fitted on these very rows with these settings), only the estimator
    is fitted on its output: the same model, without a second pass fitting the features
    (seconds on a large table)."""
    features = prepared.features(prepared.train)
    labels = prepared.labels(prepared.train)
    if fitted is None:
        return model.fit(features, labels)
    output = fitted.training_output
    matrix = output if output is not None else fitted.pipeline.transform(features)
    estimator = model.named_steps["model"].fit(matrix, labels)
    return Pipeline([("features", fitted.pipeline), ("model", estimator)])


def train(
    prepared: PreparedData,
    params: Params,
    out_dir: Path,
    preprocessor: FittedFeatures | None = None,
) -> TrainedModel:
    """Cross-validate, fit on the whole training split, save the model and its record.
    `preprocessor`: the preprocess stage's fitted feature pipeline, when it is current
    (stages/preprocess.py: fitted_preprocessor)."""
    model = build_model(prepared.schema, params)
    validated = cv_rows(prepared, params)
    try:
        cv = cross_validate_model(model, validated, prepared, params)
        model = fit_on_training_split(model, prepared, preprocessor)
    except ValueError as exc:
        # sklearn validates hyper-parameter values at fit time.
        first_line = str(exc).splitlines()[0]
        raise PipelineError(f"params.yaml: model {params.model.name!r}: {first_line}") from exc
    model_path = out_dir / MODEL_FILE
    save_model(model, model_path)
    settings, libraries, code = params.model_dump(mode="json"), library_versions(), code_sha256()
    write_json(
        out_dir / TRAINING_FILE,
        {
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": params.model.name,
            "params": settings,
            "schema": prepared.schema.to_dict(),
            "cv": cv,
            "cv_rows": len(validated),
            "sha256": sha256_file(model_path),
            "libraries": libraries,
            "code_sha256": code,
            # The registry's "same model" test: the inputs, not the file's bytes.
            "fingerprint": model_fingerprint(
                settings, prepared.schema.fingerprint, libraries, code
            ),
            "example": input_example(model, prepared),
        },
    )
    return TrainedModel(model=model, cv=cv, path=model_path)


def load_candidate(candidate_dir: Path) -> tuple[Pipeline, dict[str, Any]]:
    """The model `train` wrote and its record, refusing a file that does not match it."""
    model_path = candidate_dir / MODEL_FILE
    record_path = candidate_dir / TRAINING_FILE
    if not model_path.is_file() or not record_path.is_file():
        raise PipelineError(f"{model_path} not found: run the train stage first")
    record: dict[str, Any] = read_json(record_path)
    return load_verified_model(model_path, record.get("sha256"), str(record_path)), record
