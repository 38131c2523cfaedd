from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.dataset import DatasetSchema, PreparedData
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.stages.analyze import analyze, iqr_outliers
from {{ cookiecutter.module_name }}.stages.data_checks import (
    correlation_ratio,
    cramers_v,
    ks_distance,
    split_shift,
)
from {{ cookiecutter.module_name }}.stages.prepare import prepare

from .conftest import REGRESSION, ParamsFactory, write_patients_csv

PATIENTS = {"source": "patients.csv", "target": "outcome"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_report_holds_real_numbers_and_figures(paths: ProjectPaths, prepared: PreparedData) -> None:
    report = paths.docs / "02_analysis_report.md"
    summary = analyze(prepared, report, paths.analysis_figures)
    written = report.read_text()
    assert summary.rows == len(prepared.train)
    shape = text("finding.shape", rows=summary.rows, columns=10, numeric=10, categorical=0, dates=0)
    assert shape in written
    assert f"## {text('exercise')}" in written
    # ltg and bmi are the strongest single predictors in the diabetes study.
    assert set(list(summary.target_correlations)[:2]) == {"bmi", "ltg"}
    assert ("tc", "ldl") in {(a, b) for a, b, _ in summary.correlated_pairs}
    for link in re.findall(r"!\[[^]]*\]\(([^)]+)\)", written):
        figure = (report.parent / link).resolve()
        assert figure.read_bytes().startswith(PNG_SIGNATURE), link
    assert "TODO" not in written


def test_iqr_outliers_uses_tukey_fences() -> None:
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 100.0, None])
    assert iqr_outliers(values) == 1


def test_constant_and_repeated_columns_are_flagged(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    source = write_patients_csv(paths.root / "patients.csv")
    table = pd.read_csv(source)
    table["country"] = "NL"  # one value for every row
    table["bmi_again"] = table["bmi"]  # a copy, gaps included
    table["bmi_rounded"] = table["bmi"].round()  # close, but not a copy
    table.to_csv(source, index=False)
    params = make_params(data={"source": "patients.csv", "target": "outcome"})
    prepared = prepare(params, paths.root, paths.interim)
    report = paths.docs / "02_analysis_report.md"
    summary = analyze(prepared, report, paths.analysis_figures)
    assert summary.constant == ["country"]
    assert summary.duplicates == [("bmi_again", "bmi")]
    written = report.read_text(encoding="utf-8")
    assert text("finding.constant", names="`country`", count=1) in written
    assert text("finding.duplicate", copy="bmi_again", original="bmi") in written


def test_a_leaky_column_is_flagged_and_a_noise_column_is_not(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    source = write_patients_csv(paths.root / "patients.csv", rows=400)
    table = pd.read_csv(source)
    rng = np.random.default_rng(1)
    # Recorded after the outcome: the outcome itself, rounded, and its band as a code.
    table["outcome_recorded"] = table["outcome"].round(1)
    table["outcome_band"] = pd.cut(table["outcome"], 20, labels=False).map("band{}".format)
    table["noise"] = rng.normal(size=len(table))
    table["usually_ok"] = np.where(np.arange(len(table)) < 398, "ok", "bad")
    table = pd.concat([table, table.iloc[:7].assign(patient_id=range(1000, 1007))])
    table.to_csv(source, index=False)
    # A numeric target, whichever task the project was generated for.
    params = make_params(**{**REGRESSION, "data": {**PATIENTS, "class_threshold": None}})
    prepared = prepare(params, paths.root, paths.interim)
    report = paths.docs / "02_analysis_report.md"
    summary = analyze(prepared, report, paths.analysis_figures)
    assert [name for name, _ in summary.leakage] == ["outcome_recorded", "outcome_band"]
    assert abs(summary.target_ranks["noise"]) < 0.2
    train = prepared.train
    features = [*prepared.schema.features, "outcome"]
    assert summary.duplicate_rows == int(train[features].duplicated().sum()) > 0
    share = (train["usually_ok"] == "ok").mean()
    assert summary.near_constant == {"usually_ok": pytest.approx(share)}
    written = report.read_text(encoding="utf-8")
    assert text("finding.leakage", name="outcome_recorded", value=summary.leakage[0][1]) in written
    assert text("ask.analysis.leakage", name="outcome_band") in written


def regression_schema(numeric: list[str], categorical: list[str], rows: int) -> DatasetSchema:
    """The schema of a made-up table with the regression target `y`."""
    return DatasetSchema(
        source="table.csv",
        target="y",
        task="regression",
        numeric=numeric,
        categorical=categorical,
        fingerprint="0",
        rows=rows,
        dropped_rows_without_target=0,
    )


def test_spearman_sees_a_monotone_curve_that_pearson_underrates(paths: ProjectPaths) -> None:
    x = np.linspace(0, 10, 300)
    frame = pd.DataFrame({"x": x, "y": np.exp(x)})
    schema = regression_schema(numeric=["x"], categorical=[], rows=300)
    summary = analyze(
        PreparedData(frame, frame, schema), paths.docs / "a.md", paths.analysis_figures
    )
    assert summary.target_ranks["x"] == pytest.approx(1.0)
    assert summary.target_correlations["x"] < 0.75
    assert summary.shifted == {}


def test_association_and_distance_against_hand_computed_values() -> None:
    # A 2 x 2 table [[30, 10], [5, 55]]: Cramér's V is |ad - bc| / sqrt of the margins.
    left = pd.Series(["a"] * 40 + ["b"] * 60)
    right = pd.Series(["x"] * 30 + ["y"] * 10 + ["x"] * 5 + ["y"] * 55)
    expected = abs(30 * 55 - 10 * 5) / np.sqrt(40 * 60 * 35 * 65)
    assert cramers_v(left, right) == pytest.approx(expected)
    # Groups [1, 2, 3] and [7, 8, 9]: between-group sum of squares 54 of 58 in all.
    values = pd.Series([1.0, 2, 3, 7, 8, 9])
    groups = pd.Series(["g", "g", "g", "h", "h", "h"])
    assert correlation_ratio(values, groups) == pytest.approx(np.sqrt(54 / 58))
    # Cumulative shares of [1, 2, 3] and [2, 3, 4, 5] differ most at 1 (1/3 to 0) and at
    # 3 (1 against 1/2).
    assert ks_distance(np.array([1.0, 2, 3]), np.array([2.0, 3, 4, 5])) == pytest.approx(0.5)


def test_a_holdout_unlike_the_training_rows_is_reported() -> None:
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(0, 1, 2000), "c": rng.choice(["p", "q"], 2000),
                          "y": rng.normal(0, 1, 2000)})  # fmt: skip
    same = pd.DataFrame({"x": rng.normal(0, 1, 500), "c": rng.choice(["p", "q"], 500),
                         "y": rng.normal(0, 1, 500)})  # fmt: skip
    moved = same.assign(x=same["x"] + 0.5, c=rng.choice(["p", "q"], 500, p=[0.8, 0.2]))
    schema = regression_schema(numeric=["x"], categorical=["c"], rows=2500)
    assert split_shift(train, same, schema) == {}
    assert set(split_shift(train, moved, schema)) == {"x", "c"}
