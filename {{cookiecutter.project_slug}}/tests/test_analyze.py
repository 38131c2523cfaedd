from __future__ import annotations

import re

import pandas as pd

from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.stages.analyze import analyze, iqr_outliers

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
