"""The monitor stage: recent rows against the training split the champion learned from.

The recent rows are what the service recorded (monitoring/requests/), or any batch of
rows in a CSV or Parquet file. Each feature's drift is its population stability index
(core/drift.py); a date column's, the share of rows past the training period. The
predictions drift too when the model's answers move; and when the true outcomes of
recorded requests arrive (a file of request ids and the target), the live value of the
goal's metric is judged against the gate, and the labels' own drift is measured.
Thresholds are the business goal's `monitoring` block. Retraining is due when anything
drifted past them, or the live metric misses the gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.artifacts import write_json
from ..core.dataset import PreparedData, as_text, records_frame
from ..core.drift import ColumnDrift, LiveScore, Monitoring, column_drift, share_after
from ..core.errors import PipelineError
from ..core.goal import BusinessGoal, is_better
from ..core.metrics import predict, score_predictions
from ..core.request_records import is_url, read_recorded
from ..core.texts import text
from ..registry.bundle import LoadedBundle
from .prepare import load_source

REPORT_FILE = "07_monitoring_report.md"
RESULT_FILE = "monitoring.json"
REQUEST_ID = "request_id"


@dataclass(frozen=True)
class Window:
    """The recent rows, as the model's input frame, with what is known about them."""

    features: pd.DataFrame
    source: str
    predictions: np.ndarray | None = None  # as answered, when the service recorded them
    request_ids: list[str] | None = None
    first: str | None = None  # the time of the first and last request
    last: str | None = None
    unreadable: int = 0  # lines of the log that were not records
    first_unreadable: str | None = None


def recorded_at(line: dict[str, Any]) -> datetime:
    """When a request was answered (UTC); a line without a readable time, never."""
    try:
        return datetime.fromisoformat(str(line.get("time")))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def recorded_window(location: str, bundle: LoadedBundle, since: datetime | None) -> Window:
    """The requests the service recorded in a folder (here, or a URL in object storage),
    those since `since` when given."""
    if not is_url(location) and Path(location).is_file():
        raise PipelineError(text("error.requests_file", path=location))
    if not is_url(location) and not Path(location).is_dir():
        raise PipelineError(text("error.no_requests", path=location))
    recorded = read_recorded(location)
    kept = [
        (line, place)
        for line, place in zip(recorded.lines, recorded.places, strict=True)
        if since is None or recorded_at(line) >= since
    ]
    lines, damaged, features = readable_records(kept, bundle)
    times = sorted(str(line.get("time")) for line in lines)
    first_unreadable = recorded.first_unreadable or (damaged[0] if damaged else None)
    return Window(
        features=features,
        source=location,
        predictions=np.asarray([line.get("prediction") for line in lines]),
        request_ids=[str(line.get("request_id")) for line in lines],
        first=times[0] if times else None,
        last=times[-1] if times else None,
        unreadable=recorded.unreadable + len(damaged),
        first_unreadable=first_unreadable,
    )


def readable_records(
    recorded: list[tuple[dict[str, Any], str]], bundle: LoadedBundle
) -> tuple[list[dict[str, Any]], list[str], pd.DataFrame]:
    """The records whose features read as the model's input, where the others are, and
    the model's input frame of the first. The service records only what it accepted, so
    a value of the wrong kind was edited or damaged since; it is skipped and counted
    rather than stopping the stage. Records are checked one by one only when the whole
    batch does not read."""
    lines = [line for line, _ in recorded]
    try:
        return lines, [], records_frame([line["features"] for line in lines], bundle.schema)
    except (ValueError, TypeError):
        pass
    usable, damaged = [], []
    for line, place in recorded:
        try:
            records_frame([line["features"]], bundle.schema)
        except (ValueError, TypeError):
            damaged.append(place)
        else:
            usable.append(line)
    return usable, damaged, records_frame([line["features"] for line in usable], bundle.schema)


def batch_window(path: Path, root: Path, bundle: LoadedBundle) -> Window:
    """Rows of a CSV or Parquet file (a batch scored with `predict`, a day's data)."""
    frame = load_source(str(path), root)
    missing = [name for name in bundle.schema.features if name not in frame.columns]
    if missing:
        raise PipelineError(text("error.batch_columns", path=path, columns=", ".join(missing)))
    ids = frame[REQUEST_ID].astype(str).tolist() if REQUEST_ID in frame.columns else None
    return Window(records_frame(frame.to_dict("records"), bundle.schema), str(path), None, ids)


def read_labels(path: Path, root: Path, target: str) -> pd.DataFrame:
    """The true outcomes that arrived: a request id and the target per row."""
    labels = load_source(str(path), root)
    missing = [name for name in (REQUEST_ID, target) if name not in labels.columns]
    if missing:
        raise PipelineError(text("error.label_columns", path=path, columns=", ".join(missing)))
    labels = labels[[REQUEST_ID, target]].dropna()
    return labels.assign(**{REQUEST_ID: labels[REQUEST_ID].astype(str)})


def feature_drift(
    reference: pd.DataFrame, current: pd.DataFrame, bundle: LoadedBundle, threshold: float
) -> tuple[list[ColumnDrift], dict[str, float]]:
    """Each numeric and categorical feature's drift; each date column's share of rows
    past the training period."""
    schema = bundle.schema
    kinds = {
        **dict.fromkeys(schema.numeric, "numeric"),
        **dict.fromkeys(schema.categorical, "categorical"),
    }
    drifts = [
        column_drift(name, kind, reference[name], current[name], threshold)
        for name, kind in kinds.items()
    ]
    dates = {name: share_after(reference[name], current[name]) for name in schema.dates}
    return drifts, dates


