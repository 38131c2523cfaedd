"""Batch prediction: score a CSV or Parquet file with a registered model, chunk by chunk.

The file is read and written a chunk of rows at a time, so a file larger than memory
works. Each chunk is checked against the training schema first; a problem stops the run
with one line per column at fault (naming the row), and the output file is written only
when every row was scored, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..core.artifacts import atomic_path
from ..core.dataset import DatasetSchema, conform
from ..core.errors import PipelineError
from ..core.texts import text
from ..core.transformers import parse_dates
from ..registry.bundle import LoadedBundle

CHUNK_ROWS = 100_000
FORMATS = (".csv", ".parquet", ".pq")
PREDICTION_COLUMN = "prediction"
LISTED_PROBLEMS = 10  # a file with more bad columns reports these and counts the rest
# Chunks of a file, each with how far the file has been read: (rows, units read, units in all).
Chunks = Iterator[tuple[pd.DataFrame, int, int]]


@dataclass(frozen=True)
class BatchProgress:
    """How far a batch has come: rows scored, and units read of the whole (bytes of a
    CSV file, rows of a Parquet file)."""

    rows: int
    done: int
    total: int


def no_progress(progress: BatchProgress) -> None:
    """The default progress callback: report nothing."""


def file_format(path: Path, role: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        output = role == "output"
        raise PipelineError(
            text("error.file_type.role", path=path, suffix=repr(suffix), output=output)
        )
    return "csv" if suffix == ".csv" else "parquet"


def csv_chunks(path: Path, schema: DatasetSchema, chunk_rows: int) -> Chunks:
    """Chunks of a CSV file with the bytes read so far and the file's size. Identifiers
    are read as text, so "007" stays "007"."""
    total = path.stat().st_size
    with path.open("rb") as handle:
        reader = pd.read_csv(
            handle, chunksize=chunk_rows, dtype=dict.fromkeys(schema.identifiers, "string")
        )
        try:
            for chunk in reader:
                yield chunk, handle.tell(), total
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PipelineError(text("error.unreadable", path=path, detail=first_line)) from exc


def parquet_chunks(path: Path, chunk_rows: int) -> Chunks:
    """Chunks of a Parquet file with the rows read so far and the file's row count."""
    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PipelineError(text("error.unreadable", path=path, detail=exc)) from exc
    total = source.metadata.num_rows
    done = 0
    for batch in source.iter_batches(batch_size=chunk_rows):
        done += batch.num_rows
        yield batch.to_pandas(), done, total


def read_chunks(path: Path, schema: DatasetSchema, chunk_rows: int) -> Chunks:
    if not path.is_file():
        raise PipelineError(text("error.input_not_found", path=path))
    if path.stat().st_size == 0:
        raise PipelineError(text("error.empty", path=path))
    if file_format(path, "input") == "csv":
        return csv_chunks(path, schema, chunk_rows)
    return parquet_chunks(path, chunk_rows)


def unreadable(values: pd.Series, converted: pd.Series) -> pd.Series:
    """The values given that did not convert."""
    return values[converted.isna() & values.notna()]


def chunk_problems(chunk: pd.DataFrame, schema: DatasetSchema, first_row: int) -> list[str]:
    """One sentence per feature column at fault: absent, or holding values the model
    cannot read (rows counted from 1, the header not included). Blank cells are fine:
    the model fills them in."""
    problems = [
        text("error.column_absent", column=repr(name))
        for name in schema.features
        if name not in chunk
    ]
    for name in schema.numeric + schema.dates:
        if name not in chunk:
            continue
        values = chunk[name]
        if name in schema.numeric:
            kind = "numeric"
            numbers = pd.to_numeric(values, errors="coerce").astype(float)
            converted = numbers.where(np.isfinite(numbers))  # "inf" is no measurement
        else:
            kind = "dates"
            converted = parse_dates(values)
        bad = unreadable(values, converted)
        if not bad.empty:
            row = first_row + chunk.index.get_loc(bad.index[0]) + 1
            problems.append(
                text(
                    "error.unreadable_value",
                    column=repr(name),
                    row=row,
                    value=repr(bad.iloc[0]),
                    kind=kind,
                    others=len(bad) - 1,
                )
            )
    return problems


