"""Hyper-parameter search: params.yaml's `tune.space` for the model it names, searched by
Optuna's TPE sampler (seeded), each trial cross-validated on the folds `train` uses.

The starting point is scored first: model.params as they are. The best values found
replace them in params.yaml (comments kept) only when they score better, so a `train`
after `tune` is an ordinary train with a visible, reviewable change.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
from optuna.study import StudyDirection
from ruamel.yaml.comments import CommentedMap

from ..core.artifacts import atomic_path, write_text
from ..core.config import (
    HyperParameter,
    Params,
    SearchChoices,
    SearchDimension,
    search_space,
    with_overrides,
)
from ..core.dataset import PreparedData
from ..core.errors import PipelineError
from ..core.feedback import QUIET, Feedback
from ..core.metrics import sign
from ..core.params_file import edited_yaml, set_values
from ..core.texts import text
from ..core.tuning import Trial, Tuning
from .splitting import cv_rows
from .train import build_model, cross_validate_model

TRIALS_FILE = "trials.csv"  # in reports/tuning/


def suggested(trial: optuna.Trial, name: str, dimension: SearchDimension) -> HyperParameter:
    if isinstance(dimension, SearchChoices):
        return trial.suggest_categorical(name, dimension.choices)
    if dimension.integer:
        return trial.suggest_int(name, int(dimension.low), int(dimension.high), log=dimension.log)
    return trial.suggest_float(name, dimension.low, dimension.high, log=dimension.log)


def cross_validated(
    prepared: PreparedData,
    params: Params,
    rows: pd.DataFrame,
    metric: str,
    values: dict[str, HyperParameter],
) -> float:
    """One trial's score: `metric`'s mean over train's own cross-validation of `rows`,
    with `values` over model.params."""
    trial_params = with_overrides(params, hyperparameters=values)
    model = build_model(prepared.schema, trial_params)
    return cross_validate_model(model, rows, prepared, trial_params, only=metric)[metric]["mean"]


def tune(
    prepared: PreparedData,
    params: Params,
    metric: str,
    trials: int,
    timeout_seconds: float | None,
    feedback: Feedback = QUIET,
) -> Tuning:
    """Score params.yaml's values, then up to `trials` sampled ones (fewer if
    `timeout_seconds` runs out first)."""
    space = search_space(params)
    rows = cv_rows(prepared, params)

    def scored(values: dict[str, HyperParameter]) -> float:
        return cross_validated(prepared, params, rows, metric, values)

    # Hyper-parameters params.yaml leaves out start at the estimator's defaults.
    current = {name: params.model.params[name] for name in space if name in params.model.params}
    clock = time.perf_counter()
    try:
        found = [Trial(0, current, scored(current), time.perf_counter() - clock)]
    except ValueError as error:  # sklearn checks hyper-parameter values when it fits
        first_line = str(error).splitlines()[0]
        message = text("error.model_refused", model=repr(params.model.name), detail=first_line)
        raise PipelineError(message) from error

    def objective(trial: optuna.Trial) -> float:
        values = {name: suggested(trial, name, dimension) for name, dimension in space.items()}
        clock = time.perf_counter()
        try:
            value = scored(values)
        except ValueError as error:  # values the estimator refuses together
            reason = str(error).splitlines()[0]
            seconds = time.perf_counter() - clock
            found.append(Trial(trial.number + 1, values, float("nan"), seconds, reason))
            raise optuna.TrialPruned(reason) from error
        found.append(Trial(trial.number + 1, values, value, time.perf_counter() - clock))
        return value

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # a line per trial otherwise
    study = optuna.create_study(
        direction=StudyDirection.MINIMIZE
        if sign(params.task, metric) < 0
        else StudyDirection.MAXIMIZE,
        sampler=optuna.samplers.TPESampler(seed=params.seed),
    )
    with feedback.steps(f"tune {params.model.name}", trials) as step:
        study.optimize(
            objective, n_trials=trials, timeout=timeout_seconds, callbacks=[lambda *_: step()]
        )
    tuning = Tuning(params.model.name, params.task, metric, found)
    if len(tuning.failed) == len(found) - 1:
        last = found[-1]
        raise PipelineError(
            text(
                "error.every_trial_failed",
                model=params.model.name,
                values=describe(last.values),
                detail=last.error,
            )
        )
    return tuning


def describe(values: dict[str, HyperParameter]) -> str:
    """ "alpha=0.1767, solver=svd": each value as a person reads it."""
    return ", ".join(
        f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}"
        for name, value in values.items()
    )


def summary(tuning: Tuning, budget: int, minutes: float | None, best: Trial | None) -> str:
    """The stage's line, in the project's language: trials run (and why fewer than
    `budget`), failures, the start's score, and what was written."""
    failed = tuning.failed
    return text(
        "summary.tune",
        ran=len(tuning.trials) - 1,
        budget=budget,
        minutes=minutes,
        failed=len(failed),
        error=failed[0].error if failed else "",
        metric=tuning.metric,
        start=tuning.start.score,
        best=None if best is None else best.score,
        values="" if best is None else describe(best.values),
    )


def trials_table(tuning: Tuning) -> pd.DataFrame:
    """A row per trial: its number, score, seconds, and each hyper-parameter's value."""
    rows: list[dict[str, Any]] = [
        {"trial": trial.number, tuning.metric: trial.score, "seconds": round(trial.seconds, 3),
         **trial.values}
        for trial in tuning.trials
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    # Whole-number hyper-parameters stay whole where a trial left them out (not NaN-floats).
    for name in table.columns[3:]:
        given = [trial.values[name] for trial in tuning.trials if name in trial.values]
        if all(isinstance(value, int) and not isinstance(value, bool) for value in given):
            table[name] = table[name].astype("Int64")
    return table


def write_trials(tuning: Tuning, folder: Path) -> Path:
    with atomic_path(folder / TRIALS_FILE) as temporary:
        trials_table(tuning).to_csv(temporary, index=False)
    return folder / TRIALS_FILE


def with_best_values(params_path: Path, values: dict[str, HyperParameter]) -> str:
    """params.yaml with `values` in model.params, its comments and layout kept."""

    def set_best(document: Any) -> None:
        if document["model"].get("params") is None:
            document["model"]["params"] = CommentedMap()
        set_values(document["model"]["params"], values)

    return edited_yaml(params_path, set_best)[0]


def apply_best(params_path: Path, tuning: Tuning) -> Trial | None:
    """Write the best trial's values into params.yaml when they beat the start; None
    when params.yaml's values are still the best."""
    best = tuning.best()
    if best.number == 0:
        return None
    write_text(params_path, with_best_values(params_path, best.values))
    return best
