"""Speed and memory on a large table: `nox -s bench` (or `nox -s bench -- 200000` rows).

A synthetic table (an id, two numbers, a category with gaps, a date, a numeric target) is
written to a scratch copy of this project, which is then pointed at it. Each measurement
runs in a fresh interpreter, as a user's command would:

- `run` (every stage, each one's seconds below it) against fitting the same scikit-learn
  Pipeline on the same rows alone, both as whole processes (start-up, imports and reading
  the file included): the pipeline's overhead as a ratio;
- `prepare` alone: its peak memory against the estimate it states before reading a
  large file (stages/source_size.py);
- `predict` of the whole table: the command's time (start-up and loading the model
  included) and peak memory, and the rows per second of scoring itself (read, check,
  predict, write), which is what grows with the file;
- on the bundled sample data: analyze's time (its checks: ranges, associations, leakage,
  holdout against training), evaluate's (intervals, importance, calibration) and `tune`
  with SAMPLE_TRIALS trials (opt-in, not part of `run`).
{%- if cookiecutter.serving == "fastapi" %}
- `serve` under load (serving_load.py), one worker process per core: one record per
  request over loopback, from one client and then from CLIENTS at once: requests per
  second, median and 99th-percentile latency, errors, and the throughput ratio of many
  clients to one; and one client's median latency with the request log off, against
  which recording every request is a ratio.
{%- endif %}
"""

from __future__ import annotations

import json
{%- if cookiecutter.serving == "fastapi" %}
import os
{%- endif %}
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
{%- if cookiecutter.serving == "fastapi" %}
from serving_load import load, served
{%- endif %}

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_ROWS = 1_000_000
{%- if cookiecutter.serving == "fastapi" %}
CLIENTS = 8
LOAD_REQUESTS = 2_000  # from CLIENTS clients; a quarter as many from one
{%- endif %}
# Run in a fresh interpreter, as a user's command: prints the peak memory in KiB last.
MEASURE = """
import resource, sys
from {module}.cli.app import app
try:
    app(sys.argv[1:])
except SystemExit as stop:
    if stop.code:
        raise
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
# What prepare states before reading a large file: the peak memory it expects, in bytes.
ESTIMATE = """
import sys
from pathlib import Path
from {module}.stages.source_size import csv_size
print(csv_size(Path(sys.argv[1])).peak_bytes)
"""
# The same Pipeline `train` builds, fitted once on every row, in a fresh interpreter too:
# start-up, imports and reading the file included, as they are in `run`.
BARE_FIT = """
import json, sys
from pathlib import Path
import pandas as pd
from {module}.core.config import load_params
from {module}.core.dataset import DatasetSchema, conform
from {module}.stages.train import build_model
root = Path(sys.argv[1])
schema = DatasetSchema.from_dict(json.loads((root / "data/interim/schema.json").read_text()))
params = load_params(root / "params.yaml")
table = pd.read_csv(root / "table.csv")
build_model(schema, params).fit(conform(table, schema), table[schema.target])
"""
# A stage's summary line ends with its seconds: "train: ridge: CV rmse 6.5 (16.7s)".
STAGE_LINE = re.compile(r"^(\w+): .*\((\d+\.\d+)s\)$", re.MULTILINE)


# Scoring alone, after start-up: the champion loaded, then the file read, scored, written.
SCORING = """
import sys, time
from pathlib import Path
from {module}.cli.app import load_model
from {module}.stages.predict import predict_file
root = Path(sys.argv[1])
bundle = load_model(root, None)
started = time.perf_counter()
predict_file(bundle, root / "table.csv", root / "scored_again.csv")
print(time.perf_counter() - started)
"""


def module_name() -> str:
    return next(path.name for path in (PROJECT / "src").iterdir() if (path / "cli").is_dir())


def write_table(path: Path, rows: int, seed: int = 0) -> None:
    generator = np.random.default_rng(seed)
    days = generator.integers(0, 1000, rows)
    size = generator.normal(50, 15, rows)
    region = generator.choice(["north", "south", "east", "west", "centre"], rows).astype(object)
    region[generator.random(rows) < 0.05] = None
    table = pd.DataFrame(
        {
            "order_id": np.arange(rows),
            "ordered_on": (pd.Timestamp("2022-01-01") + pd.to_timedelta(days, "D")).strftime(
                "%Y-%m-%d"
            ),
            "size": size,
            "distance": generator.exponential(10, rows),
            "region": region,
        }
    )
    weekend = pd.to_datetime(table["ordered_on"]).dt.day_of_week >= 5
    noise = generator.normal(0, 5, rows)
    table["y"] = 2 * size + 10 * (region == "north") + 15 * weekend + 0.01 * days + noise
    table.to_csv(path, index=False)


def regression_project(root: Path, data: dict[str, str], threshold: float) -> Path:
    """A copy of this project's params (a ridge regression on `data`) and a goal of RMSE
    at most `threshold`, in `root`."""
    (root / "docs").mkdir(parents=True)
    params = yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))
    params["task"] = "regression"
    params["data"] = data
    params["model"] = {"name": "ridge", "params": {"alpha": 1.0}}
    (root / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    goal = (
        f"---\nmetric: rmse\ndirection: minimize\nthreshold: {threshold}\nmust_beat: dummy\n---\n"
    )
    (root / "docs" / "01_business_understanding.md").write_text(goal, encoding="utf-8")
    return root


def scratch_project(folder: Path, rows: int) -> Path:
    """The project pointed at a synthetic table of `rows` rows."""
    root = regression_project(folder / "project", {"source": "table.csv", "target": "y"}, 1000)
    write_table(root / "table.csv", rows)
    return root


SAMPLE_TRIALS = 10  # tune's trials on the sample data


def sample_project(folder: Path) -> Path:
    """The project pointed at the bundled sample, for the steps whose time the sample
    shows: evaluate's checks, tune."""
    sample = {"source": "sklearn:diabetes", "target": "progression"}
    return regression_project(folder / "sample", sample, 60)


