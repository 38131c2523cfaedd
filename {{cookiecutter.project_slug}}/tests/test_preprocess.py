from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.preprocess import (
    PROCESSED_FILE,
    build_preprocessor,
    preprocess,
)

from .conftest import ParamsFactory, write_patients_csv


def test_missing_values_and_categories_become_numbers(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(
        data={"source": "patients.csv", "target": "outcome", "drop": ["patient_id"]}
    )
    prepared = prepare(params, paths.root, paths.interim)
    transformed = preprocess(prepared, params.features, paths.processed)
    written = pd.read_parquet(paths.processed / PROCESSED_FILE)
    pd.testing.assert_frame_equal(transformed, written)
    features = transformed.drop(columns="outcome")
    assert not features.isna().any().any()
    assert "numeric__missingindicator_bmi" in features.columns
    assert {"categorical__smoker_yes", "categorical__region_north"} <= set(features.columns)


def test_unseen_category_and_missing_value_at_prediction(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(
        data={"source": "patients.csv", "target": "outcome", "drop": ["patient_id"]}
    )
    prepared = prepare(params, paths.root, paths.interim)
    preprocessor = build_preprocessor(prepared.schema, params.features)
    preprocessor.fit(prepared.features(prepared.train))
    new_rows = pd.DataFrame(
        {"age": [40.0], "bmi": [np.nan], "smoker": ["yes"], "region": ["atlantis"]}
    )
    out = preprocessor.transform(new_rows)
    assert np.isfinite(out).all()


def test_interactions_add_pairwise_products(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    plain = make_params()
    prepared = prepare(plain, paths.root, paths.interim)
    width = (
        build_preprocessor(prepared.schema, plain.features)
        .fit_transform(prepared.features(prepared.train))
        .shape[1]
    )
    with_pairs = make_params(features={"interactions": True})
    wider = (
        build_preprocessor(prepared.schema, with_pairs.features)
        .fit_transform(prepared.features(prepared.train))
        .shape[1]
    )
    assert wider == width + width * (width - 1) // 2
