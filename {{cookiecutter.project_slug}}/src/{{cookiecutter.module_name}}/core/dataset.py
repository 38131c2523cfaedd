"""The prepared dataset: train and holdout splits plus the schema that describes them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .artifacts import atomic_path, read_json, write_json
from .errors import PipelineError

TRAIN_FILE = "train.parquet"
HOLDOUT_FILE = "holdout.parquet"
SCHEMA_FILE = "schema.json"


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

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> DatasetSchema:
        return cls(**payload)


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
    """Read what `prepare` wrote; a clear error when it has not run yet."""
    paths = [in_dir / TRAIN_FILE, in_dir / HOLDOUT_FILE, in_dir / SCHEMA_FILE]
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise PipelineError(f"{missing[0]} not found: run the prepare stage first")
    return PreparedData(
        train=pd.read_parquet(paths[0]),
        holdout=pd.read_parquet(paths[1]),
        schema=DatasetSchema.from_dict(read_json(paths[2])),
    )
