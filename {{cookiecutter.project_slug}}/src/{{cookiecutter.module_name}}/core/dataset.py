"""The prepared dataset: train and holdout splits plus the schema that describes them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .artifacts import atomic_path, read_json, write_json
from .errors import PipelineError
from .texts import text

TRAIN_FILE = "train.parquet"
HOLDOUT_FILE = "holdout.parquet"
SCHEMA_FILE = "schema.json"
# The kinds of feature column, as params.yaml `data` and the schema name them.
FEATURE_KINDS = ("numeric", "categorical", "dates")
# A categorical feature with at most this many training values is a closed choice at
# the API (an enum, so a typo is refused); one with more accepts any text, and a value
# never seen in training is scored as the encoder's "infrequent" group.
MAX_LISTED_CATEGORIES = 50


@dataclass(frozen=True)
class DatasetSchema:
    """What the model sees: saved next to the data and, later, next to the model."""

    source: str
    target: str
    task: str
    numeric: list[str]
    categorical: list[str]
    fingerprint: str
    rows: int
    dropped_rows_without_target: int
    # Classification only: the label values, the positive one last.
    classes: list[Any] | None = None
    # Classification on a numeric target: labels are 1 when target > threshold.
    class_threshold: float | None = None
    # The values each categorical feature takes in the training split, sorted.
    categories: dict[str, list[str]] = field(default_factory=dict)
    # Date columns: the model learns calendar numbers from them (core/transformers.py).
    dates: list[str] = field(default_factory=list)
    # Columns that name a row (an id): never features, passed through by `predict`.
    identifiers: list[str] = field(default_factory=list)
    # How train and holdout were split (random, group, time) and by which column; the
    # training rows keep that column, so cross-validation splits the same way.
    split: str = "random"
    split_column: str | None = None
{%- if cookiecutter.data_versioning == "dvc" %}
    # The source file's version as DVC keeps it (core/data_version.py): what the
    # registry's lineage names to bring this data back. None: data a library ships.
    data_version: dict[str, Any] | None = None
{%- endif %}

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical, *self.dates]

    def is_boolean(self, name: str) -> bool:
        """A categorical feature read as true/false: its categories are the text of
        Python's booleans (how prepare stores a boolean column)."""
        known = set(self.categories.get(name, []))
        return name in self.categorical and bool(known) and known <= {"False", "True"}

    def listed_categories(self, name: str) -> list[str] | None:
        """The values a categorical feature is limited to at the API, or None when it
        has too many to list (any text is then accepted)."""
        known = self.categories.get(name, [])
        return known if 0 < len(known) <= MAX_LISTED_CATEGORIES else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> DatasetSchema:
        return cls(**payload)


def as_text(values: pd.Series) -> pd.Series:
    """Categorical values as plain strings with NaN for missing, as the encoder expects."""
    present = values.notna()
    if pd.api.types.is_string_dtype(values):
        # Text already (a CSV's text column): only the container changes, a third of
        # the time of converting each value again on a million rows.
        return values.astype(object).where(present, np.nan)
    # str() of each value, as models trained earlier saw them (float32 0.1 stays
    # "0.10000000149011612"), in one numpy pass rather than a Python call per cell.
    return values.astype(object).astype(str).astype(object).where(present, np.nan)


def records_frame(records: list[dict[str, Any]], schema: DatasetSchema) -> pd.DataFrame:
    """Records (from JSON, a form or a file) as the model's input frame: the schema's
    feature columns in order, numbers as floats, categories as text, and every missing
    value (None, a blank) as NaN, which the model's imputers fill in."""
    frame = pd.DataFrame.from_records(records, columns=schema.features)
    return conform(frame, schema)


def conform(frame: pd.DataFrame, schema: DatasetSchema) -> pd.DataFrame:
    """The schema's feature columns of `frame`, each as the model's pipeline expects it."""
    features = frame[schema.features]
    converted = {
        **{name: pd.to_numeric(features[name], errors="raise") for name in schema.numeric},
        **{name: as_text(features[name]) for name in schema.categorical},
        # Dates stay as they are: the model's CalendarFeatures step parses them.
        **{name: features[name] for name in schema.dates},
    }
    return pd.DataFrame(converted, index=features.index)[schema.features]


@dataclass(frozen=True)
class PreparedData:
    train: pd.DataFrame
    holdout: pd.DataFrame
    schema: DatasetSchema

    def features(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[self.schema.features]

    def labels(self, frame: pd.DataFrame) -> pd.Series:
        return frame[self.schema.target]


def save_prepared(prepared: PreparedData, out_dir: Path) -> None:
    for name, frame in ((TRAIN_FILE, prepared.train), (HOLDOUT_FILE, prepared.holdout)):
        with atomic_path(out_dir / name) as temporary:
            frame.to_parquet(temporary, index=False)
    write_json(out_dir / SCHEMA_FILE, prepared.schema.to_dict())


def load_prepared(in_dir: Path) -> PreparedData:
    """Read what `prepare` wrote; a clear error when it has not run yet.

    The splits are read once per process while their files stay the same: `run` hands
    them from stage to stage instead of reading them four times (a fifth of a second
    each on a million rows). Shared, so read-only: no stage modifies them in place.
    """
    paths = (in_dir / TRAIN_FILE, in_dir / HOLDOUT_FILE, in_dir / SCHEMA_FILE)
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise PipelineError(text("error.run_first", path=missing[0], stage="prepare"))
    return read_prepared(paths, file_identities(paths))


def file_identities(paths: tuple[Path, ...]) -> tuple[tuple[int, int, int], ...]:
    """Each file's inode, size and modification time: a file rewritten by prepare (a new
    file renamed into place, core/artifacts.py) never has all three of the old one."""
    stats = [path.stat() for path in paths]
    return tuple((stat.st_ino, stat.st_size, stat.st_mtime_ns) for stat in stats)


@lru_cache(maxsize=1)
def read_prepared(
    paths: tuple[Path, ...], identities: tuple[tuple[int, int, int], ...]
) -> PreparedData:
    """The splits in `paths` (train, holdout, schema); `identities` keys the cache."""
    train, holdout, schema = paths
    return PreparedData(
        train=pd.read_parquet(train),
        holdout=pd.read_parquet(holdout),
        schema=DatasetSchema.from_dict(read_json(schema)),
    )
