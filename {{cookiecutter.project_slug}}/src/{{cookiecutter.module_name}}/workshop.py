"""What the workshop notebooks share, so that each one runs on its own and writes only
what it says it writes: the project found from a notebook's folder, the prepared split
(prepared when it is missing), params.yaml's model with one thing changed, and
cross-validated scores and predictions beside the baseline's.

Nothing here writes to models/ or the registry: a notebook that registers a model says
so in its own cell.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import Pipeline

from .core.config import HyperParameter, Params, load_params
from .core.dataset import TRAIN_FILE, PreparedData, load_prepared
from .core.errors import PipelineError
from .core.goal import DIRECTIONS, BusinessGoal, load_goal
from .core.metrics import Predictions, row_values
from .core.models import ESTIMATORS, make_baseline
from .core.paths import ProjectPaths
from .core.texts import plain, text
from .reports.analysis_report import code_names
from .reports.markdown import Question
from .stages.pipeline import run_prepare
from .stages.prepare import stale_preparation
from .stages.preprocess import build_preprocessor
from .stages.splitting import cv_folds, cv_rows
from .stages.train import (
    build_model,
    cross_validate_model,
    decision_threshold,
    fit_on_training_split,
    threshold_values,
)

BASELINE = "baseline"


def project_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding params.yaml: notebooks run in
    notebooks/, a script may run anywhere in the project."""
    for folder in (start, *start.parents):
        if (folder / "params.yaml").is_file():
            return folder
    raise PipelineError(text("error.no_project", path=start))


