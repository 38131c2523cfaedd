"""A regression's errors by range of the actual target, against sums done by hand."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.core.metrics import Predictions, range_errors


def test_errors_by_target_range_show_where_the_model_predicts_too_low() -> None:
    labels = np.arange(10, 101, 10, dtype=float)  # 10 ... 100: two rows per range
    offsets = np.array([2, 2, 0, 0, 0, 0, -5, -5, -10, -10], dtype=float)
    found = range_errors(labels, Predictions(labels + offsets, None, []), ranges=5)
    assert [(item.low, item.high, item.rows) for item in found] == [
        (10, 20, 2), (30, 40, 2), (50, 60, 2), (70, 80, 2), (90, 100, 2),
    ]  # fmt: skip
    assert [item.bias for item in found] == pytest.approx([2, 0, 0, -5, -10])
    assert [item.mae for item in found] == pytest.approx([2, 0, 0, 5, 10])


def test_a_target_of_few_values_gets_fewer_ranges() -> None:
    labels = np.array([1.0] * 8 + [2.0] * 2)
    found = range_errors(labels, Predictions(labels, None, []), ranges=5)
    assert sum(item.rows for item in found) == len(labels)
    assert len(found) < 5
