"""Scoring validated records: predictions, probabilities, and the records no model can
compute with, refused by name instead of answered with a 500 or a null."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..registry.bundle import LoadedBundle


class UnscorableRecords(ValueError):
    """Valid numbers the model cannot compute with: scaling them overflows to infinity."""

    def __init__(self, indexes: list[int], batch: bool) -> None:
        super().__init__(f"records {indexes} overflow the model's arithmetic")
        self.indexes = indexes
        self.batch = batch


def raw_scores(bundle: LoadedBundle, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions and, for a binary classifier, the positive class's probabilities;
    ArithmeticError when a value overflows the model's arithmetic."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            predictions = bundle.predict(frame)
            scores = class_probabilities(bundle, frame)
    except ValueError as error:
        # scikit-learn's own check of its input, met after scaling overflowed.
        if "infinity" not in str(error):
            raise
        raise ArithmeticError(str(error)) from error
    # A classifier's label hides a NaN score, so its probabilities are checked too.
    checked = predictions if bundle.schema.task == "regression" else scores
    if checked is not None and not np.isfinite(checked).all():
        raise ArithmeticError("a prediction is not a finite number")
    return predictions, positive_column(bundle, scores)


def scored(
    bundle: LoadedBundle, frame: pd.DataFrame, batch: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """raw_scores, or UnscorableRecords naming the records at fault.

    A value such as 1e308 passes validation (it is finite) yet overflows once scaled:
    scikit-learn then raises, or returns NaN. Either way the records are refused rather
    than answered with a 500 or a null prediction.
    """
    try:
        return raw_scores(bundle, frame)
    except ArithmeticError as error:
        raise UnscorableRecords(unscorable_rows(bundle, frame), batch) from error


def class_probabilities(bundle: LoadedBundle, frame: pd.DataFrame) -> np.ndarray | None:
    """Every class's probability per record, for a classifier that gives them."""
    if bundle.schema.task == "regression" or not hasattr(bundle.model, "predict_proba"):
        return None
    return np.asarray(bundle.model.predict_proba(frame))


def positive_column(bundle: LoadedBundle, scores: np.ndarray | None) -> np.ndarray | None:
    """The positive class's probabilities: binary classification only, where "positive"
    means the last class (the schema's order)."""
    classes = bundle.schema.classes
    if scores is None or not classes or len(classes) != 2:
        return None
    column = list(bundle.model.classes_).index(classes[-1])
    return scores[:, column]


def unscorable_rows(bundle: LoadedBundle, frame: pd.DataFrame) -> list[int]:
    """Which records overflow: the batch through the model's steps before the estimator
    in one pass, then the estimator's output, row by row only in numbers."""
    with np.errstate(over="ignore", invalid="ignore"):
        transformed = bundle.model[:-1].transform(frame)  # dense: see stages/preprocess.py
        bad = ~np.isfinite(np.asarray(transformed, dtype=float)).all(axis=1)
        if not bad.all():
            estimator = bundle.model[-1]
            finite = transformed[~bad]  # rows of an array or a frame alike
            outputs = (
                estimator.predict(finite)
                if bundle.schema.task == "regression" or not hasattr(estimator, "predict_proba")
                else estimator.predict_proba(finite)
            )
            outputs = np.asarray(outputs, dtype=float).reshape(len(finite), -1)
            bad[np.flatnonzero(~bad)[~np.isfinite(outputs).all(axis=1)]] = True
    return [int(index) for index in np.flatnonzero(bad)]