@dataclass(frozen=True)
class Workshop:
    paths: ProjectPaths
    params: Params
    goal: BusinessGoal
    prepared: PreparedData

    @property
    def task(self) -> str:
        return self.params.task

    @cached_property
    def rows(self) -> pd.DataFrame:
        """The training rows cross-validation uses (as `train` does), drawn once per
        workshop: a value, a threshold and a prediction each read them."""
        return cv_rows(self.prepared, self.params)

    def with_model(self, name: str | None = None, **hyperparameters: HyperParameter) -> Workshop:
        """This workshop with another model (its defaults), or params.yaml's with some
        hyper-parameters changed: params.yaml itself is not touched."""
        model = self.params.model
        choices = ESTIMATORS[self.task]
        if name is not None and name not in choices:
            choose = ", ".join(sorted(choices))
            raise PipelineError(
                text("error.not_a_task_model", name=repr(name), task=self.task, choices=choose)
            )
        if name is not None and name != model.name:
            model = model.model_copy(update={"name": name, "params": {}})
        model = model.model_copy(update={"params": {**model.params, **hyperparameters}})
        return dataclasses.replace(self, params=self.params.model_copy(update={"model": model}))

    def without(self, *features: str) -> Workshop:
        """This workshop with some features left out of the model."""
        schema = self.prepared.schema
        unknown = sorted(set(features) - set(schema.features))
        if unknown:
            known = ", ".join(schema.features)
            raise PipelineError(text("error.not_a_feature", name=repr(unknown[0]), features=known))
        kept = dataclasses.replace(
            schema,
            numeric=[name for name in schema.numeric if name not in features],
            categorical=[name for name in schema.categorical if name not in features],
            dates=[name for name in schema.dates if name not in features],
        )
        prepared = PreparedData(self.prepared.train, self.prepared.holdout, kept)
        return dataclasses.replace(self, prepared=prepared)

    def model(self) -> Pipeline:
        """The model params.yaml (with this workshop's changes) describes, unfitted, at
        the 0.5 threshold: `train` tunes a two-class threshold on top."""
        return build_model(self.prepared.schema, self.params)

    def baseline(self) -> Pipeline:
        """The model that ignores the features (the mean, or the class shares)."""
        features = build_preprocessor(self.prepared.schema, self.params.features)
        return Pipeline([("features", features), ("model", make_baseline(self.task))])

    def scores(self) -> dict[str, dict[str, float]]:
        """Each metric's mean and spread over the cross-validation folds."""
        return cross_validate_model(self.model(), self.rows, self.prepared, self.params)

    def target_as_numbers(self, frame: pd.DataFrame) -> pd.Series:
        """The target as numbers to correlate with: itself for regression, 1 for the
        positive class (the last in sorted order) and 0 for the others."""
        target = frame[self.prepared.schema.target]
        if self.task == "regression":
            return pd.to_numeric(target, errors="coerce")
        positive = (self.prepared.schema.classes or [None])[-1]
        return (target == positive).astype(float)

    def threshold_for(self, worth: dict[str, float] | None) -> float | None:
        """The decision threshold `train` chooses for these values of an answer (two
        classes with model.decision_threshold: value), or params.yaml's number; None
        when the model predicts as it is (0.5, or regression)."""
        return decision_threshold(self.prepared, self.params, self.rows, worth)

    def threshold(self) -> float | None:
        """The decision threshold `train` chooses for the business goal's values."""
        schema = self.prepared.schema
        return self.threshold_for(threshold_values(self.paths.business_goal, schema, self.params))

    def trained(self) -> Pipeline:
        """The model as `train` makes it, at its decision threshold, fitted on the whole
        training split, in memory: nothing is saved."""
        model = build_model(self.prepared.schema, self.params, self.threshold())
        return fit_on_training_split(model, self.prepared, None)

    def predictions(
        self, model: Pipeline | None = None, threshold: float | None = None
    ) -> Predictions:
        """Out-of-fold predictions for every cross-validation row: each row predicted by
        a model that did not see it; two classes at `threshold` when given."""
        chosen = self.model() if model is None else model
        rows = self.rows
        schema, params = self.prepared.schema, self.params
        splitter, groups = cv_folds(schema, rows, params.cv_folds, params.seed)
        features, labels = self.prepared.features(rows), self.prepared.labels(rows)
        if self.task == "regression":
            values = cross_val_predict(chosen, features, labels, groups=groups, cv=splitter)
            return Predictions(np.asarray(values), None, [])
        probabilities = cross_val_predict(
            chosen, features, labels, groups=groups, cv=splitter, method="predict_proba"
        )
        classes = sorted(labels.unique())  # predict_proba's columns, as the model sorts them
        if threshold is not None and len(classes) == 2:
            positive = probabilities[:, -1] >= threshold
            answers = np.where(positive, classes[-1], classes[0])
        else:
            answers = np.asarray(classes)[probabilities.argmax(axis=1)]
        return Predictions(answers, probabilities, classes)

    def value_per_prediction(self, worth: dict[str, float], model: Pipeline | None = None) -> float:
        """The mean value of one out-of-fold prediction under `worth` (the goal's value
        block: costs negative); params.yaml's model answers at the threshold `train`
        would choose for these values."""
        labels = self.prepared.labels(self.rows)
        threshold = self.threshold_for(worth) if model is None else None
        return float(row_values(labels, self.predictions(model, threshold), worth).mean())


def comparison(workshops: dict[str, Workshop], metric: str) -> pd.DataFrame:
    """One row per workshop (and the baseline first): `metric`'s cross-validated mean
    and spread, ready to print or plot."""
    first = next(iter(workshops.values()))
    baseline = cross_validate_model(first.baseline(), first.rows, first.prepared, first.params)
    scores = {BASELINE: baseline} | {name: each.scores() for name, each in workshops.items()}
    return pd.DataFrame({name: scored[metric] for name, scored in scores.items()}).T


def preparation_due(paths: ProjectPaths, params: Params) -> str | None:
    """Why the prepared split no longer matches the project (missing, params.yaml or the
    data file changed since, another source or target), or None."""
    train_file = paths.interim / TRAIN_FILE
    if not train_file.is_file():
        return plain("workshop.due.missing")
    prepared_at = train_file.stat().st_mtime
    source = paths.root / params.data.source
    for changed in (paths.params, source):
        if changed.is_file() and changed.stat().st_mtime > prepared_at:
            return text("workshop.due.changed", name=changed.name)
    return stale_preparation(load_prepared(paths.interim), params)


