"""Transformers of our own that saved models contain, so serving applies them too.

A model file refers to these classes by name; core/model_io.py trusts this package's
own types when it loads one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

# What a date or timestamp becomes: enough for seasonality (month, weekday), a trend
# (days since 1970) and the time of day, all numbers the next steps impute and scale.
CALENDAR_PARTS = ("year", "month", "day", "weekday", "hour", "epoch_days")
SECONDS_PER_DAY = 86_400


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as UTC timestamps; values that are no date become NaT (missing).

    ISO 8601 text ("2024-01-31", "2024-01-31T09:30:00+09:00") is read strictly; any
    other text is read by pandas's general parser, one value at a time. Times without
    a zone are taken as UTC.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, utc=True)
    parsed = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    unread = parsed.isna() & values.notna()
    if unread.any():
        parsed[unread] = pd.to_datetime(
            values[unread].astype(str), errors="coerce", utc=True, format="mixed"
        )
    return parsed


def calendar_parts(values: pd.Series) -> pd.DataFrame:
    """One column per calendar part; NaN where the date is missing."""
    stamps = parse_dates(values)
    naive = stamps.dt.tz_localize(None)
    epoch_days = (naive - pd.Timestamp(0)).dt.total_seconds() / SECONDS_PER_DAY
    parts = {
        "year": stamps.dt.year,
        "month": stamps.dt.month,
        "day": stamps.dt.day,
        "weekday": stamps.dt.day_of_week,
        "hour": stamps.dt.hour,
        "epoch_days": epoch_days,
    }
    return pd.DataFrame({name: parts[name].astype(float) for name in CALENDAR_PARTS})


class CalendarFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Date columns to calendar numbers (see CALENDAR_PARTS), so a date never seen in
    training is scored like any other instead of being an unknown category."""

    def fit(self, features: Any, target: Any = None) -> CalendarFeatures:
        frame = pd.DataFrame(features)
        self.feature_names_in_ = np.asarray([str(name) for name in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, features: Any) -> np.ndarray:
        frame = pd.DataFrame(features)
        blocks = [calendar_parts(frame[column]).to_numpy() for column in frame.columns]
        return np.hstack(blocks) if blocks else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray(
            [f"{name}_{part}" for name in names for part in CALENDAR_PARTS], dtype=object
        )
