"""Scoring script of the Azure ML batch endpoint (azureml/batch-deployment.yml).

Each worker calls init() once, then run() with a list of input file paths; the rows it
returns are appended to the job's predictions.csv.
"""

from __future__ import annotations

import pandas as pd

from {{ cookiecutter.module_name }}.azureml.scoring import (
    ScoringModel,
    load_from_environment,
    score_files,
)

scorer: ScoringModel | None = None


def init() -> None:
    global scorer
    scorer = load_from_environment()


def run(mini_batch: list[str]) -> pd.DataFrame:
    assert scorer is not None, "init() runs before any mini-batch"
    return score_files(scorer, mini_batch)