def fresh(snippet: str, module: str, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a snippet in a fresh interpreter: its wall seconds (start-up included) and
    what it printed."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", snippet.format(module=module), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started, result


def measured(module: str, *args: str) -> tuple[float, float, str]:
    """A command's wall seconds, its peak memory in MiB (MEASURE prints it last on
    stdout) and everything it printed (stage lines go to stderr)."""
    seconds, result = fresh(MEASURE, module, *args)
    kilobytes = result.stdout.split()[-1]
    return seconds, float(kilobytes) / 1024, result.stdout + result.stderr


def main(rows: int) -> None:
    module = module_name()
    with tempfile.TemporaryDirectory() as folder:
        root = scratch_project(Path(folder), rows)
        _, prepare_memory, _ = measured(module, "prepare", "--root", str(root))
        _, estimate = fresh(ESTIMATE, module, str(root / "table.csv"))
        estimated_memory = int(estimate.stdout.split()[-1]) / 2**20
        run_seconds, run_memory, run_output = measured(module, "run", "--root", str(root))
        fit_seconds, _ = fresh(BARE_FIT, module, str(root))
        scored = root / "scored.csv"
        predict_seconds, predict_memory, _ = measured(
            module, "predict", str(root / "table.csv"), "-o", str(scored), "--root", str(root)
        )
        _, scoring = fresh(SCORING, module, str(root))
        scoring_seconds = float(scoring.stdout.split()[-1])
        metrics = json.loads((root / "reports" / "metrics.json").read_text(encoding="utf-8"))
        sample = sample_project(Path(folder))
        _, _, sample_output = measured(module, "run", "--root", str(sample))
        tune_seconds, _, tune_output = measured(
            module, "tune", "--trials", str(SAMPLE_TRIALS), "--root", str(sample)
        )
        sample_stages = dict(STAGE_LINE.findall(sample_output + tune_output))
{%- if cookiecutter.serving == "fastapi" %}
        record = json.loads((root / "models/candidate/training.json").read_text())["example"]
        workers = os.cpu_count() or 1
        # One client on a service not recording, then on one recording, before any load
        # from many clients: each measured on a machine in the same state.
        with served(root, workers, record=False) as url:
            unrecorded = load(f"{url}/predict", record["features"][0], 1, LOAD_REQUESTS // 4)
        with served(root, workers) as url:
            alone = load(f"{url}/predict", record["features"][0], 1, LOAD_REQUESTS // 4)
            together = load(f"{url}/predict", record["features"][0], CLIENTS, LOAD_REQUESTS)
{%- endif %}
    rows_per_second = rows / scoring_seconds
    print(f"synthetic table: {rows:,} rows; holdout rmse {metrics['holdout']['rmse']:.3g}")
    print(f"{'measure':<34}{'value':>14}  target")
    print(f"{'run (every stage), s':<34}{run_seconds:>14.1f}")
    for stage, seconds in STAGE_LINE.findall(run_output):
        print(f"{'  ' + stage + ', s':<34}{float(seconds):>14.1f}")
    print(f"{'prepare peak memory, MiB':<34}{prepare_memory:>14.0f}")
    print(f"{'  estimated before reading, MiB':<34}{estimated_memory:>14.0f}")
    print(f"{'  estimate / peak':<34}{estimated_memory / prepare_memory:>14.2f}  1 to 1.5")
    print(f"{'bare Pipeline fit, s':<34}{fit_seconds:>14.1f}")
    print(f"{'run / bare fit':<34}{run_seconds / fit_seconds:>14.2f}  <= 2")
    print(f"{'run peak memory, MiB':<34}{run_memory:>14.0f}")
    print(f"{'predict command, s':<34}{predict_seconds:>14.1f}")
    print(f"{'predict scoring, rows/s':<34}{rows_per_second:>14,.0f}  >= 200,000")
    print(f"{'predict peak memory, MiB':<34}{predict_memory:>14.0f}  < 1024")
    print(f"{'sample data: analyze, s':<34}{float(sample_stages['analyze']):>14.1f}")
    print(f"{'  evaluate, s':<34}{float(sample_stages['evaluate']):>14.1f}")
    tune_stage = float(sample_stages["tune"])
    print(f"{f'  tune, {SAMPLE_TRIALS} trials, s':<34}{tune_stage:>14.1f}  opt-in")
    print(f"{'  tune command, s':<34}{tune_seconds:>14.1f}  start-up included")
{%- if cookiecutter.serving == "fastapi" %}
    for result in (alone, together):
        name = f"serve, {result.clients} client{'s' if result.clients > 1 else ''}"
        print(f"{name + ', requests/s':<34}{result.per_second:>14.0f}")
        latency = f"{result.median_ms:.1f} / {result.percentile(0.99):.1f}"
        print(f"{'  p50 / p99 latency, ms':<34}{latency:>14}")
        print(f"{'  errors':<34}{result.errors:>14}  0")
    ratio = together.per_second / alone.per_second
    print(f"{f'serve, {CLIENTS} clients / 1':<34}{ratio:>14.2f}  >= 1.5 ({workers} workers)")
    print(f"{'serve, 1 client, not recording':<34}{'':>14}")
    print(f"{'  p50 latency, ms':<34}{unrecorded.median_ms:>14.1f}")
    recording = alone.median_ms / unrecorded.median_ms
    print(f"{'  p50 recording / not recording':<34}{recording:>14.2f}  <= 1.1")
{%- endif %}


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROWS)
