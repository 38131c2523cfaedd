"""A large data file is announced before it is read (its rows and the memory preparing it
needs, against what is available) and its reading shows progress."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
import yaml
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli import feedback as cli_feedback
from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.cli.feedback import ConsoleFeedback
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import plain, text
from {{ cookiecutter.module_name }}.stages import source_size
from {{ cookiecutter.module_name }}.stages.source_size import csv_size, parquet_size

ROWS = 20_000


def orders(rows: int, seed: int = 0) -> pd.DataFrame:
    """A table like a team's: an id, a date, numbers with gaps, text classes."""
    generator = np.random.default_rng(seed)
    amount = generator.normal(100, 30, rows)
    amount[generator.random(rows) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "order_id": [f"A-{number:07d}" for number in range(rows)],
            "ordered_on": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(generator.integers(0, 700, rows), "D"),
            "amount": amount,
            "items": generator.integers(1, 9, rows),
            "channel": generator.choice(["web", "store", "phone"], rows),
        }
    )


@pytest.fixture
def orders_csv(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    orders(ROWS).to_csv(path, index=False)
    return path


def test_a_csv_estimate_is_close_to_the_table_pandas_loads(orders_csv: Path) -> None:
    size = csv_size(orders_csv)
    loaded = pd.read_csv(orders_csv)
    assert size.rows == pytest.approx(ROWS, rel=0.05)
    assert size.table_bytes == pytest.approx(loaded.memory_usage(deep=True).sum(), rel=0.1)
    assert size.peak_bytes > size.table_bytes


def test_a_parquet_estimate_reads_the_rows_from_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    orders(ROWS).to_parquet(path)
    size = parquet_size(path)
    assert size.rows == ROWS
    loaded = pd.read_parquet(path)
    assert size.table_bytes == pytest.approx(loaded.memory_usage(deep=True).sum(), rel=0.1)


def test_the_note_warns_when_the_machine_has_too_little_memory(
    orders_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roomy = csv_size(orders_csv).describe(orders_csv)
    assert roomy.startswith("orders.csv: 1 MB")
    warning = plain("note.source_size.too_large")
    assert warning not in roomy
    monkeypatch.setattr(source_size, "available_memory", lambda: 1_000)
    assert csv_size(orders_csv).describe(orders_csv).endswith(warning)


def test_prepare_announces_a_large_file_and_still_prepares_it(
    paths: ProjectPaths, orders_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_size, "LARGE_FILE_BYTES", 1_000)
    table = orders(ROWS).assign(late=lambda frame: frame["items"] > 4)
    table.to_csv(paths.root / "orders.csv", index=False)
    params = yaml.safe_load(paths.params.read_text())
    params |= {"task": "classification", "data": {"source": "orders.csv", "target": "late"}}
    params["model"] = {"name": "logistic", "params": {"C": 1.0, "max_iter": 1000}}
    paths.params.write_text(yaml.safe_dump(params))
    result = CliRunner().invoke(app, ["prepare", "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    note, summary = result.output.strip().splitlines()
    assert note.startswith("orders.csv: 1 MB")
    assert " GB" in note
    # The line up to the holdout's count, in the project's language.
    start = text("summary.prepare", train=round(ROWS * 0.8), holdout=-1).split("-1")[0]
    assert summary.startswith(f"prepare: {start}")


def test_reading_a_large_file_advances_a_bar_to_its_size(
    orders_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_feedback, "LARGE_FILE_BYTES", 1_000)
    progress = Progress(console=Console(file=io.StringIO()))
    with progress, ConsoleFeedback(progress).reading(orders_csv) as handle:
        frame = pd.read_csv(handle)
        (task,) = progress.tasks
        assert task.description == text("cli.reading", name="orders.csv")
        assert task.completed == task.total == orders_csv.stat().st_size
    assert progress.tasks == []  # the bar goes once the file is read
    assert len(frame) == ROWS


def test_a_containers_memory_limit_caps_what_is_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit, used = tmp_path / "memory.max", tmp_path / "memory.current"
    monkeypatch.setattr(source_size, "CGROUP_LIMIT", limit)
    monkeypatch.setattr(source_size, "CGROUP_USED", used)
    limit.write_text(f"{2 * 2**30}\n")
    used.write_text(f"{2**29}\n")
    assert source_size.available_memory() == min(3 * 2**29, psutil.virtual_memory().available)
    limit.write_text("max\n")  # no limit: the machine's figure
    assert source_size.container_room() is None