def scored_frame(
    bundle: LoadedBundle, chunk: pd.DataFrame, first_row: int, source: Path
) -> pd.DataFrame:
    """Identifier columns as given, the prediction, and each class's probability."""
    features = conform(chunk, bundle.schema)
    with np.errstate(over="ignore", invalid="ignore"):
        predictions = np.asarray(bundle.model.predict(features))
        probabilities = (
            np.asarray(bundle.model.predict_proba(features))
            if bundle.schema.task == "classification" and hasattr(bundle.model, "predict_proba")
            else None
        )
    numbers = predictions if probabilities is None else probabilities
    finite = np.isfinite(np.asarray(numbers, dtype=float)).reshape(len(chunk), -1).all(axis=1)
    if not finite.all():
        row = first_row + int(np.flatnonzero(~finite)[0]) + 1
        rows = int((~finite).sum())
        raise PipelineError(text("error.overflow", path=source, row=row, rows=rows))
    identifiers = [name for name in bundle.schema.identifiers if name in chunk]
    out = chunk[identifiers].reset_index(drop=True)
    out[PREDICTION_COLUMN] = predictions
    if probabilities is not None:
        for index, label in enumerate(bundle.model.classes_):
            out[f"probability_{label}"] = probabilities[:, index]
    return out


class TableSink:
    """Writes chunks to one CSV or Parquet file with Arrow's writers (several times
    faster than pandas's CSV writer), every chunk cast to the first one's schema."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self.writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None
        self.schema: pa.Schema | None = None

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.writer = (
                pa_csv.CSVWriter(self.path, table.schema)
                if self.kind == "csv"
                else pq.ParquetWriter(self.path, table.schema)
            )
        self.writer.write_table(table.cast(self.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@contextmanager
def open_sink(path: Path, kind: str) -> Iterator[TableSink]:
    sink = TableSink(path, kind)
    try:
        yield sink
    finally:
        sink.close()


def problems_message(source: Path, problems: list[str]) -> str:
    """One line per problem; the first line names the file."""
    if len(problems) == 1:
        return f"{source}: {problems[0]}"
    shown = problems[:LISTED_PROBLEMS]
    more = len(problems) - len(shown)
    lines = [text("error.problems", path=source, count=len(problems))]
    lines += [f"  {item}" for item in shown]
    return "\n".join([*lines, f"  {text('error.more', count=more)}"] if more else lines)


def predict_file(
    bundle: LoadedBundle,
    source: Path,
    target: Path,
    chunk_rows: int = CHUNK_ROWS,
    report: Callable[[BatchProgress], None] = no_progress,
) -> int:
    """Score every row of `source` into `target` (CSV or Parquet, by suffix); returns
    the number of rows. `target` appears only once every row is scored."""
    if source.resolve() == target.resolve():
        raise PipelineError(text("error.output_is_input", path=target))
    kind = file_format(target, "output")
    chunks = read_chunks(source, bundle.schema, chunk_rows)
    rows = 0
    with atomic_path(target) as temporary, open_sink(temporary, kind) as sink:
        for chunk, done, total in chunks:
            if chunk.empty:  # a header without rows
                continue
            problems = chunk_problems(chunk, bundle.schema, rows)
            if problems:
                raise PipelineError(problems_message(source, problems))
            sink.write(scored_frame(bundle, chunk, rows, source))
            rows += len(chunk)
            report(BatchProgress(rows=rows, done=done, total=total))
        if rows == 0:
            raise PipelineError(text("error.no_rows", path=source))
    return rows
