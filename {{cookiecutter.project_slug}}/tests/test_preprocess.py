from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import TRAIN_FILE, PreparedData
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.transformers import (
    CALENDAR_PARTS,
    CalendarFeatures,
)
from {{ cookiecutter.module_name }}.stages import preprocess as preprocess_module
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.preprocess import (
    PREPROCESSOR_FILE,
    PREPROCESSOR_RECORD,
    PROCESSED_FILE,
    FittedFeatures,
    build_preprocessor,
    fitted_preprocessor,
    preprocess,
)
from {{ cookiecutter.module_name }}.stages.splitting import cv_rows
from {{ cookiecutter.module_name }}.stages.train import train

from .conftest import ParamsFactory, write_patients_csv

EPOCH = date(1970, 1, 1)


def test_missing_values_and_categories_become_numbers(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(data={"source": "patients.csv", "target": "outcome"})
    prepared = prepare(params, paths.root, paths.interim)
    transformed = preprocess(prepared, params, paths.processed)
    written = pd.read_parquet(paths.processed / PROCESSED_FILE)
    pd.testing.assert_frame_equal(transformed, written)
    features = transformed.drop(columns="outcome")
    assert not features.isna().any().any()
    assert "numeric__missingindicator_bmi" in features.columns
    assert {"categorical__smoker_yes", "categorical__region_north"} <= set(features.columns)
    assert {"dates__visit_date_month", "dates__visit_date_epoch_days"} <= set(features.columns)
    assert not any("patient_id" in name for name in features.columns)


def test_unseen_category_and_missing_value_at_prediction(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(data={"source": "patients.csv", "target": "outcome"})
    prepared = prepare(params, paths.root, paths.interim)
    preprocessor = build_preprocessor(prepared.schema, params.features)
    preprocessor.fit(prepared.features(prepared.train))
    new_rows = pd.DataFrame(
        {
            "age": [40.0, 50.0],
            "bmi": [np.nan, 30.0],
            "smoker": ["yes", None],
            "region": ["atlantis", "north"],
            "visit_date": ["2031-06-30", None],  # years after the last training date
        }
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


def test_dates_become_calendar_numbers() -> None:
    values = pd.Series(["2016-01-05", "2024-02-29T18:45:00+00:00", None, "5 March 2021"])
    parts = CalendarFeatures().fit(values.to_frame("day")).transform(values.to_frame("day"))
    assert parts.shape == (4, len(CALENDAR_PARTS))
    expected = [
        # year, month, day, weekday (Monday 0), hour, days since 1970-01-01
        [2016, 1, 5, date(2016, 1, 5).weekday(), 0, (date(2016, 1, 5) - EPOCH).days],
        [2024, 2, 29, date(2024, 2, 29).weekday(), 18, (date(2024, 2, 29) - EPOCH).days + 0.78125],
        [np.nan] * len(CALENDAR_PARTS),
        [2021, 3, 5, date(2021, 3, 5).weekday(), 0, (date(2021, 3, 5) - EPOCH).days],
    ]
    np.testing.assert_allclose(parts, np.asarray(expected, dtype=float))
    names = CalendarFeatures().fit(values.to_frame("day")).get_feature_names_out()
    assert list(names) == [f"day_{part}" for part in CALENDAR_PARTS]


def test_the_inspection_file_holds_the_cross_validation_sample_of_a_large_split(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(data={"source": "patients.csv", "target": "outcome"}, cv_max_rows=100)
    prepared = prepare(params, paths.root, paths.interim)
    written = preprocess(prepared, params, paths.processed)
    sampled = cv_rows(prepared, params)
    assert 99 <= len(written) == len(sampled) <= 101  # rounded class by class
    assert len(prepared.train) > 150
    assert written["outcome"].tolist() == sampled["outcome"].tolist()


PATIENTS = {"source": "patients.csv", "target": "outcome"}


@pytest.fixture
def preprocessed(paths: ProjectPaths, make_params: ParamsFactory) -> tuple[PreparedData, Params]:
    """A team's table prepared and preprocessed as `run` does, the fitted features kept."""
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(data=PATIENTS)
    prepared = prepare(params, paths.root, paths.interim)
    preprocess(prepared, params, paths.processed, paths.interim / TRAIN_FILE)
    return prepared, params


def kept_for(paths: ProjectPaths, prepared: PreparedData, params: Params) -> object:
    train_file = paths.interim / TRAIN_FILE
    return fitted_preprocessor(paths.processed, train_file, prepared.schema, params)


def test_train_reuses_the_fitted_features_and_gets_the_same_model(
    paths: ProjectPaths, preprocessed: tuple[PreparedData, Params]
) -> None:
    prepared, params = preprocessed
    kept = fitted_preprocessor(paths.processed, paths.interim / TRAIN_FILE, prepared.schema, params)
    assert kept is not None
    # Fitted in this process, as in `run`: its output on the training split comes along.
    assert kept.training_output is not None
    assert kept.training_output.shape[0] == len(prepared.train)
    fitted = train(prepared, params, paths.root / "fitted").model
    holdout = prepared.features(prepared.holdout)
    # With that output, and (as in a later process) transforming the split again.
    for reusing in (kept, FittedFeatures(kept.pipeline)):
        reused = train(prepared, params, paths.root / "reused", reusing).model
        assert reused.named_steps["features"] is kept.pipeline
        np.testing.assert_allclose(reused.predict(holdout), fitted.predict(holdout), rtol=1e-12)


def test_a_fitted_feature_pipeline_of_other_data_or_settings_is_not_reused(
    paths: ProjectPaths,
    preprocessed: tuple[PreparedData, Params],
    make_params: ParamsFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prepared, params = preprocessed
    assert kept_for(paths, prepared, params) is not None
    other_features = make_params(data=PATIENTS, features={"interactions": True})
    assert kept_for(paths, prepared, other_features) is None
    # The code that builds the steps edited since (here: rare categories at 5%).
    with monkeypatch.context() as patch:
        edited = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05)
        patch.setattr(
            preprocess_module, "categorical_steps", lambda: Pipeline([("one_hot", edited)])
        )
        assert kept_for(paths, prepared, params) is None
    assert kept_for(paths, prepared, params) is not None
    # Other rows in the training split (prepare ran again with another seed).
    prepare(make_params(data=PATIENTS, seed=7), paths.root, paths.interim)
    assert kept_for(paths, prepared, params) is None
    # The same rows again, but the kept file changed: not loaded, fitted afresh instead.
    prepare(params, paths.root, paths.interim)
    assert kept_for(paths, prepared, params) is not None
    with (paths.processed / PREPROCESSOR_FILE).open("ab") as handle:
        handle.write(b"\0")
    assert kept_for(paths, prepared, params) is None
    (paths.processed / PREPROCESSOR_RECORD).write_text("{", encoding="utf-8")
    assert kept_for(paths, prepared, params) is None
