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
            probabilities = positive_probabilities(bundle, frame)
    except ValueError as error:
        # scikit-learn's own check of its input, met after scaling overflowed.
        if "infinity" not in str(error):
            raise
        raise ArithmeticError(str(error)) from error
    numeric = predictions if bundle.schema.task == "regression" else probabilities
    if numeric is not None and not np.isfinite(numeric).all():
        raise ArithmeticError("a prediction is not a finite number")
    return predictions, probabilities


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


def positive_probabilities(bundle: LoadedBundle, frame: pd.DataFrame) -> np.ndarray | None:
    classes = bundle.schema.classes
    if not classes or len(classes) != 2 or not hasattr(bundle.model, "predict_proba"):
        return None
    column = list(bundle.model.classes_).index(classes[-1])
    return np.asarray(bundle.model.predict_proba(frame)[:, column])


def unscorable_rows(bundle: LoadedBundle, frame: pd.DataFrame) -> list[int]:
    """Which records fail alone: only run once a batch has failed."""
    failing = []
    for index in range(len(frame)):
        try:
            raw_scores(bundle, frame.iloc[[index]])
        except ArithmeticError:
            failing.append(index)
    return failing
