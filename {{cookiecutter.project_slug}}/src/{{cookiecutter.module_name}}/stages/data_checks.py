"""What the analyze stage measures beyond counts: each feature's range, its association
with the target, features that predict the target suspiciously well, near-constant
columns, and how far the holdout's distributions are from the training split's."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..core.dataset import DatasetSchema
from ..reports.analysis_report import ColumnRange

# Rank statistics and the split comparison use at most this many rows, drawn with a
# fixed seed: their values settle long before a million rows, their cost does not.
SAMPLE_ROWS = 100_000
# A feature whose most common value fills this share of rows (but not all) tells the
# model little; a constant one is reported on its own.
NEAR_CONSTANT_SHARE = 0.99
# An association with the target this strong from one feature alone is more often a
# copy of the target (recorded after the fact) than a discovery.
LEAKAGE_ASSOCIATION = 0.95
# Train and holdout differ when the distance between their distributions passes both
# this and what chance gives two random samples of their sizes (Kolmogorov's bound at
# the 1% level: 1.628 times sqrt((n + m) / (n * m))).
SHIFT_DISTANCE = 0.1
KOLMOGOROV_1_PERCENT = 1.628
# Categories under this share of the rows are pooled when comparing the splits, so many
# rare values do not add up to a distance by chance.
RARE_SHARE = 0.01


def sampled(frame: pd.DataFrame, rows: int = SAMPLE_ROWS) -> pd.DataFrame:
    return frame if len(frame) <= rows else frame.sample(rows, random_state=0)


def column_range(values: pd.Series, kind: str) -> ColumnRange:
    present = values.dropna()
    if present.empty:
        return ColumnRange()
    if kind == "categorical":
        counts = present.value_counts()
        return ColumnRange(middle=f"{counts.index[0]} ({counts.iloc[0] / len(values):.1%})")
    if kind == "dates":
        return ColumnRange(
            low=str(present.min().date()),
            middle=str(present.quantile(0.5).date()),
            high=str(present.max().date()),
        )
    numbers = present.astype(float)
    return ColumnRange(float(numbers.min()), float(numbers.median()), float(numbers.max()))


def near_constant(counts: pd.Series) -> float | None:
    """From a column's value counts (gaps counted as a value): the most common value's
    share of the rows when at least NEAR_CONSTANT_SHARE and not every row; else None."""
    if len(counts) < 2:
        return None
    share = float(counts.iloc[0] / counts.sum())
    return share if share >= NEAR_CONSTANT_SHARE else None


def correlation_ratio(values: pd.Series, groups: pd.Series) -> float:
    """How much of a number's variance lies between the groups (eta, 0 to 1)."""
    known = pd.DataFrame({"value": values.astype(float), "group": groups}).dropna()
    total = float(((known["value"] - known["value"].mean()) ** 2).sum())
    if total == 0 or known["group"].nunique() < 2:
        return 0.0
    means = known.groupby("group", observed=True)["value"].agg(["mean", "size"])
    between = float((means["size"] * (means["mean"] - known["value"].mean()) ** 2).sum())
    return math.sqrt(between / total)


def cramers_v(left: pd.Series, right: pd.Series) -> float:
    """The association of two categories (0: independent, 1: one determines the other)."""
    table = pd.crosstab(left.fillna("<missing>"), right.fillna("<missing>")).to_numpy(float)
    if min(table.shape) < 2:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    chi_square = float(((table - expected) ** 2 / expected).sum())
    return math.sqrt(chi_square / (table.sum() * (min(table.shape) - 1)))


def categorical_associations(frame: pd.DataFrame, schema: DatasetSchema) -> dict[str, float]:
    """Each categorical feature's association with the target: eta for a numeric
    target, Cramér's V for classes; strongest first."""
    target = frame[schema.target]
    scores = {
        name: (
            correlation_ratio(target, frame[name])
            if schema.task == "regression"
            else cramers_v(frame[name], target)
        )
        for name in schema.categorical
    }
    return dict(sorted(scores.items(), key=lambda item: -item[1]))


def leakage_suspects(
    pearson: dict[str, float],
    spearman: dict[str, float],
    associations: dict[str, float],
    frame: pd.DataFrame,
) -> list[tuple[str, float]]:
    """Features whose association with the target alone reaches LEAKAGE_ASSOCIATION. A
    category with a value for nearly every row matches any target, so categories count
    only with at most one distinct value per ten rows."""
    strongest = {
        name: max(abs(pearson.get(name, 0.0)), abs(spearman.get(name, 0.0)))
        for name in {*pearson, *spearman}
    }
    few_values = {
        name: value
        for name, value in associations.items()
        if frame[name].nunique() <= len(frame) / 10
    }
    suspects = [
        (name, value)
        for name, value in {**strongest, **few_values}.items()
        if value >= LEAKAGE_ASSOCIATION
    ]
    return sorted(suspects, key=lambda item: -item[1])


def ks_distance(first: np.ndarray, second: np.ndarray) -> float:
    """The largest gap between the two samples' cumulative distributions."""
    first, second = np.sort(first), np.sort(second)
    grid = np.concatenate([first, second])
    below_first = np.searchsorted(first, grid, side="right") / len(first)
    below_second = np.searchsorted(second, grid, side="right") / len(second)
    return float(np.abs(below_first - below_second).max())


def share_distance(first: pd.Series, second: pd.Series) -> float:
    """Half the summed differences of the categories' shares (rare ones pooled)."""
    shares = pd.DataFrame(
        {
            "first": first.fillna("<missing>").value_counts(normalize=True),
            "second": second.fillna("<missing>").value_counts(normalize=True),
        }
    ).fillna(0.0)
    rare = shares.max(axis=1) < RARE_SHARE
    pooled = pd.concat([shares[~rare], shares[rare].sum().to_frame("<rare>").T])
    return float((pooled["first"] - pooled["second"]).abs().sum() / 2)


def as_numbers(values: pd.Series, kind: str) -> np.ndarray:
    present = values.dropna()
    if kind == "dates":
        return present.astype("int64").to_numpy(float)
    return present.astype(float).to_numpy()


def split_shift(
    train: pd.DataFrame, holdout: pd.DataFrame, schema: DatasetSchema
) -> dict[str, float]:
    """Columns (features and target) whose holdout distribution differs from the
    training split's beyond chance, with the distance: Kolmogorov-Smirnov for numbers
    and dates, the total variation of the shares for categories and classes."""
    kinds = {name: kind for kind in ("numeric", "categorical", "dates")
             for name in getattr(schema, kind)}  # fmt: skip
    kinds[schema.target] = "numeric" if schema.task == "regression" else "categorical"
    first, second = sampled(train), sampled(holdout)
    shifted: dict[str, float] = {}
    for name, kind in kinds.items():
        if kind == "categorical":
            distance = share_distance(first[name], second[name])
            sizes = (len(first), len(second))
        else:
            left, right = as_numbers(first[name], kind), as_numbers(second[name], kind)
            if not len(left) or not len(right):
                continue
            distance = ks_distance(left, right)
            sizes = (len(left), len(right))
        chance = KOLMOGOROV_1_PERCENT * math.sqrt(sum(sizes) / (sizes[0] * sizes[1]))
        if distance > max(SHIFT_DISTANCE, chance):
            shifted[name] = distance
    return dict(sorted(shifted.items(), key=lambda item: -item[1]))
