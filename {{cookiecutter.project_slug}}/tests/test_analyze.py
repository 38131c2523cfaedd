from __future__ import annotations

import re

import pandas as pd

from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.stages.analyze import analyze, iqr_outliers
from {{ cookiecutter.module_name }}.stages.prepare import prepare

from .conftest import ParamsFactory, write_patients_csv

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_report_holds_real_numbers_and_figures(paths: ProjectPaths, prepared: PreparedData) -> None:
    report = paths.docs / "02_analysis_report.md"
    summary = analyze(prepared, report, paths.figures)
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
    summary = analyze(prepared, report, paths.figures)
    assert summary.constant == ["country"]
    assert summary.duplicates == [("bmi_again", "bmi")]
    written = report.read_text(encoding="utf-8")
    assert text("finding.constant", names="`country`", count=1) in written
    assert text("finding.duplicate", copy="bmi_again", original="bmi") in written
