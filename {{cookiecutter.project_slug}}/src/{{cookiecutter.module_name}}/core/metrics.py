"""How each metric is computed for each task (their directions live in goal.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    make_scorer,
    mean_absolute_error,
    precision_recall_fscore_support,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)

from .dataset import DatasetSchema
from .errors import PipelineError
from .evaluation import Calibration, CalibrationBin, ClassScore, RangeError
from .goal import DIRECTIONS
from .texts import text


def cv_scorers(schema: DatasetSchema) -> dict[str, Any]:
    """Scorers for cross_validate, all following sklearn's greater-is-better convention."""
    if schema.task == "regression":
        return {
            "rmse": "neg_root_mean_squared_error",
            "mae": "neg_mean_absolute_error",
            "r2": "r2",
        }
    binary = len(schema.classes or []) == 2
    positive = (schema.classes or [None])[-1]
    macro_f1 = make_scorer(f1_score, average="macro", zero_division=0)
    return {
        "roc_auc": "roc_auc" if binary else "roc_auc_ovr",
        "f1": make_scorer(f1_score, pos_label=positive, zero_division=0) if binary else macro_f1,
        "f1_macro": macro_f1,
        "balanced_accuracy": "balanced_accuracy",
        "accuracy": "accuracy",
    }


def sign(task: str, metric: str) -> float:
    """-1 for the metrics sklearn reports negated (errors), +1 otherwise."""
    return -1.0 if DIRECTIONS[task][metric] == "minimize" else 1.0


@dataclass(frozen=True)
class Predictions:
    """A fitted model's answers for a set of rows, computed once and then scored as a
    whole, per slice and per class, and drawn: each predict call runs the whole feature
    pipeline again."""

    values: np.ndarray  # the predicted target, or class label, per row
    probabilities: np.ndarray | None  # classification: a column per class, in `classes`
    classes: list[Any]  # the classifier's classes in its own order; [] for regression

    def take(self, rows: np.ndarray) -> Predictions:
        """The answers for some of the rows (a boolean mask or positions)."""
        probabilities = None if self.probabilities is None else self.probabilities[rows]
        return Predictions(self.values[rows], probabilities, self.classes)


def predict(model: BaseEstimator, features: Any, task: str) -> Predictions:
    if task == "regression":
        return Predictions(np.asarray(model.predict(features)), None, [])
    return Predictions(
        np.asarray(model.predict(features)),
        np.asarray(model.predict_proba(features)),
        list(model.classes_),
    )


def score(
    model: BaseEstimator,
    features: Any,
    labels: Any,
    schema: DatasetSchema,
    worth: dict[str, float] | None = None,
) -> dict[str, float]:
    """Every metric of the task for a fitted model on one dataset; with `worth` (the
    goal's values for the task), the expected value of a prediction too."""
    return score_predictions(labels, predict(model, features, schema.task), worth)


def expected_value(labels: Any, predicted: Predictions, worth: dict[str, float]) -> float:
    """The mean value of one prediction (row_values)."""
    return float(np.mean(row_values(labels, predicted, worth)))


def row_values(labels: Any, predicted: Predictions, worth: dict[str, float]) -> np.ndarray:
    """What each prediction is worth. Regression: each unit of error below or above the
    outcome at its value. Two classes: each kind of answer at its value, the last of the
    classes being the positive one."""
    truth = np.asarray(labels)
    if predicted.probabilities is None:
        error = np.asarray(predicted.values, dtype=float) - truth.astype(float)
        under, over = np.clip(-error, 0, None), np.clip(error, 0, None)
        return worth["per_unit_under"] * under + worth["per_unit_over"] * over
    if len(predicted.classes) != 2:
        raise PipelineError(text("error.value_two_classes", classes=len(predicted.classes)))
    return answer_values(truth, predicted.values, predicted.classes[-1], worth)


def answer_values(truth: Any, answers: Any, positive: Any, worth: dict[str, float]) -> np.ndarray:
    """What each answer of a two-class model is worth, by its kind (true or false,
    positive or negative)."""
    actual, called = np.asarray(truth) == positive, np.asarray(answers) == positive
    return np.select(
        [actual & called, actual & ~called, ~actual & called],
        [worth["true_positive"], worth["false_negative"], worth["false_positive"]],
        default=worth["true_negative"],
    )


def value_scorer(positive: Any, worth: dict[str, float]) -> Any:
    """A scikit-learn scorer of the mean value of one answer (greater is better); it
    names the positive class, as a threshold search needs."""

    def mean_value(truth: Any, answers: Any, pos_label: Any) -> float:
        return float(np.mean(answer_values(truth, answers, pos_label, worth)))

    return make_scorer(mean_value, pos_label=positive)


def value_at(
    labels: Any, predicted: Predictions, threshold: float, worth: dict[str, float]
) -> float:
    """The mean value of one answer had the positive class been called from `threshold`
    of its probability on (the holdout's value at scikit-learn's default, 0.5)."""
    assert predicted.probabilities is not None  # a classifier's answers
    negative, positive = predicted.classes
    answers = np.where(predicted.probabilities[:, 1] >= threshold, positive, negative)
    return float(np.mean(answer_values(labels, answers, positive, worth)))


