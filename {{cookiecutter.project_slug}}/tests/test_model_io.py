from __future__ import annotations

import operator
from pathlib import Path

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


def test_model_with_untrusted_types_is_refused_even_with_the_right_hash(tmp_path: Path) -> None:
    # A function from outside the trusted packages: a pickle would call whatever it names.
    steps = [("negate", FunctionTransformer(operator.neg)), ("model", LinearRegression())]
    path = save_model(Pipeline(steps), tmp_path / MODEL_FILE)
    with pytest.raises(PipelineError, match=r"types outside sklearn, numpy, scipy: _operator\.neg"):
        load_verified_model(path, sha256_file(path), "test")


def test_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=f"{tmp_path / MODEL_FILE} is missing"):
        load_verified_model(tmp_path / MODEL_FILE, "0" * 64, "registry.json")
