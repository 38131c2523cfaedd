"""Permutation importance on the holdout: a feature the target depends on comes first,
a feature of pure noise scores about nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }}.core.dataset import load_prepared
from {{ cookiecutter.module_name }}.core.metrics import (
    Predictions,
    block_scores,
    task_scores,
)
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.checks import permutation_importances
from {{ cookiecutter.module_name }}.stages.pipeline import run_prepare, run_train
from {{ cookiecutter.module_name }}.stages.train import load_candidate


def signal_and_noise(path: Path, rows: int = 400) -> Path:
    generator = np.random.default_rng(0)
    signal, noise = generator.normal(0, 1, rows), generator.normal(0, 1, rows)
    outcome = 10 * signal + generator.normal(0, 1, rows)
    pd.DataFrame({"signal": signal, "noise": noise, "outcome": outcome}).to_csv(path, index=False)
    return path


def test_the_signal_comes_first_and_noise_scores_about_nothing(paths: ProjectPaths) -> None:
    signal_and_noise(paths.root / "table.csv")
    params = yaml.safe_load(paths.params.read_text())
    params |= {"task": "regression", "data": {"source": "table.csv", "target": "outcome"}}
    params["model"] = {"name": "ridge", "params": {"alpha": 1.0}}
    paths.params.write_text(yaml.safe_dump(params))
    run_prepare(paths)
    run_train(paths)
    model, _ = load_candidate(paths.candidate)
    found = permutation_importances(model, load_prepared(paths.interim), "rmse", seed=0)
    assert [item.feature for item in found] == ["signal", "noise"]
    signal, noise = found
    # Shuffling the signal costs about its whole effect in RMSE (sqrt(2) x 10 here).
    assert signal.drop == pytest.approx(np.sqrt(2 * 10**2 + 1) - 1, rel=0.25)
    assert abs(noise.drop) < 0.05 * signal.drop


def blocks_of_answers(
    task: str, classes: int, rows: int, blocks: int
) -> tuple[np.ndarray, Predictions]:
    """Labels, and `blocks` different sets of answers for them stacked end to end."""
    generator = np.random.default_rng(3)
    if task == "regression":
        labels = generator.normal(100, 30, rows)
        values = np.tile(labels, blocks) + generator.normal(0, 20, rows * blocks)
        return labels, Predictions(values, None, [])
    names = ["high", "low", "mid"][:classes]
    labels = generator.choice(names, rows)
    probabilities = generator.dirichlet(np.ones(classes), rows * blocks)
    values = np.array(names)[probabilities.argmax(axis=1)]
    return labels, Predictions(values, probabilities, names)


@pytest.mark.parametrize(
    ("task", "classes"), [("regression", 0), ("classification", 2), ("classification", 3)]
)
def test_scores_of_stacked_answers_are_each_blocks_own(task: str, classes: int) -> None:
    """Importance scores shuffled copies predicted in one call; each copy's score must be
    what scikit-learn's metrics give for that copy alone."""
    rows, blocks = 60, 4
    labels, stacked = blocks_of_answers(task, classes, rows, blocks)
    for metric in task_scores(labels, stacked.take(np.arange(rows))):
        found = block_scores(labels, stacked, metric, blocks)
        expected = [
            task_scores(labels, stacked.take(np.arange(block * rows, (block + 1) * rows)))[metric]
            for block in range(blocks)
        ]
        assert found == pytest.approx(expected), metric
