"""How much memory preparing a data file will take, estimated before it is read: its
rows and bytes per row in memory from a sample of its first rows, against what the
machine has available. Said for large files only, so a run that will swap or be killed
says so first."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq

from ..core.feedback import LARGE_FILE_BYTES
from ..core.texts import plain, text

SAMPLE_ROWS = 2_000
CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")  # "max", or bytes
CGROUP_USED = Path("/sys/fs/cgroup/memory.current")
# prepare holds the table, its kept and typed columns, the two splits and their Parquet
# conversion at once: 4.2 times the loaded table at its peak, measured on a 250 MB CSV
# of 3.3 million rows (an id, a date, numbers, text with gaps; `nox -s bench` prints the
# estimate against the measured peak). Rounded up; plus the interpreter and libraries.
PEAK_OVER_TABLE = 4.5
LIBRARIES_BYTES = 256 * 2**20


@dataclass(frozen=True)
class SourceSize:
    file_bytes: int
    rows: int
    table_bytes: int  # the loaded table, as pandas holds it
    available_bytes: int

    @property
    def peak_bytes(self) -> int:
        return int(self.table_bytes * PEAK_OVER_TABLE) + LIBRARIES_BYTES

    def describe(self, path: Path) -> str:
        """One line: the file, its rows, and the memory preparing it needs."""
        line = text(
            "note.source_size",
            name=path.name,
            megabytes=self.file_bytes / 2**20,
            rows=self.rows,
            needed=self.peak_bytes / 2**30,
            available=self.available_bytes / 2**30,
        )
        if self.peak_bytes > self.available_bytes:
            line += plain("note.source_size.too_large")
        return line


def csv_size(path: Path) -> SourceSize:
    """Rows from the file's size over the bytes of its first rows; memory per row from
    those rows read by pandas, text as Python strings."""
    with path.open("rb") as handle:
        lines = list(itertools.islice(handle, SAMPLE_ROWS + 1))
    sample = pd.read_csv(path, nrows=SAMPLE_ROWS)
    header, body = len(lines[0]), sum(map(len, lines[1:]))
    file_bytes = path.stat().st_size
    rows = len(sample) if body == 0 else round((file_bytes - header) / (body / len(lines[1:])))
    per_row = sample.memory_usage(deep=True).sum() / max(len(sample), 1)
    return SourceSize(file_bytes, rows, int(per_row * rows), available_memory())


def parquet_size(path: Path) -> SourceSize:
    """Rows from the file's metadata; memory per row from its first rows."""
    source = pq.ParquetFile(path)
    rows = source.metadata.num_rows
    first = next(source.iter_batches(batch_size=SAMPLE_ROWS), None)
    sample = first.to_pandas() if first is not None else pd.DataFrame()
    per_row = sample.memory_usage(deep=True).sum() / max(len(sample), 1)
    return SourceSize(path.stat().st_size, rows, int(per_row * rows), available_memory())


def available_memory() -> int:
    """Memory the process can take without swapping (free plus reclaimable caches), or
    less under a container's limit, which the machine's figures do not show."""
    available = int(psutil.virtual_memory().available)
    room = container_room()
    return available if room is None else min(available, room)


def container_room() -> int | None:
    """What is left under this container's memory limit (cgroup v2); None without one."""
    try:
        limit = CGROUP_LIMIT.read_text(encoding="ascii").strip()
        used = int(CGROUP_USED.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return None if limit == "max" else max(int(limit) - used, 0)


def large_source_size(path: Path) -> SourceSize | None:
    """The estimate for a CSV or Parquet file of LARGE_FILE_BYTES or more, else None."""
    if path.stat().st_size < LARGE_FILE_BYTES:
        return None
    return csv_size(path) if path.suffix.lower() == ".csv" else parquet_size(path)