def score_predictions(
    labels: Any, predicted: Predictions, worth: dict[str, float] | None = None
) -> dict[str, float]:
    """Every metric of the task for answers already predicted (and `value` with `worth`)."""
    scores = task_scores(labels, predicted)
    if worth is not None:
        scores["value"] = expected_value(labels, predicted, worth)
    return scores


def task_scores(labels: Any, predicted: Predictions) -> dict[str, float]:
    values = predicted.values
    if predicted.probabilities is None:
        return {
            "rmse": float(root_mean_squared_error(labels, values)),
            "mae": float(mean_absolute_error(labels, values)),
            "r2": float(r2_score(labels, values)),
        }
    classes = predicted.classes
    probabilities = predicted.probabilities
    # zero_division=0: a class the model never predicts scores 0, without a warning.
    macro_f1 = float(f1_score(labels, values, average="macro", zero_division=0))
    shared = {
        "f1_macro": macro_f1,
        # Balanced accuracy is the mean recall of the classes present: computed so, a
        # group of one class (a slice) gets its recall without sklearn's warning.
        "balanced_accuracy": float(
            recall_score(labels, values, labels=np.unique(labels), average="macro", zero_division=0)
        ),
        "accuracy": float(accuracy_score(labels, values)),
    }
    if len(classes) == 2:
        positive = classes[-1]
        return {
            "roc_auc": float(roc_auc_score(np.asarray(labels) == positive, probabilities[:, 1])),
            "f1": float(f1_score(labels, values, pos_label=positive, zero_division=0)),
            **shared,
        }
    return {
        "roc_auc": float(roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)),
        "f1": macro_f1,
        **shared,
    }


# Bootstrap resamples of the holdout rows behind an interval, drawn in chunks so that a
# large holdout never holds every resample in memory at once.
RESAMPLES = 200
RESAMPLE_CHUNK_CELLS = 4_000_000
# A larger holdout is resampled through a seeded sample of this many rows, the interval's
# width scaled by sqrt(sample / rows) around the whole holdout's value: the spread of
# these metrics shrinks as one over the square root of the rows, and 200 resamples of each
# slice of a million-row table doubled evaluate's time.
RESAMPLED_ROWS = 5_000
# Metrics with a per-resample formula over arrays; the others get no interval.
WITH_INTERVALS = frozenset({"rmse", "mae", "r2", "value", "accuracy", "roc_auc"})


def has_array_formula(metric: str, predicted: Predictions) -> bool:
    """Whether `resampled` computes `metric` for these answers (ROC AUC: two classes)."""
    return metric in WITH_INTERVALS and (metric != "roc_auc" or len(predicted.classes) == 2)


