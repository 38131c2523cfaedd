"""How rows are split into train and holdout, and the training rows into folds.

Three ways, chosen in params.yaml `data.split`:

- random: rows drawn at random (stratified by class for classification);
- group: every row of a group (data.split_column, e.g. a patient or a shop) on one side,
  so the model is judged on groups it never saw;
- time: the latest rows by data.split_column (a date or a number) are the holdout, and
  cross-validation folds only ever validate on rows later than those they train on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)

from ..core.config import Params
from ..core.dataset import DatasetSchema, PreparedData
from ..core.errors import PipelineError
from ..core.texts import text
from ..core.transformers import parse_dates


def time_order(values: pd.Series) -> pd.Series:
    """Sortable values of a time column: numbers as they are, anything else as dates."""
    return values if pd.api.types.is_numeric_dtype(values) else parse_dates(values)


def group_labels(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """The group of each row for a group split, missing values a group of their own."""
    return frame[column].fillna("(missing)").astype(str)


def split_rows(
    frame: pd.DataFrame, params: Params, stratified: bool, where: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train and holdout rows, the way params.yaml `data.split` says."""
    data = params.data
    try:
        if data.split == "time":
            order = time_order(frame[data.split_column])
            if order.isna().any():
                column, rows = repr(data.split_column), int(order.isna().sum())
                raise PipelineError(text("error.no_time", where=where, column=column, rows=rows))
            ordered = frame.iloc[order.argsort(kind="stable")]
            cut = len(ordered) - max(1, round(len(ordered) * data.holdout_fraction))
            train, holdout = ordered.iloc[:cut], ordered.iloc[cut:]
        elif data.split == "group":
            splitter = GroupShuffleSplit(
                n_splits=1, test_size=data.holdout_fraction, random_state=params.seed
            )
            groups = group_labels(frame, data.split_column)
            train_rows, holdout_rows = next(splitter.split(frame, groups=groups))
            train, holdout = frame.iloc[train_rows], frame.iloc[holdout_rows]
        else:
            train, holdout = train_test_split(
                frame,
                test_size=data.holdout_fraction,
                random_state=params.seed,
                stratify=frame[data.target] if stratified else None,
            )
    except ValueError as exc:
        raise PipelineError(text("error.no_split", rows=len(frame), detail=exc)) from exc
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


def cv_folds(
    schema: DatasetSchema, train: pd.DataFrame, folds: int, seed: int
) -> tuple[Any, pd.Series | None]:
    """The cross-validation splitter for the training rows, and the groups it needs."""
    classification = schema.task == "classification"
    if schema.split == "time":
        return TimeSeriesSplit(n_splits=folds), None  # train is in time order (split_rows)
    if schema.split == "group":
        groups = group_labels(train, schema.split_column)
        if groups.nunique() < folds:
            column, count = repr(schema.split_column), groups.nunique()
            raise PipelineError(text("error.few_groups", column=column, groups=count, folds=folds))
        splitter = (
            StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
            if classification
            else GroupKFold(folds)
        )
        return splitter, groups
    if classification:
        return StratifiedKFold(folds, shuffle=True, random_state=seed), None
    return KFold(folds, shuffle=True, random_state=seed), None


def whole_groups(
    train: pd.DataFrame, schema: DatasetSchema, limit: int, params: Params
) -> pd.DataFrame:
    """Groups drawn with the seed, each with all its rows, until about `limit` rows (and
    at least a group per fold): rows drawn one by one would thin out the small groups."""
    groups = group_labels(train, schema.split_column)
    sizes = groups.value_counts()
    order = np.random.default_rng(params.seed).permutation(sizes.index.to_numpy())
    reached = int(np.searchsorted(sizes.loc[order].cumsum().to_numpy(), limit)) + 1
    return train[groups.isin(order[: max(params.cv_folds, reached)])]


def cv_rows(prepared: PreparedData, params: Params) -> pd.DataFrame:
    """The training rows cross-validation runs on: all of them, or about `cv_max_rows`
    drawn with the seed when the split is larger (whole groups for a group split; else
    each class in proportion, with at least a row per fold). K fits on a million rows
    take minutes and tell little that the holdout, large by then, does not. The rows keep
    their order, which a time split needs."""
    train = prepared.train
    limit = params.cv_max_rows
    if limit is None or len(train) <= limit:
        return train
    if prepared.schema.split == "group":
        return whole_groups(train, prepared.schema, limit, params)
    strata = (
        list(train.groupby(prepared.schema.target).indices.values())
        if prepared.schema.task == "classification"
        else [np.arange(len(train))]
    )
    fraction = limit / len(train)
    generator = np.random.default_rng(params.seed)
    chosen = [
        generator.choice(rows, size, replace=False)
        for rows in strata
        if (size := min(len(rows), max(params.cv_folds, round(len(rows) * fraction))))
    ]
    return train.iloc[np.sort(np.concatenate(chosen))]
