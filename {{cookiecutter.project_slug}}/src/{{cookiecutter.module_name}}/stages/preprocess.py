"""Stage 3, preprocess: the feature pipeline that lives inside the model.

Imputation, scaling, one-hot encoding and engineered features are fitted with the model
and saved with it, so prediction and serving apply exactly the transforms training used.
The stage also writes the transformed training split (or, above `cv_max_rows` rows, the
sample cross-validation uses), to inspect what the model sees.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from ..core.artifacts import atomic_path
from ..core.config import FeatureParams, Params
from ..core.dataset import DatasetSchema, PreparedData
from ..core.transformers import CalendarFeatures
from .splitting import cv_rows

PROCESSED_FILE = "train_features.parquet"


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


def preprocess(prepared: PreparedData, params: Params, out_dir: Path) -> pd.DataFrame:
    """Fit the feature pipeline on the training split, as the model's own copy is fitted
    in `train`, and write what it makes of the rows cross-validation uses (all of them,
    or `cv_max_rows` of a larger split), for a person to inspect."""
    rows = cv_rows(prepared, params)
    preprocessor = build_preprocessor(prepared.schema, params.features)
    preprocessor.fit(prepared.features(prepared.train))
    matrix = preprocessor.transform(prepared.features(rows))
    transformed = pd.DataFrame(matrix, columns=preprocessor.get_feature_names_out())
    transformed[prepared.schema.target] = prepared.labels(rows).to_numpy()
    with atomic_path(out_dir / PROCESSED_FILE) as temporary:
        transformed.to_parquet(temporary, index=False)
    return transformed
