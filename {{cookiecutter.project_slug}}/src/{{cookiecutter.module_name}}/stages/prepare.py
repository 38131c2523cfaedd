"""Stage 1, prepare: load the source, check it, infer column types, split train/holdout."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.config import DIABETES_COLUMNS, SAMPLE_SOURCE, SAMPLE_TARGET, DataParams, Params
{%- if cookiecutter.data_versioning == "dvc" %}
from ..core.data_version import data_version
{%- endif %}
from ..core.dataset import FEATURE_KINDS, DatasetSchema, PreparedData, as_text, save_prepared
from ..core.errors import PipelineError
from ..core.feedback import QUIET, Feedback
from ..core.texts import text
from ..core.transformers import parse_dates
from .source_size import large_source_size
from .splitting import split_rows
from .validate import csv_header, repeated_column

BUNDLED_SOURCES = (SAMPLE_SOURCE,)
# Diabetes column names as scikit-learn ships them, with the units the study used.
# Text read as dates without being listed in data.dates: ISO 8601 ("2024-01-31",
# "2024-01-31 09:30", "2024-01-31T09:30:00+09:00"). Other formats must be listed.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")
# Named like an id: "id", "patient_id", "order-id", "customerID", "PassengerId".
IDENTIFIER_NAME = re.compile(r"(?i:(^|[_\s.-])(id|uuid))$|[a-z](Id|ID)$")
MIN_ROWS_TO_DETECT_IDS = 20  # fewer rows are too few to call a column unique
NEAR_UNIQUE_SHARE = 0.95  # text with this share of distinct values is not a category
COLUMN_KINDS = (*FEATURE_KINDS, "identifiers")  # the data.* lists that sort columns


def load_source(source: str, root: Path, feedback: Feedback = QUIET) -> pd.DataFrame:
    """Load the bundled diabetes data or a CSV/Parquet file, with a clear error per
    failure; a large file's memory estimate and reading progress go to `feedback`."""
    if source == SAMPLE_SOURCE:
        from sklearn.datasets import load_diabetes  # only the sample needs this import

        bunch = load_diabetes(as_frame=True, scaled=False)
        frame = bunch.frame.rename(columns={**DIABETES_COLUMNS, "target": SAMPLE_TARGET})
        return frame
    if source.startswith("sklearn:"):
        bundled = ", ".join(BUNDLED_SOURCES)
        raise PipelineError(text("error.not_bundled", source=repr(source), bundled=bundled))
    path = root / source
    if not path.is_file():
        raise PipelineError(text("error.source_not_found", path=path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            # Read before pandas renames a repeated name ("age.1").
            refuse_repeated_columns(csv_header(path), path)
            note_size(path, feedback)
            with feedback.reading(path) as handle:
                frame = pd.read_csv(handle)
        elif suffix in (".parquet", ".pq"):
            note_size(path, feedback)
            frame = pd.read_parquet(path)
        else:
            raise PipelineError(text("error.file_type", path=path, suffix=repr(suffix)))
    except pd.errors.EmptyDataError as exc:
        raise PipelineError(text("error.empty", path=path)) from exc
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, csv.Error) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PipelineError(text("error.unreadable", path=path, detail=first_line)) from exc
    if frame.empty:
        raise PipelineError(text("error.no_rows", path=path))
    frame.columns = [str(column).strip() for column in frame.columns]
    refuse_repeated_columns(list(frame.columns), path)  # Parquet keeps repeated names
    return frame


def note_size(path: Path, feedback: Feedback) -> None:
    size = large_source_size(path)
    if size is not None:
        feedback.note(size.describe(path))


def refuse_repeated_columns(names: list[str], path: Path) -> None:
    problem = repeated_column(names, str(path))
    if problem:
        raise PipelineError(problem)


def check_columns(frame: pd.DataFrame, data: DataParams, where: str) -> None:
    """Every column params.yaml names must exist, and none may be entirely empty."""
    if data.target not in frame.columns:
        shown = ", ".join(map(str, frame.columns[:12]))
        message = text("error.no_target", where=where, target=repr(data.target), columns=shown)
        raise PipelineError(message)
    for key, names in data.named_columns().items():
        for name in names:
            if name not in frame.columns:
                message = text("error.no_column", where=where, column=repr(name), setting=key)
                raise PipelineError(message)
    if data.split_column and data.split_column not in frame.columns:
        column = repr(data.split_column)
        raise PipelineError(text("error.no_split_column", where=where, column=column))
    for column in frame.columns:
        if column not in data.drop and frame[column].isna().all():
            raise PipelineError(text("error.empty_column", where=where, column=repr(column)))


@dataclass(frozen=True)
class ColumnKinds:
    """Which columns the model learns from, as what, and which name a row."""

    numeric: list[str]
    categorical: list[str]
    dates: list[str]
    identifiers: list[str]


def looks_like_dates(values: pd.Series) -> bool:
    """Text columns whose every value is an ISO 8601 date or timestamp."""
    present = values.dropna()
    if present.empty or pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    return bool(present.astype(str).str.strip().str.fullmatch(ISO_DATE).all())


def looks_like_identifier(name: str, values: pd.Series) -> bool:
    """An id: whole numbers or text, every value distinct, and named like one ("id",
    "patient_id", "customerID"); or text so nearly unique that no value repeats enough
    to learn from (ids, free text)."""
    present = values.dropna()
    if len(present) < MIN_ROWS_TO_DETECT_IDS or pd.api.types.is_float_dtype(values):
        return False
    distinct = present.nunique()
    if IDENTIFIER_NAME.search(name) and distinct == len(present):
        return True
    is_text = not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    return is_text and distinct >= NEAR_UNIQUE_SHARE * len(present)


def declared_kind(column: str, data: DataParams) -> str | None:
    for kind in COLUMN_KINDS:
        if column in getattr(data, kind):
            return kind
    return None


def inferred_kind(column: str, values: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(values) or looks_like_dates(values):
        return "dates"
    if looks_like_identifier(column, values):
        return "identifiers"
    if pd.api.types.is_bool_dtype(values):
        return "categorical"
    if pd.api.types.is_numeric_dtype(values):
        return "numeric"
    return "categorical"


def check_declared(frame: pd.DataFrame, column: str, kind: str, where: str) -> None:
    """A column params.yaml lists as numeric or dates must hold numbers or dates."""
    values = frame[column]
    if kind == "numeric" and not pd.api.types.is_numeric_dtype(values):
        converted = pd.to_numeric(values, errors="coerce")
    elif kind == "dates":
        converted = parse_dates(values)
    else:
        return
    bad = values[converted.isna() & values.notna()]
    if not bad.empty:
        value = repr(bad.iloc[0])
        message = text(
            "error.not_of_kind", where=where, column=repr(column), kind=kind, value=value
        )
        raise PipelineError(message)


def infer_column_kinds(frame: pd.DataFrame, data: DataParams, where: str) -> ColumnKinds:
    """Sort every column but the target and dropped ones into a kind; params.yaml wins."""
    kinds: dict[str, list[str]] = {kind: [] for kind in COLUMN_KINDS}
    for column in frame.columns:
        if column == data.target or column in data.drop:
            continue
        kind = declared_kind(column, data)
        if kind is None:
            kind = inferred_kind(column, frame[column])
        else:
            check_declared(frame, column, kind, where)
        kinds[kind].append(column)
    if not any(kinds[kind] for kind in FEATURE_KINDS):
        raise PipelineError(text("error.no_features", where=where))
    return ColumnKinds(**kinds)


def check_target(frame: pd.DataFrame, params: Params, where: str) -> None:
    target = frame[params.data.target]
    if params.task == "regression" and not pd.api.types.is_numeric_dtype(target):
        converted = pd.to_numeric(target, errors="coerce")
        example = target[converted.isna() & target.notna()].iloc[0]
        target_name = repr(params.data.target)
        message = text(
            "error.target_not_numeric", where=where, target=target_name, value=repr(example)
        )
        raise PipelineError(message)


def uses_threshold(target: pd.Series, params: Params) -> bool:
    """Whether data.class_threshold turns the target into high/low: only a numeric target
    with more than two values. Labels (text, true/false, or two values such as 0/1) are
    classes as they are, whatever the threshold setting."""
    if params.task != "classification" or params.data.class_threshold is None:
        return False
    is_number = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target)
    return is_number and target.nunique() > 2


def binarize(
    train: pd.DataFrame, holdout: pd.DataFrame, params: Params
) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Turn a numeric target into 1 (above the threshold) / 0, the threshold from train only."""
    target = params.data.target
    setting = params.data.class_threshold
    threshold = float(train[target].median()) if setting == "median" else float(setting or 0)
    labelled = [
        frame.assign(**{target: (frame[target] > threshold).astype(int)})
        for frame in (train, holdout)
    ]
    return labelled[0], labelled[1], threshold


def check_classes(train: pd.DataFrame, params: Params, where: str) -> list[object]:
    counts = train[params.data.target].value_counts()
    if len(counts) < 2:
        raise PipelineError(text("error.one_class", where=where, target=repr(params.data.target)))
    rarest = counts.idxmin()
    if counts.min() < params.cv_folds:
        raise PipelineError(
            text(
                "error.rare_class",
                where=where,
                label=repr(rarest),
                target=repr(params.data.target),
                rows=counts.min(),
                folds=params.cv_folds,
            )
        )
    return sorted(counts.index.tolist(), key=str)


def fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of the loaded table, independent of its file format."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    columns = pd.util.hash_array(np.asarray(frame.columns, dtype=object))
    return hashlib.sha256(hashed.tobytes() + columns.tobytes()).hexdigest()


def prepare(params: Params, root: Path, out_dir: Path, feedback: Feedback = QUIET) -> PreparedData:
    """Load, validate, type and split the source; write train/holdout/schema to out_dir."""
    source = params.data.source
    where = source if source in BUNDLED_SOURCES else str(root / source)
    frame = load_source(source, root, feedback)
    check_columns(frame, params.data, where)
    kinds = infer_column_kinds(frame, params.data, where)
    check_target(frame, params, where)

    labelled = frame[frame[params.data.target].notna()]
    dropped = len(frame) - len(labelled)
    if len(labelled) < 2 * params.cv_folds:
        needed = 2 * params.cv_folds
        raise PipelineError(
            text("error.few_labels", where=where, rows=len(labelled), needed=needed)
        )
    features = [*kinds.numeric, *kinds.categorical, *kinds.dates]
    split_by = params.data.split_column
    also = [split_by] if split_by and split_by not in features else []
    kept = labelled[[*features, params.data.target, *also]].assign(
        **{column: as_text(labelled[column]) for column in kinds.categorical},
        **{column: parse_dates(labelled[column]) for column in kinds.dates},
    )
    thresholded = uses_threshold(kept[params.data.target], params)
    stratified = params.task == "classification" and not thresholded
    train, holdout = split_rows(kept, params, stratified, where)

    classes: list[object] | None = None
    threshold: float | None = None
    if params.task == "classification":
        if thresholded:
            train, holdout, threshold = binarize(train, holdout, params)
        classes = check_classes(train, params, where)

    schema = DatasetSchema(
        source=source,
        target=params.data.target,
        task=params.task,
        numeric=kinds.numeric,
        categorical=kinds.categorical,
        fingerprint=fingerprint(frame),
        rows=len(kept),
        dropped_rows_without_target=dropped,
        classes=classes,
        class_threshold=threshold,
        categories={
            column: sorted(train[column].dropna().unique()) for column in kinds.categorical
        },
        dates=kinds.dates,
        identifiers=kinds.identifiers,
        split=params.data.split,
        split_column=split_by,
{%- if cookiecutter.data_versioning == "dvc" %}
        data_version=None if source in BUNDLED_SOURCES else data_version(root, source),
{%- endif %}
    )
    prepared = PreparedData(train=train, holdout=holdout, schema=schema)
    save_prepared(prepared, out_dir)
    return prepared


def stale_preparation(prepared: PreparedData, params: Params) -> str | None:
    """What differs between params.yaml and the data prepare wrote (source, target or
    task), or None: tuning on another table's rows would tune the wrong model."""
    schema = prepared.schema
    for key, was, now in (
        ("data.source", schema.source, params.data.source),
        ("data.target", schema.target, params.data.target),
        ("task", schema.task, params.task),
    ):
        if was != now:
            return text("prepare.stale", setting=key, now=repr(now), was=repr(was))
    return None
