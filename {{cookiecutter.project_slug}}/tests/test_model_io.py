from __future__ import annotations

import operator
from pathlib import Path

import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from {{ cookiecutter.module_name }}.core.artifacts import sha256_file
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import (
    MODEL_FILE,
    load_verified_model,
    save_model,
)
from {{ cookiecutter.module_name }}.core.transformers import CalendarFeatures

from .messages import says


def test_model_with_untrusted_types_is_refused_even_with_the_right_hash(tmp_path: Path) -> None:
    # A function from outside the trusted packages: a pickle would call whatever it names.
    steps = [("negate", FunctionTransformer(operator.neg)), ("model", LinearRegression())]
    path = save_model(Pipeline(steps), tmp_path / MODEL_FILE)
    trusted = "{{ cookiecutter.module_name }}, sklearn, numpy, scipy"
    untrusted = says("error.untrusted", trusted=trusted, types="_operator.neg")
    with pytest.raises(PipelineError, match=untrusted):
        load_verified_model(path, sha256_file(path), "test")


def test_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=says("error.hash", path=tmp_path / MODEL_FILE)):
        load_verified_model(tmp_path / MODEL_FILE, "0" * 64, "registry.json")


def test_model_with_the_projects_own_transformer_loads(tmp_path: Path) -> None:
    days = pd.DataFrame({"day": ["2020-01-01", "2020-07-01", "2021-01-01"]})
    model = Pipeline([("calendar", CalendarFeatures()), ("model", LinearRegression())])
    model.fit(days, [1.0, 2.0, 3.0])
    path = save_model(model, tmp_path / MODEL_FILE)
    loaded = load_verified_model(path, sha256_file(path), "test")
    assert loaded.predict(days) == pytest.approx(model.predict(days))
