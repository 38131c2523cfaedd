"""Stage 4, train: fit the model pipeline and cross-validate it on the training split."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    FixedThresholdClassifier,
    TunedThresholdClassifierCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline

from ..core.artifacts import read_json, sha256_file, write_json
from ..core.config import Params
from ..core.dataset import DatasetSchema, PreparedData
from ..core.errors import PipelineError
from ..core.goal import load_goal
from ..core.lineage import code_sha256, model_fingerprint
from ..core.metrics import cv_scorers, sign, value_scorer
from ..core.model_io import (
    MODEL_FILE,
    TRAINING_FILE,
    library_versions,
    load_verified_model,
    save_model,
)
from ..core.models import make_estimator
from ..core.texts import text
from .preprocess import FittedFeatures, build_preprocessor
from .splitting import cv_folds, cv_rows


@dataclass(frozen=True)
class TrainedModel:
    model: Pipeline
    cv: dict[str, dict[str, float]]
    path: Path


def build_model(schema: DatasetSchema, params: Params, threshold: float | None = None) -> Pipeline:
    """Features and estimator in one Pipeline: the saved object is the whole model. With
    a `threshold`, a two-class estimator predicts the positive class (the last in sorted
    order) from that probability of it on, instead of 0.5."""
    estimator = make_estimator(params.task, params.model.name, params.model.params, params.seed)
    if threshold is not None:
        estimator = FixedThresholdClassifier(
            estimator,
            threshold=threshold,
            pos_label=(schema.classes or [None])[-1],
            response_method="predict_proba",
        )
    return Pipeline(
        [("features", build_preprocessor(schema, params.features)), ("model", estimator)]
    )


def threshold_values(
    goal_document: Path, schema: DatasetSchema, params: Params
) -> dict[str, float] | None:
    """The business goal's values of a two-class answer when the decision threshold is
    chosen for them (model.decision_threshold: value); None when it is not."""
    two_classes = params.task == "classification" and len(schema.classes or []) == 2
    if not two_classes or params.model.decision_threshold != "value":
        return None
    if not goal_document.is_file():
        raise PipelineError(text("error.no_goal_for_threshold", path=goal_document))
    return load_goal(goal_document, schema.task).values_for(schema.task)


def decision_threshold(
    prepared: PreparedData, params: Params, rows: pd.DataFrame, worth: dict[str, float] | None
) -> float | None:
    """Two classes: the probability of the positive class the model predicts it from;
    None keeps the estimator's own (0.5). params.yaml's number, or with "value" the
    threshold that makes one answer worth the most by the goal's values (`worth`) over
    the cross-validation folds of `rows` (scikit-learn's TunedThresholdClassifierCV)."""
    classes = prepared.schema.classes or []
    if params.task != "classification" or len(classes) != 2:
        return None
    setting = params.model.decision_threshold
    if setting != "value":
        return float(setting)
    if worth is None:
        return None
    features, labels = prepared.features(rows), prepared.labels(rows)
    splitter, groups = cv_folds(prepared.schema, rows, params.cv_folds, params.seed)
    search = TunedThresholdClassifierCV(
        build_model(prepared.schema, params),
        scoring=value_scorer(classes[-1], worth),
        response_method="predict_proba",
        cv=list(splitter.split(features, labels, groups)),
        random_state=params.seed,
    )
    return float(search.fit(features, labels).best_threshold_)


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
    worth: dict[str, float] | None = None,
) -> TrainedModel:
    """Cross-validate, fit on the whole training split, save the model and its record.
    `preprocessor`: the preprocess stage's fitted feature pipeline, when it is current
    (stages/preprocess.py: fitted_preprocessor). `worth`: the business goal's values of a
    two-class answer, which a "value" decision threshold is chosen for."""
    validated = cv_rows(prepared, params)
    try:
        threshold = decision_threshold(prepared, params, validated, worth)
        model = build_model(prepared.schema, params, threshold)
        cv = cross_validate_model(model, validated, prepared, params)
        model = fit_on_training_split(model, prepared, preprocessor)
    except ValueError as exc:
        # sklearn validates hyper-parameter values at fit time.
        first_line = str(exc).splitlines()[0]
        message = text("error.model_refused", model=repr(params.model.name), detail=first_line)
        raise PipelineError(message) from exc
    model_path = out_dir / MODEL_FILE
    save_model(model, model_path)
    settings, libraries, code = params.model_dump(mode="json"), library_versions(), code_sha256()
    # The threshold chosen, not the values it was chosen for: other values that lead to
    # the same threshold make the same model.
    inputs = {**settings, "chosen_threshold": threshold}
    write_json(
        out_dir / TRAINING_FILE,
        {
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": params.model.name,
            "params": settings,
            "schema": prepared.schema.to_dict(),
            "cv": cv,
            "cv_rows": len(validated),
            "decision_threshold": threshold,
            "sha256": sha256_file(model_path),
            "libraries": libraries,
            "code_sha256": code,
            # The registry's "same model" test: the inputs, not the file's bytes.
            "fingerprint": model_fingerprint(inputs, prepared.schema.fingerprint, libraries, code),
            "example": input_example(model, prepared),
        },
    )
    return TrainedModel(model=model, cv=cv, path=model_path)


def load_candidate(candidate_dir: Path) -> tuple[Pipeline, dict[str, Any]]:
    """The model `train` wrote and its record, refusing a file that does not match it."""
    model_path = candidate_dir / MODEL_FILE
    record_path = candidate_dir / TRAINING_FILE
    if not model_path.is_file() or not record_path.is_file():
        raise PipelineError(text("error.run_first", path=model_path, stage="train"))
    record: dict[str, Any] = read_json(record_path)
    return load_verified_model(model_path, record.get("sha256"), str(record_path)), record
