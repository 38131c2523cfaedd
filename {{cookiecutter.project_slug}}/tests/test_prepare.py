from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import as_text, load_prepared
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.feedback import QUIET
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.pipeline import STAGES, run_prepare
from {{ cookiecutter.module_name }}.stages.prepare import prepare

from .conftest import ParamsFactory, write_patients_csv
from .messages import ending, says


def test_diabetes_split_is_reproducible(paths: ProjectPaths, task_params: Params) -> None:
    first = prepare(task_params, paths.root, paths.interim)
    assert len(first.train) + len(first.holdout) == 442
    # scikit-learn rounds the holdout size up.
    assert len(first.holdout) == math.ceil(442 * task_params.data.holdout_fraction)
    assert first.schema.numeric == [
        "age",
        "sex",
        "bmi",
        "bp",
        "tc",
        "ldl",
        "hdl",
        "tch",
        "ltg",
        "glu",
    ]
    again = load_prepared(paths.interim)
    pd.testing.assert_frame_equal(first.train, again.train)
    assert again.schema == first.schema


def test_the_stages_of_one_process_share_the_splits_and_leave_them_as_read(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    """`run` reads the splits once for every stage: none may modify them in place, and a
    new prepare is read anew."""
    run_prepare(paths)
    shared = load_prepared(paths.interim)
    assert load_prepared(paths.interim) is shared
    before = [
        pd.util.hash_pandas_object(frame).to_numpy() for frame in (shared.train, shared.holdout)
    ]
    for stage in STAGES:
        if stage.name in {"analyze", "preprocess", "train", "evaluate"}:
            stage.run(paths, QUIET)
    assert load_prepared(paths.interim) is shared
    after = [
        pd.util.hash_pandas_object(frame).to_numpy() for frame in (shared.train, shared.holdout)
    ]
    for was, now in zip(before, after, strict=True):
        np.testing.assert_array_equal(was, now)
    prepare(make_params(seed=8), paths.root, paths.interim)
    reread = load_prepared(paths.interim)
    assert reread is not shared
    assert not reread.holdout.equals(shared.holdout)


def test_the_same_seed_splits_the_same_rows_and_another_seed_does_not(
    paths: ProjectPaths, task_params: Params
) -> None:
    # Two independent runs into two folders: the split depends on the seed alone.
    first = prepare(task_params, paths.root, paths.root / "first")
    second = prepare(task_params, paths.root, paths.root / "second")
    pd.testing.assert_frame_equal(first.train, second.train)
    pd.testing.assert_frame_equal(first.holdout, second.holdout)
    assert first.schema.fingerprint == second.schema.fingerprint
    reseeded = prepare(
        task_params.model_copy(update={"seed": task_params.seed + 1}),
        paths.root,
        paths.root / "reseeded",
    )
    assert not first.holdout.equals(reseeded.holdout)


def test_classification_threshold_comes_from_training_split(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    from .conftest import CLASSIFICATION

    params = make_params(**CLASSIFICATION)
    regression = prepare(
        make_params(
            task="regression", data={"class_threshold": None}, model={"name": "ridge", "params": {}}
        ),
        paths.root,
        paths.root / "regression",
    )
    classified = prepare(params, paths.root, paths.interim)
    assert classified.schema.class_threshold == regression.train["progression"].median()
    assert classified.schema.classes == [0, 1]
    assert set(classified.holdout["progression"]) == {0, 1}


def test_csv_with_categories_and_missing_values(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "data/raw/patients.csv")
    params = make_params(data={"source": "data/raw/patients.csv", "target": "outcome"})
    prepared = prepare(params, paths.root, paths.interim)
    assert prepared.schema.numeric == ["age", "bmi"]
    assert prepared.schema.categorical == ["smoker", "region"]
    assert prepared.schema.dates == ["visit_date"]
    assert prepared.schema.identifiers == ["patient_id"]
    assert "patient_id" not in prepared.train.columns
    assert pd.api.types.is_datetime64_any_dtype(prepared.train["visit_date"])
    assert str(prepared.train["visit_date"].dt.tz) == "UTC"
    assert prepared.schema.dropped_rows_without_target == 5
    assert len(prepared.train) + len(prepared.holdout) == 235


def column_kinds(
    paths: ProjectPaths, make_params: ParamsFactory, frame: pd.DataFrame, **data: object
) -> dict[str, list[str]]:
    """The kind prepare gives each column of `frame` (target "y"), with params `data`."""
    frame.to_csv(paths.root / "table.csv", index=False)
    params = make_params(
        task="regression",
        data={"source": "table.csv", "target": "y", "class_threshold": None, **data},
        model={"name": "ridge", "params": {}},
    )
    schema = prepare(params, paths.root, paths.interim).schema
    kinds = ("numeric", "categorical", "dates", "identifiers")
    return {kind: getattr(schema, kind) for kind in kinds}


def test_column_kinds_are_inferred_from_values_and_names(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    rows = 60
    frame = pd.DataFrame(
        {
            "order_id": [f"A{index:04d}" for index in range(rows)],  # named like an id
            "customerID": range(1000, 1000 + rows),  # whole numbers, all distinct
            "ticket": [f"t-{index * 7919 % 10007}" for index in range(rows)],  # near-unique text
            "when": [f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}" for index in range(rows)],
            "stamp": [f"2024-03-01T{index % 24:02d}:30:00+09:00" for index in range(rows)],
            "size": ["S", "M", "L"] * (rows // 3),
            "score": [index / 7 for index in range(rows)],  # distinct floats are numbers
            "row": range(rows),  # distinct, but not named like an id: a number
            "y": [float(index % 5) for index in range(rows)],
        }
    )
    assert column_kinds(paths, make_params, frame) == {
        "numeric": ["score", "row"],
        "categorical": ["size"],
        "dates": ["when", "stamp"],
        "identifiers": ["order_id", "customerID", "ticket"],
    }


def test_params_override_the_inferred_kinds(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    rows = 30
    frame = pd.DataFrame(
        {
            "visit_id": range(rows),
            "day": [f"{1 + index % 28:02d}/01/2024" for index in range(rows)],  # not ISO
            "grade": [1, 2, 3] * (rows // 3),
            "y": [float(index) for index in range(rows)],
        }
    )
    kinds = column_kinds(
        paths, make_params, frame, categorical=["grade", "visit_id"], dates=["day"]
    )
    assert kinds == {
        "numeric": [],
        "categorical": ["visit_id", "grade"],
        "dates": ["day"],
        "identifiers": [],
    }


PATIENTS = ending("patients.csv")
TWICE = says("error.repeated_column", where=PATIENTS, column="'a'", count=2)


@pytest.mark.parametrize(
    ("content", "data", "message"),
    [
        (None, {}, says("error.source_not_found", path=PATIENTS)),
        ("", {}, says("error.empty", path=PATIENTS)),
        ("a,b,outcome\n", {}, says("error.no_rows", path=PATIENTS)),
        ("a,b\n1,2\n", {}, says("error.no_target", where=PATIENTS, target="'outcome'")),
        ("a,outcome\n1,high\n2,low\n", {}, says("error.target_not_numeric", target="'outcome'")),
        ("a,b,outcome\n1,,3\n2,,4\n", {}, says("error.empty_column", where=PATIENTS, column="'b'")),
        # pandas would keep the copy as "a.1" (or both " a" and "a") and train on it.
        ("a,b,a,outcome\n1,2,3,4\n", {}, TWICE),
        ("a, a,outcome\n1,2,4\n", {}, TWICE),
        (
            "a,outcome\n1,2\n",
            {"categorical": ["zz"]},
            says("error.no_column", column="'zz'", setting="categorical"),
        ),
        (
            "a,day,outcome\n1,2024-01-02,2\n2,soon,3\n",
            {"dates": ["day"]},
            says("error.not_of_kind", column="'day'", kind="dates", value="'soon'"),
        ),
    ],
)
def test_bad_data_is_named(
    paths: ProjectPaths,
    make_params: ParamsFactory,
    content: str | None,
    data: dict[str, object],
    message: str,
) -> None:
    source = paths.root / "patients.csv"
    if content is not None:
        source.write_text(content)
    params = make_params(
        task="regression",
        data={"source": "patients.csv", "target": "outcome", "class_threshold": None, **data},
        model={"name": "ridge", "params": {}},
    )
    with pytest.raises(PipelineError, match=message) as error:
        prepare(params, paths.root, paths.interim)
    assert "\n" not in str(error.value)
    assert not paths.interim.exists(), "a failed prepare must not write anything"


def test_unsupported_file_type(paths: ProjectPaths, make_params: ParamsFactory) -> None:
    Path(paths.root / "data.xlsx").write_bytes(b"PK")
    params = make_params(data={"source": "data.xlsx"})
    unsupported = says("error.file_type", path=ending("data.xlsx"), suffix="'.xlsx'")
    with pytest.raises(PipelineError, match=unsupported):
        prepare(params, paths.root, paths.interim)


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["north", None, "south"], dtype="str"),
        pd.Series(["north", None, "south"], dtype=object),
        pd.Series([1, "b", None, True], dtype=object),
        pd.Series(np.array([0.1, np.nan, 3], dtype=np.float32)),
    ],
    ids=["text", "text-objects", "mixed", "float32"],
)
def test_categories_become_the_text_of_each_value_with_gaps_as_nan(values: pd.Series) -> None:
    converted = as_text(values)
    assert converted.dtype == object
    expected = [None if pd.isna(value) else str(value) for value in values]
    assert [None if pd.isna(value) else value for value in converted] == expected
