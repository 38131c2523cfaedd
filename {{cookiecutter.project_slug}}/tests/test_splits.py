"""Random, group and time splits: the holdout and the cross-validation folds never mix
what the split keeps apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.splitting import cv_folds, cv_rows
from {{ cookiecutter.module_name }}.stages.train import train

from .conftest import REGRESSION, ParamsFactory, write_patients_csv
from .messages import says

# The patients table's outcome, predicted as a number whatever task the project has.
PATIENTS = {"source": "patients.csv", "target": "outcome", "class_threshold": None}


def with_clinics(source: Path) -> None:
    """Each patient seen at one of 30 clinics: the group a model must generalise over."""
    table = pd.read_csv(source)
    table["clinic"] = [f"clinic {index % 30}" for index in range(len(table))]
    table.to_csv(source, index=False)


def test_group_split_keeps_each_group_on_one_side(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    with_clinics(write_patients_csv(paths.root / "patients.csv"))
    params = make_params(
        task="regression",
        model=REGRESSION["model"],
        data={**PATIENTS, "split": "group", "split_column": "clinic"},
    )
    prepared = prepare(params, paths.root, paths.interim)
    assert not set(prepared.train["clinic"]) & set(prepared.holdout["clinic"])
    assert prepared.holdout["clinic"].nunique() >= 3
    splitter, groups = cv_folds(prepared.schema, prepared.train, params.cv_folds, params.seed)
    assert groups is not None
    features = prepared.features(prepared.train)
    labels = prepared.labels(prepared.train)
    for fit_rows, check_rows in splitter.split(features, labels, groups):
        assert not set(groups.iloc[fit_rows]) & set(groups.iloc[check_rows])
    assert train(prepared, params, paths.candidate).cv["rmse"]["mean"] > 0


def test_a_group_split_cross_validates_on_whole_groups_when_sampled(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    with_clinics(write_patients_csv(paths.root / "patients.csv", rows=600))
    params = make_params(
        task="regression",
        model=REGRESSION["model"],
        data={**PATIENTS, "split": "group", "split_column": "clinic"},
        cv_max_rows=100,
    )
    prepared = prepare(params, paths.root, paths.interim)
    rows = cv_rows(prepared, params)
    sizes = prepared.train["clinic"].value_counts()
    kept = rows["clinic"].value_counts()
    assert (kept == sizes[kept.index]).all()  # every kept clinic with all its rows
    assert kept.size >= params.cv_folds
    assert 100 <= len(rows) < 100 + sizes.max()
    assert rows.index.is_monotonic_increasing
    assert train(prepared, params, paths.candidate).cv["rmse"]["mean"] > 0


def test_time_split_holds_out_the_latest_rows_and_never_looks_ahead(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    params = make_params(
        task="regression",
        model=REGRESSION["model"],
        data={**PATIENTS, "split": "time", "split_column": "visit_date"},
    )
    prepared = prepare(params, paths.root, paths.interim)
    assert prepared.holdout["visit_date"].min() >= prepared.train["visit_date"].max()
    assert len(prepared.holdout) == round(0.2 * (len(prepared.train) + len(prepared.holdout)))
    splitter, groups = cv_folds(prepared.schema, prepared.train, params.cv_folds, params.seed)
    assert groups is None
    dates = prepared.train["visit_date"].to_numpy()
    for fit_rows, check_rows in splitter.split(dates):
        assert dates[fit_rows].max() <= dates[check_rows].min()
    assert np.isfinite(train(prepared, params, paths.candidate).cv["rmse"]["mean"])
    # A sample for cross-validation keeps time order, so folds still never look ahead.
    sampled = cv_rows(prepared, params.model_copy(update={"cv_max_rows": 100}))
    assert sampled["visit_date"].is_monotonic_increasing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"split": "group"}, says("error.split_needs_column", split="'group'")),
        ({"split_column": "clinic"}, says("error.split_column_unused")),
        ({"split": "time", "split_column": "outcome"}, says("error.split_column_is_target")),
    ],
)
def test_a_split_names_its_column(
    make_params: ParamsFactory, data: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_params(data={"source": "patients.csv", "target": "outcome", **data})


def test_the_split_column_must_be_in_the_file(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "patients.csv")
    data = {"source": "patients.csv", "target": "outcome", "split": "time", "split_column": "when"}
    params = make_params(data=data)
    with pytest.raises(PipelineError, match=says("error.no_split_column", column="'when'")):
        prepare(params, paths.root, paths.interim)