def answers(bundle: LoadedBundle, features: pd.DataFrame) -> pd.Series:
    """The model's answers as compared: numbers for regression, class labels as text."""
    predicted = bundle.predict(features)
    if bundle.schema.task == "regression":
        return pd.Series(predicted.astype(float))
    return as_text(pd.Series(predicted))


def live_score(
    window: Window,
    labels: pd.DataFrame,
    prepared: PreparedData,
    bundle: LoadedBundle,
    goal: BusinessGoal,
) -> LiveScore:
    """The goal's metric on the labelled recent rows, against the gate's threshold."""
    schema, monitoring = bundle.schema, goal.monitoring
    ids = pd.Series(window.request_ids or [], dtype="string")
    known = labels.drop_duplicates(REQUEST_ID, keep="last").set_index(REQUEST_ID)[schema.target]
    matched = ids.isin(known.index).to_numpy()
    truth = known.reindex(ids[matched]).reset_index(drop=True)
    if schema.class_threshold is not None:  # labelled as the training split was
        truth = (pd.to_numeric(truth) > schema.class_threshold).astype(int)
    holdout = (bundle.entry.get("holdout") or {}).get(goal.metric)
    if matched.sum() < monitoring.min_rows:
        return LiveScore(int(matched.sum()), goal.metric, None, holdout, goal.threshold, None, None)
    rows = window.features[matched].reset_index(drop=True)
    predicted = predict(bundle.model, rows[schema.features], schema.task)
    labels_as_trained = truth.astype(float) if schema.task == "regression" else truth
    scores = score_predictions(labels_as_trained, predicted, goal.values_for(schema.task))
    value = scores[goal.metric]
    met = value == goal.threshold or is_better(value, goal.threshold, goal.direction)
    kind = "numeric" if schema.task == "regression" else "categorical"
    reference = prepared.labels(prepared.train)
    if kind == "categorical":
        reference, truth = as_text(reference), as_text(truth)
    drift = column_drift(schema.target, kind, reference, truth, monitoring.drift_psi)
    return LiveScore(len(rows), goal.metric, value, holdout, goal.threshold, met, drift)


def monitor(
    window: Window,
    prepared: PreparedData,
    bundle: LoadedBundle,
    goal: BusinessGoal,
    labels: pd.DataFrame | None = None,
) -> Monitoring:
    """The drift of `window` from the training split, and whether to retrain."""
    thresholds = goal.monitoring
    rows = len(window.features)
    judged = rows >= thresholds.min_rows
    reference = prepared.features(prepared.train)
    # No recent row, no distribution to compare: an empty column is not a drifted one.
    features: list[ColumnDrift] = []
    dates: dict[str, float] = {}
    prediction = None
    if rows:
        features, dates = feature_drift(reference, window.features, bundle, thresholds.drift_psi)
        current = (
            answers(bundle, window.features)
            if window.predictions is None
            else pd.Series(window.predictions)
        )
        if bundle.schema.task == "regression":
            current = pd.to_numeric(current, errors="coerce")
        else:
            current = as_text(current)
        # Its answers on every prepared row: the holdout alone is too few rows to bin
        # (a fifth of the table), and a noisy reference raises false alarms.
        everything = pd.concat([prepared.train, prepared.holdout], ignore_index=True)
        expected = answers(bundle, prepared.features(everything))
        kind = "numeric" if bundle.schema.task == "regression" else "categorical"
        prediction = column_drift("prediction", kind, expected, current, thresholds.drift_psi)
    live = None
    if labels is not None:
        live = live_score(window, labels, prepared, bundle, goal)
    reasons = retrain_reasons(features, prediction, live) if judged else []
    return Monitoring(
        source=window.source,
        rows=rows,
        model_version=bundle.version,
        judged=judged,
        features=features,
        dates_after_training=dates,
        prediction=prediction,
        live=live,
        retrain=bool(reasons),
        reasons=reasons,
        first=window.first,
        last=window.last,
        unreadable=window.unreadable,
        first_unreadable=window.first_unreadable,
        thresholds=thresholds.model_dump(),
    )


def retrain_reasons(
    features: list[ColumnDrift], prediction: ColumnDrift | None, live: LiveScore | None
) -> list[str]:
    """Why retraining is due, one sentence each; empty when it is not."""
    reasons = [
        text("monitor.reason.feature", column=drift.column, psi=drift.psi)
        for drift in features
        if drift.drifted
    ]
    if prediction is not None and prediction.drifted:
        reasons.append(text("monitor.reason.prediction", psi=prediction.psi))
    if live is not None and live.met is False:
        reasons.append(
            text(
                "monitor.reason.metric",
                metric=live.metric,
                value=live.value,
                threshold=live.threshold,
            )
        )
    if live is not None and live.labels is not None and live.labels.drifted:
        reasons.append(text("monitor.reason.labels", psi=live.labels.psi))
    return reasons


def write_result(result: Monitoring, reports_dir: Path) -> Path:
    """reports/monitoring.json: what the report says, for scripts and CI."""
    return write_json(reports_dir / RESULT_FILE, result.to_dict())