def open_workshop(start: Path | None = None) -> Workshop:
    """The project around `start` (the current folder): params.yaml, the business goal
    and the prepared split, which `prepare` writes first when it is missing or older
    than params.yaml and the data (a notebook must not teach on another table's rows).
    In a notebook, a mistake in the project shows as one line, not a traceback."""
    paths = ProjectPaths.at(project_root((start or Path.cwd()).resolve()))
    show_mistakes_in_one_line()
    params = load_params(paths.params)
    goal = load_goal(paths.business_goal, params.task)
    due = preparation_due(paths, params)
    if due is not None:
        print(f"prepare ({due}): {run_prepare(paths)}")
    return Workshop(paths, params, goal, load_prepared(paths.interim))


def show_mistakes_in_one_line() -> None:
    """In IPython, a PipelineError (a mistake in the project or a cell's edit) prints as
    one line naming the thing at fault; other errors keep their traceback."""
    try:
        # Looked up at run time: IPython comes with the notebooks' kernel, not the project.
        ipython = importlib.import_module("IPython")
    except ImportError:  # a plain script: exceptions as usual
        return
    shell = ipython.get_ipython()
    if shell is None:
        return

    def one_line(shell: Any, kind: Any, error: BaseException, *_: Any, **__: Any) -> None:
        print(f"{plain('cli.error')} {error}", file=sys.stderr)

    shell.set_custom_exc((PipelineError,), one_line)


def preprocess_questions(
    workshop: Workshop, metric: str, left_out: list[str], before: float, after: float
) -> list[Question]:
    """Whom to ask about the features: what this data holds (gaps, categories), and
    what leaving `left_out` out did to the cross-validated `metric`."""
    schema, train = workshop.prepared.schema, workshop.prepared.train
    count = {"count": len(schema.features)}
    questions = [Question("role.engineer", "ask.preprocess.available", count)]
    gaps = [name for name in schema.features if train[name].isna().any()]
    if gaps:
        names = {"names": code_names(gaps)}
        questions.append(Question("role.engineer", "ask.preprocess.missing", names))
    if schema.categorical:
        names = {"names": code_names(schema.categorical)}
        questions.append(Question("role.domain", "ask.preprocess.categories", names))
    change = {
        "names": code_names(left_out),
        "metric": metric,
        "before": f"{before:.4g}",
        "after": f"{after:.4g}",
    }
    questions.append(Question("role.domain", "ask.preprocess.left_out", change))
    return questions


def train_questions(workshop: Workshop, scores: pd.DataFrame, metric: str) -> list[Question]:
    """Whom to ask about the model, from a `comparison` (the baseline first, then
    params.yaml's model, then the others)."""
    model, baseline = scores.iloc[1], scores.loc[BASELINE]
    gap = {
        "metric": metric,
        "model": f"{model['mean']:.4g}",
        "baseline": f"{baseline['mean']:.4g}",
        "spread": f"{model['std']:.2g}",
    }
    models = scores.drop(index=BASELINE)["mean"]
    best = models.idxmax() if DIRECTIONS[workshop.task][metric] == "maximize" else models.idxmin()
    rows = workshop.rows
    started = time.perf_counter()
    workshop.model().fit(workshop.prepared.features(rows), workshop.prepared.labels(rows))
    fitting = {"seconds": f"{time.perf_counter() - started:.2g}", "rows": len(rows)}
    return [
        Question("role.scientist", "ask.train.gap", gap),
        Question("role.product", "ask.train.best", {"best": f"`{best}`"}),
        Question("role.ml", "ask.train.retrain", fitting),
    ]