def interval(
    labels: Any,
    predicted: Predictions,
    metric: str,
    seed: int,
    worth: dict[str, float] | None = None,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """The percentile bootstrap interval of `metric` over RESAMPLES resamples of the rows
    (drawn with replacement, seeded); None for a metric without a per-resample formula
    (f1 and the like, ROC AUC of more than two classes) or when too few resamples define
    it."""
    if not has_array_formula(metric, predicted):
        return None
    truth = np.asarray(labels)
    generator = np.random.default_rng(seed)
    if len(truth) > RESAMPLED_ROWS:
        sample = np.sort(generator.choice(len(truth), RESAMPLED_ROWS, replace=False))
        drawn = interval(truth[sample], predicted.take(sample), metric, seed, worth, level)
        if drawn is None:
            return None
        centre = resampled(truth[sample], predicted.take(sample), metric,
                           np.arange(RESAMPLED_ROWS)[None, :], worth)[0]  # fmt: skip
        value = resampled(truth, predicted, metric, np.arange(len(truth))[None, :], worth)[0]
        scale = np.sqrt(RESAMPLED_ROWS / len(truth))
        low, high = value - (centre - drawn[0]) * scale, value + (drawn[1] - centre) * scale
        return float(low), float(high)
    chunk = max(1, RESAMPLE_CHUNK_CELLS // max(len(truth), 1))
    found: list[np.ndarray] = []
    for start in range(0, RESAMPLES, chunk):
        rows = generator.integers(0, len(truth), (min(chunk, RESAMPLES - start), len(truth)))
        found.append(resampled(truth, predicted, metric, rows, worth))
    scores = np.concatenate(found)
    scores = scores[np.isfinite(scores)]
    if len(scores) < RESAMPLES // 2:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return float(low), float(high)


def resampled(
    truth: np.ndarray,
    predicted: Predictions,
    metric: str,
    rows: np.ndarray,
    worth: dict[str, float] | None,
) -> np.ndarray:
    """`metric` on each row of `rows` (one resample's positions each), NaN where undefined."""
    if metric == "roc_auc":
        return resampled_auc(truth == predicted.classes[-1], predicted, rows)
    if metric == "accuracy":
        return np.mean(truth[rows] == predicted.values[rows], axis=1)
    if metric == "value":
        assert worth is not None, "value is scored with the goal's values"
        return np.mean(row_values(truth, predicted, worth)[rows], axis=1)
    actual = truth.astype(float)[rows]
    error = np.asarray(predicted.values, dtype=float)[rows] - actual
    if metric == "rmse":
        return np.sqrt(np.mean(error**2, axis=1))
    if metric == "mae":
        return np.mean(np.abs(error), axis=1)
    spread = np.sum((actual - actual.mean(axis=1, keepdims=True)) ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread > 0, 1 - np.sum(error**2, axis=1) / spread, np.nan)


def resampled_auc(positive: np.ndarray, predicted: Predictions, rows: np.ndarray) -> np.ndarray:
    """Two-class ROC AUC per resample from the ranks of the scores (Mann-Whitney: ties
    count half, as in scikit-learn)."""
    assert predicted.probabilities is not None
    scores = pd.DataFrame(predicted.probabilities[:, 1][rows])
    ranks = scores.rank(axis=1, method="average").to_numpy()
    chosen = positive[rows]
    positives = chosen.sum(axis=1)
    negatives = chosen.shape[1] - positives
    above = np.sum(ranks * chosen, axis=1) - positives * (positives + 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((positives > 0) & (negatives > 0), above / (positives * negatives), np.nan)


def block_scores(labels: Any, predicted: Predictions, metric: str, blocks: int) -> np.ndarray:
    """`metric` on each of `blocks` equal runs of `predicted`, each answering for all of
    `labels` in their order (shuffled copies of one table predicted together)."""
    truth = np.asarray(labels)
    rows = np.arange(blocks * len(truth)).reshape(blocks, len(truth))
    if has_array_formula(metric, predicted):
        return resampled(np.tile(truth, blocks), predicted, metric, rows, worth=None)
    return np.array([task_scores(truth, predicted.take(block))[metric] for block in rows])


TARGET_RANGES = 5  # quantile ranges of the actual target, for regression errors


def range_errors(
    labels: Any, predicted: Predictions, ranges: int = TARGET_RANGES
) -> list[RangeError]:
    """A regression's errors by quantile range of the actual target: where it predicts
    too low or too high, which one overall RMSE hides."""
    actual = pd.Series(np.asarray(labels, dtype=float))
    error = np.asarray(predicted.values, dtype=float) - actual.to_numpy()
    bins = pd.qcut(actual, ranges, duplicates="drop")
    found = []
    for band in bins.cat.categories:
        rows = (bins == band).to_numpy()
        if rows.any():
            within, errors = actual[rows], error[rows]
            found.append(
                RangeError(
                    low=float(within.min()),
                    high=float(within.max()),
                    rows=int(rows.sum()),
                    bias=float(errors.mean()),
                    mae=float(np.abs(errors).mean()),
                )
            )
    return found


def class_scores(labels: Any, predicted: Predictions) -> list[ClassScore]:
    """Per class of a classifier: its rows among `labels`, precision, recall and F1."""
    classes = predicted.classes
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted.values, labels=classes, zero_division=0
    )
    return [
        ClassScore(label, int(rows), float(p), float(r), float(f))
        for label, rows, p, r, f in zip(classes, support, precision, recall, f1, strict=True)
    ]


def confusion_counts(labels: Any, predicted: Predictions) -> list[list[int]]:
    """Holdout rows by actual class (rows) and predicted class (columns), both in the
    classifier's order of classes."""
    counts = confusion_matrix(labels, predicted.values, labels=predicted.classes)
    return [[int(count) for count in row] for row in counts]


# Bins of equal rows, up to CALIBRATION_BINS of at least CALIBRATION_BIN_ROWS each (a
# share of fewer rows is noise); fewer when probabilities repeat.
CALIBRATION_BINS = 10
CALIBRATION_BIN_ROWS = 20


def calibration(labels: Any, predicted: Predictions) -> Calibration | None:
    """Two classes: the Brier score and the reliability table, the holdout rows in bins
    of equal size by predicted probability of the positive class (the last of the
    classes). None for more classes."""
    if len(predicted.classes) != 2 or predicted.probabilities is None:
        return None
    positive = predicted.classes[-1]
    actual = np.asarray(labels) == positive
    probability = predicted.probabilities[:, 1]
    # A constant probability leaves qcut no edges (every code -1): then one bin.
    bins = min(CALIBRATION_BINS, max(1, len(probability) // CALIBRATION_BIN_ROWS))
    codes = pd.qcut(probability, bins, duplicates="drop").codes
    table = (
        pd.DataFrame({"bin": np.maximum(codes, 0), "predicted": probability, "observed": actual})
        .groupby("bin")
        .agg(rows=("predicted", "size"), predicted=("predicted", "mean"),
             observed=("observed", "mean"))
    )  # fmt: skip
    return Calibration(
        positive=positive,
        brier=float(brier_score_loss(actual, probability)),
        prior_brier=float(actual.mean() * (1 - actual.mean())),
        bins=[
            CalibrationBin(int(row.rows), float(row.predicted), float(row.observed))
            for row in table.itertuples()
        ],
    )
