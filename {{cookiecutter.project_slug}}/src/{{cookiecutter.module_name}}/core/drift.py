"""How far a column of recent rows has moved from the same column in the reference rows
(the training split): the population stability index (PSI) over the reference's bins,
with the categories the reference never saw named.

PSI = sum over bins of (current share - reference share) * ln(current / reference). A
common reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a shift to
act on. Missing values are a bin of their own, so a column that starts arriving empty
counts as drift too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .transformers import parse_dates

NUMERIC_BINS = 10  # deciles of the reference
# A bin empty on one side would make the index infinite; this share stands in for zero.
EMPTY_SHARE = 1e-4
MISSING = "<missing>"
NEW = "<new>"


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    kind: str  # numeric or categorical, as compared
    psi: float
    drifted: bool
    # Categories the reference never had, with how many current rows hold each.
    new_categories: dict[str, int] = field(default_factory=dict)
    missing_reference: float = 0.0  # share of missing values
    missing_current: float = 0.0


def stability_index(reference: np.ndarray, current: np.ndarray) -> float:
    """PSI between two vectors of bin counts (same bins, same order)."""
    expected = np.maximum(reference / max(reference.sum(), 1), EMPTY_SHARE)
    actual = np.maximum(current / max(current.sum(), 1), EMPTY_SHARE)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def numeric_counts(reference: pd.Series, current: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Counts in the reference's decile bins (and a bin for missing values), each side."""
    known = reference.dropna().to_numpy(dtype=float)
    quantiles = np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1]
    edges = np.unique(np.quantile(known, quantiles)) if len(known) else np.array([])

    def counts(values: pd.Series) -> np.ndarray:
        present = values.dropna().to_numpy(dtype=float)
        binned = np.bincount(
            np.searchsorted(edges, present, side="right"), minlength=len(edges) + 1
        )
        return np.append(binned, values.isna().sum())

    return counts(reference), counts(current)


def category_counts(
    reference: pd.Series, current: pd.Series
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Counts per reference category (text, missing as a category of its own), a bin for
    categories the reference never had, and those new categories with their counts."""
    known = reference.astype("string").fillna(MISSING)
    seen = current.astype("string").fillna(MISSING)
    categories = sorted(set(known))
    new = seen[~seen.isin(categories)].value_counts()
    reference_counts = known.value_counts().reindex(categories, fill_value=0).to_numpy()
    current_counts = seen.value_counts().reindex(categories, fill_value=0).to_numpy()
    return (
        np.append(reference_counts, 0),
        np.append(current_counts, int(new.sum())),
        {str(name): int(count) for name, count in new.items()},
    )


def column_drift(
    column: str, kind: str, reference: pd.Series, current: pd.Series, threshold: float
) -> ColumnDrift:
    """The drift of one column, `kind` numeric or categorical, judged by `threshold`."""
    new: dict[str, int] = {}
    if kind == "numeric":
        reference_counts, current_counts = numeric_counts(
            pd.to_numeric(reference, errors="coerce"), pd.to_numeric(current, errors="coerce")
        )
    else:
        reference_counts, current_counts, new = category_counts(reference, current)
    psi = stability_index(reference_counts, current_counts)
    return ColumnDrift(
        column=column,
        kind=kind,
        psi=psi,
        drifted=psi > threshold,
        new_categories=new,
        missing_reference=float(reference.isna().mean()) if len(reference) else 0.0,
        missing_current=float(current.isna().mean()) if len(current) else 0.0,
    )


def share_after(reference: pd.Series, current: pd.Series) -> float:
    """The share of current dates later than the reference's last one: rows the model
    extrapolates to (a date column always moves on, so its shift is not drift)."""
    last = parse_dates(reference).max()
    dates = parse_dates(current).dropna()
    if pd.isna(last) or dates.empty:
        return 0.0
    return float((dates > last).mean())


@dataclass(frozen=True)
class LiveScore:
    """The goal's metric on the recent rows whose outcome arrived."""

    rows: int
    metric: str
    value: float | None  # None: too few labelled rows to judge
    holdout: float | None  # the champion's at registration, as the test report gave it
    threshold: float
    met: bool | None
    labels: ColumnDrift | None  # the outcomes' drift from the training split's


@dataclass(frozen=True)
class Monitoring:
    source: str
    rows: int
    model_version: int
    judged: bool  # enough rows to judge
    features: list[ColumnDrift]
    dates_after_training: dict[str, float]  # date column -> share past the training period
    prediction: ColumnDrift | None
    live: LiveScore | None
    retrain: bool
    reasons: list[str]
    first: str | None = None
    last: str | None = None
    unreadable: int = 0
    first_unreadable: str | None = None  # where, to look at it
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def drifted(self) -> list[ColumnDrift]:
        return [column for column in self.features if column.drifted]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
