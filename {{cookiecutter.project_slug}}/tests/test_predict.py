"""Batch prediction of a team's own file: identifiers passed through, blanks filled in,
chunks that add up to the whole, bad cells named, and nothing written on a failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.feedback import QUIET
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.bundle import (
    LoadedBundle,
    load_champion_bundle,
)
from {{ cookiecutter.module_name }}.stages.pipeline import STAGES
from {{ cookiecutter.module_name }}.stages.predict import (
    BatchProgress,
    predict_file,
)

from .conftest import ProjectFactory, sample_params, write_patients_csv
from .messages import says

GOALS = {
    "regression": "---\nmetric: rmse\ndirection: minimize\nthreshold: 10\nmust_beat: dummy\n---\n",
    "classification": (
        "---\nmetric: f1_macro\ndirection: maximize\nthreshold: 0.5\nmust_beat: dummy\n---\n"
    ),
}


def trained_on_patients(paths: ProjectPaths, task: str) -> LoadedBundle:
    """The champion of a project pointed at the patients table: the outcome for
    regression, or its text level (low / medium / high) for classification."""
    source = write_patients_csv(paths.root / "data/raw/patients.csv")
    target = "outcome"
    if task == "classification":
        table = pd.read_csv(source)
        bins = [-np.inf, *table["outcome"].quantile([0.4, 0.8]), np.inf]
        table["level"] = pd.cut(table["outcome"], bins, labels=["low", "medium", "high"])
        table.drop(columns="outcome").to_csv(source, index=False)
        target = "level"
    params = sample_params()
    params["task"] = task
    params["model"] = (
        {"name": "ridge", "params": {"alpha": 1.0}}
        if task == "regression"
        else {"name": "logistic", "params": {"C": 1.0, "max_iter": 1000}}
    )
    params["data"].update(source="data/raw/patients.csv", target=target, class_threshold=None)
    paths.params.write_text(yaml.safe_dump(params))
    paths.business_goal.write_text(GOALS[task])
    for stage in STAGES:
        stage.run(paths, QUIET)
    return load_champion_bundle(open_registry(paths))


@pytest.fixture(scope="module", params=["regression", "classification"])
def trained(
    request: pytest.FixtureRequest, make_project: ProjectFactory
) -> tuple[ProjectPaths, LoadedBundle]:
    paths = make_project()
    return paths, trained_on_patients(paths, request.param)


def rows_to_score(paths: ProjectPaths) -> pd.DataFrame:
    """The patients table as a file to score: no target, blanks left in."""
    table = pd.read_csv(paths.root / "data/raw/patients.csv", dtype={"patient_id": "string"})
    return table.drop(columns=["outcome", "level"], errors="ignore")


def test_every_row_is_scored_with_its_identifier(
    trained: tuple[ProjectPaths, LoadedBundle], tmp_path: Path
) -> None:
    paths, bundle = trained
    rows = rows_to_score(paths)
    assert rows[["bmi", "region"]].isna().any().all(), "the file must hold blanks"
    source = tmp_path / "to_score.csv"
    rows.to_csv(source, index=False)
    seen: list[BatchProgress] = []
    count = predict_file(bundle, source, tmp_path / "scored.csv", chunk_rows=64, report=seen.append)
    scored = pd.read_csv(tmp_path / "scored.csv", dtype={"patient_id": "string"})
    assert count == len(rows) == len(scored)
    assert scored["patient_id"].tolist() == rows["patient_id"].tolist()
    # The model itself on the whole table, read here without the batch code.
    expected = bundle.model.predict(rows[bundle.schema.features])
    if bundle.schema.task == "regression":
        assert scored["prediction"].to_numpy() == pytest.approx(expected)
    else:
        assert scored["prediction"].tolist() == expected.tolist()
        probabilities = scored[[f"probability_{label}" for label in bundle.model.classes_]]
        assert probabilities.sum(axis=1).to_numpy() == pytest.approx(1.0)
    # Progress after each chunk of 64 rows, ending at the whole file.
    assert [item.rows for item in seen] == [min(64 * (i + 1), len(rows)) for i in range(len(seen))]
    assert seen[-1].done == seen[-1].total


def test_parquet_in_and_out_match_csv(
    trained: tuple[ProjectPaths, LoadedBundle], tmp_path: Path
) -> None:
    paths, bundle = trained
    rows = rows_to_score(paths)
    rows.to_csv(tmp_path / "rows.csv", index=False)
    rows.to_parquet(tmp_path / "rows.parquet", index=False)
    predict_file(bundle, tmp_path / "rows.csv", tmp_path / "from_csv.parquet")
    predict_file(
        bundle, tmp_path / "rows.parquet", tmp_path / "from_parquet.parquet", chunk_rows=50
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "from_csv.parquet"),
        pd.read_parquet(tmp_path / "from_parquet.parquet"),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"bmi": {3: "heavy", 8: "inf"}},
            says(
                "error.unreadable_value",
                column="'bmi'",
                row=4,
                value="'heavy'",
                kind="numeric",
                others=1,
            ),
        ),
        (
            {"visit_date": {5: "next week"}},
            says(
                "error.unreadable_value",
                column="'visit_date'",
                row=6,
                value="'next week'",
                kind="dates",
                others=0,
            ),
        ),
        ({"age": None}, says("error.column_absent", column="'age'")),
    ],
)
def test_bad_cells_are_named_and_nothing_is_written(
    trained: tuple[ProjectPaths, LoadedBundle],
    tmp_path: Path,
    change: dict[str, Any],
    message: str,
) -> None:
    paths, bundle = trained
    rows = rows_to_score(paths).astype({"bmi": object, "visit_date": object})
    for column, cells in change.items():
        if cells is None:
            rows = rows.drop(columns=column)
        else:
            for index, value in cells.items():
                rows.loc[index, column] = value
    source = tmp_path / "rows.csv"
    rows.to_csv(source, index=False)
    previous = tmp_path / "scored.csv"
    previous.write_text("yesterday's predictions\n")
    with pytest.raises(PipelineError, match=message):
        predict_file(bundle, source, previous, chunk_rows=100)
    assert previous.read_text() == "yesterday's predictions\n"
    # No temporary file left behind either.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rows.csv", "scored.csv"]


def test_every_bad_column_is_named_at_once(
    trained: tuple[ProjectPaths, LoadedBundle], tmp_path: Path
) -> None:
    paths, bundle = trained
    rows = rows_to_score(paths).astype({"age": object}).drop(columns="region")
    rows.loc[2, "age"] = "old"
    rows.to_csv(tmp_path / "rows.csv", index=False)
    with pytest.raises(PipelineError) as error:
        predict_file(bundle, tmp_path / "rows.csv", tmp_path / "scored.csv")
    lines = str(error.value).splitlines()
    assert lines[0] == text("error.problems", path=tmp_path / "rows.csv", count=2)
    unreadable = text(
        "error.unreadable_value", column="'age'", row=3, value="'old'", kind="numeric", others=0
    )
    assert sorted(lines[1:]) == sorted(
        [f"  {text('error.column_absent', column=repr('region'))}", f"  {unreadable}"]
    )
