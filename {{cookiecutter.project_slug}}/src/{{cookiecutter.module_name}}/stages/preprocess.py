"""Stage 3, preprocess: the feature pipeline that lives inside the model.

Imputation, scaling, one-hot encoding and engineered features are fitted with the model
and saved with it, so prediction and serving apply exactly the transforms training used.
The stage also writes the transformed training split (or, above `cv_max_rows` rows, the
sample cross-validation uses), to inspect what the model sees, and keeps the fitted
feature pipeline, which `train` reuses while it is current (and, in the same process, as
in `run`, its output on the training split too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from ..core.artifacts import atomic_path, read_json, sha256_file, write_json
from ..core.config import FeatureParams, Params
from ..core.dataset import DatasetSchema, PreparedData
from ..core.errors import PipelineError
from ..core.model_io import library_versions, load_verified, save_model
from ..core.transformers import CalendarFeatures
from .splitting import cv_rows

PROCESSED_FILE = "train_features.parquet"
# The fitted feature pipeline, and what it was fitted on (train reuses it only if that
# is still what it would fit on).
PREPROCESSOR_FILE = "preprocessor.skops"
PREPROCESSOR_RECORD = "preprocessor.json"
# The output of the last feature pipeline kept in this process on its training split, by
# the kept file's hash: `train` in the same `run` need not transform 800,000 rows again.
_training_outputs: dict[str, np.ndarray] = {}


@dataclass(frozen=True)
class FittedFeatures:
    """A kept feature pipeline and, when this process fitted it, its output on the
    training split: `train` fits the estimator on that output, as Pipeline.fit does."""

    pipeline: ColumnTransformer
    training_output: np.ndarray | None = None


def numeric_steps(features: FeatureParams) -> Pipeline:
    steps: list[tuple[str, object]] = [
        # Missingness itself can be informative, so keep an indicator column for it.
        ("impute", SimpleImputer(strategy="median", add_indicator=True)),
        ("scale", StandardScaler()),
    ]
    if features.interactions:
        steps.append(
            ("interactions", PolynomialFeatures(interaction_only=True, include_bias=False))
        )
    return Pipeline(steps)


def categorical_steps() -> Pipeline:
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
            # Categories never seen in training become all-zero rows instead of errors;
            # rare ones (under 1% of rows) share one column so the model does not overfit.
            (
                "one_hot",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=0.01, sparse_output=False
                ),
            ),
        ]
    )


def date_steps() -> Pipeline:
    # Calendar numbers rather than categories: a date never seen in training (every
    # future one) is scored like any other, and the model can learn season and trend.
    return Pipeline(
        [
            ("calendar", CalendarFeatures()),
            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
            ("scale", StandardScaler()),
        ]
    )


def build_preprocessor(schema: DatasetSchema, features: FeatureParams) -> ColumnTransformer:
    """The unfitted column transformer for the schema's numeric, categorical and date
    columns; identifier columns are not features and never reach it."""
    transformers: list[tuple[str, Pipeline, list[str]]] = []
    if schema.numeric:
        transformers.append(("numeric", numeric_steps(features), schema.numeric))
    if schema.categorical:
        transformers.append(("categorical", categorical_steps(), schema.categorical))
    if schema.dates:
        transformers.append(("dates", date_steps(), schema.dates))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=True)


def preprocess(
    prepared: PreparedData, params: Params, out_dir: Path, train_file: Path | None = None
) -> pd.DataFrame:
    """Fit the feature pipeline on the training split, as the model's own copy is fitted
    in `train`, and write what it makes of the rows cross-validation uses (all of them,
    or `cv_max_rows` of a larger split), for a person to inspect. With `train_file` (the
    split as prepare wrote it), the fitted pipeline is kept for `train`."""
    rows = cv_rows(prepared, params)
    preprocessor = build_preprocessor(prepared.schema, params.features)
    training_output = preprocessor.fit_transform(prepared.features(prepared.train))
    matrix = preprocessor.transform(prepared.features(rows))
    transformed = pd.DataFrame(matrix, columns=preprocessor.get_feature_names_out())
    transformed[prepared.schema.target] = prepared.labels(rows).to_numpy()
    with atomic_path(out_dir / PROCESSED_FILE) as temporary:
        transformed.to_parquet(temporary, index=False)
    if train_file is not None:
        inputs = fitted_on(train_file, prepared.schema, params)
        kept_sha256 = keep_preprocessor(preprocessor, inputs, out_dir)
        _training_outputs.clear()
        _training_outputs[kept_sha256] = training_output
    return transformed


def fitted_on(train_file: Path, schema: DatasetSchema, params: Params) -> dict[str, Any]:
    """What a fitted feature pipeline depends on: the training rows (their file's hash),
    the column kinds, the feature settings, the steps and settings this code builds from
    them (edited steps make a kept pipeline stale) and the library versions."""
    return {
        "train_sha256": sha256_file(train_file),
        "schema": schema.to_dict(),
        "features": params.features.model_dump(mode="json"),
        "steps": step_settings(build_preprocessor(schema, params.features)),
        "libraries": library_versions(),
    }


def step_settings(preprocessor: ColumnTransformer) -> dict[str, str]:
    """Every step of the unfitted pipeline by name, as its class, and every setting as
    its value: "numeric__scale" -> "StandardScaler", "numeric__impute__strategy" ->
    "'median'". The lists of steps are left out; their names and classes are here."""
    return {
        name: type(value).__name__ if isinstance(value, BaseEstimator) else repr(value)
        for name, value in sorted(preprocessor.get_params(deep=True).items())
        if not isinstance(value, list)
    }


def keep_preprocessor(
    preprocessor: ColumnTransformer, inputs: dict[str, Any], out_dir: Path
) -> str:
    """Save the fitted pipeline and its record; returns the saved file's hash."""
    path = save_model(preprocessor, out_dir / PREPROCESSOR_FILE)
    sha256 = sha256_file(path)
    write_json(out_dir / PREPROCESSOR_RECORD, {"sha256": sha256, "fitted_on": inputs})
    return sha256


def fitted_preprocessor(
    processed_dir: Path, train_file: Path, schema: DatasetSchema, params: Params
) -> FittedFeatures | None:
    """The feature pipeline the preprocess stage fitted, if it was fitted on exactly this
    training split with these settings and steps; None otherwise (not run, or run before
    the data, params.yaml or the code building the steps changed, or a kept file was
    altered), and `train` fits the features itself."""
    record_path = processed_dir / PREPROCESSOR_RECORD
    if not record_path.is_file() or not train_file.is_file():
        return None
    try:
        record = read_json(record_path)
    except ValueError:
        return None  # a damaged record: fit afresh
    if not isinstance(record, dict) or record.get("fitted_on") != fitted_on(
        train_file, schema, params
    ):
        return None
    try:
        preprocessor: ColumnTransformer = load_verified(
            processed_dir / PREPROCESSOR_FILE, record.get("sha256"), str(record_path)
        )
    except PipelineError:
        return None  # a changed or missing file: fit afresh rather than trust it
    return FittedFeatures(preprocessor, _training_outputs.get(record["sha256"]))
