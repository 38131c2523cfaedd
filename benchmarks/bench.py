"""Benchmarks for the template, printed as one table (run through `nox -s bench`).

Measures: the default bake (in-process and as a CLI process, median of several), the
floor (cookiecutter's CLI rendering a one-file template), cookiecutter-data-science's
default bake when it can run here, time from bake to trained model, the pipeline's
stage times, `<cli> --help` against `python -c "import typer"`, single-prediction
latency of the served model (p50/p99 and requests per second against a real uvicorn
process), and the deep tier's wall time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
REPEATS = 7
TARGET_OVER_FLOOR = 0.25
TARGET_P50_MS = 5.0
TARGET_HELP_RATIO = 1.5  # `<cli> --help` against `python -c "import typer"`
SERVING_REQUESTS = 2000
SERVING_WARMUP = 100
UV = shutil.which("uv") or "uv"  # `nox -s bench` installs it


def median_seconds(action: Callable[[Path], object], repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            action(Path(scratch))
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def cli_bake(template: Path | str, *extra: str) -> Callable[[Path], object]:
    def run(output: Path) -> object:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "cookiecutter",
                "--no-input",
                "-o",
                str(output),
                str(template),
                *extra,
            ],
            check=True,
            capture_output=True,
        )

    return run


def one_file_template(folder: Path) -> Path:
    (folder / "{{cookiecutter.name}}").mkdir(parents=True)
    (folder / "cookiecutter.json").write_text('{"name": "floor"}')
    (folder / "{{cookiecutter.name}}" / "README.md").write_text("# {{ cookiecutter.name }}\n")
    return folder


def ccds_bake_seconds() -> tuple[float | None, str]:
    """cookiecutter-data-science 2.3.0's default bake, or why it cannot run here."""
    ccds = shutil.which("ccds")
    if ccds is None:
        return None, "ccds not installed"
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        try:
            result = subprocess.run(
                [ccds, "--no-input", "-o", scratch],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None, "timed out after 120 s fetching its template"
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        return None, f"failed: {last[0][:90]}"
    return elapsed, "default bake"


def project_env() -> dict[str, str]:
    # Not the bench venv: nox points UV_PROJECT_ENVIRONMENT at it, and uv sync would prune
    # it. Bytecode is written, as in a user's shell (CI images often switch it off).
    runner_only = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if k not in runner_only}


def bake_to_trained_model(scratch: Path) -> tuple[Path, float, dict[str, float]]:
    """The default project in `scratch`, trained and registered; the seconds that took
    from `cookiecutter` on, and each stage's own time."""
    started = time.perf_counter()
    cookiecutter(str(ROOT), no_input=True, output_dir=str(scratch))
    project = next(scratch.iterdir())
    subprocess.run([UV, "sync", "--quiet"], cwd=project, env=project_env(), check=True)
    result = subprocess.run(
        [UV, "run", "--no-sync", project.name, "run"],
        cwd=project,
        env=project_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    stages = {
        name: float(seconds)
        for name, seconds in re.findall(
            r"^(\w+): .*\(([\d.]+)s\)$", result.stderr + result.stdout, re.M
        )
    }
    return project, elapsed, stages


def help_against_typer(project: Path, repeats: int = 15) -> tuple[float, float]:
    """Median seconds of `<cli> --help` and of `python -c "import typer"` in the project's
    environment, alternated in one run so both see the same machine."""
    executables = project / ".venv" / "bin"
    commands = {
        "help": [str(executables / project.name), "--help"],
        "typer": [str(executables / "python"), "-c", "import typer"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=project_env(), check=True, capture_output=True)
            samples[name].append(time.perf_counter() - started)
    return statistics.median(samples["help"]), statistics.median(samples["typer"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


PREDICT_ALONE = """
import json, statistics, time
from pathlib import Path
import pandas as pd
from {module}.core.paths import ProjectPaths
from {module}.registry.backend import open_registry
from {module}.registry.bundle import load_champion_bundle
bundle = load_champion_bundle(open_registry(ProjectPaths.at(Path("."))))
frame = pd.DataFrame(bundle.example["features"][:1], columns=bundle.schema.features)
samples = []
for _ in range(500):
    started = time.perf_counter()
    bundle.predict(frame)
    samples.append(time.perf_counter() - started)
print(json.dumps(statistics.median(samples) * 1000))
"""


def predict_alone_ms(project: Path) -> float:
    """The model's own share of a request: one in-process prediction, median of 500."""
    module = project.name.replace("-", "_")
    result = subprocess.run(
        [UV, "run", "--no-sync", "python", "-c", PREDICT_ALONE.format(module=module)],
        cwd=project,
        env=project_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def serving_latency(project: Path, requests: int = SERVING_REQUESTS) -> dict[str, float]:
    """Single-record predictions against `serve` (a real uvicorn process) over loopback,
    one keep-alive connection, one request at a time: p50, p99 and requests per second."""
    port = free_port()
    server = subprocess.Popen(
        [UV, "run", "--no-sync", project.name, "serve", "--port", str(port)],
        cwd=project,
        env=project_env(),
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        record = json.loads((project / "models/candidate/training.json").read_text())
        body = json.dumps(record["example"]["features"][0])
        headers = {"Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port)
        samples = []
        for index in range(requests + SERVING_WARMUP):
            started = time.perf_counter()
            connection.request("POST", "/predict", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"/predict answered {response.status}")
            if index >= SERVING_WARMUP:
                samples.append(time.perf_counter() - started)
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    samples.sort()
    return {
        "p50": samples[len(samples) // 2] * 1000,
        "p99": samples[int(len(samples) * 0.99)] * 1000,
        "rps": len(samples) / sum(samples),
    }


def main() -> None:
    rows: list[tuple[str, str, str]] = []
    in_process = median_seconds(
        lambda out: cookiecutter(str(ROOT), no_input=True, output_dir=str(out))
    )
    rows.append(("default bake, in-process (median of 7)", f"{in_process:.3f} s", ""))
    cli = median_seconds(cli_bake(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        floor = median_seconds(cli_bake(one_file_template(Path(scratch))))
    over = cli - floor
    rows.append(
        (
            "default bake, CLI process (median of 7)",
            f"{cli:.3f} s",
            f"{over:+.3f} s vs floor (target <= {TARGET_OVER_FLOOR} s): "
            f"{'met' if over <= TARGET_OVER_FLOOR else 'MISSED'}",
        )
    )
    rows.append(("floor: cookiecutter CLI, one-file template", f"{floor:.3f} s", ""))
    ccds, note = ccds_bake_seconds()
    if ccds is None:
        rows.append(("cookiecutter-data-science 2.3.0 default bake", "n/a", note))
    else:
        verdict = "faster: met" if cli < ccds else "NOT faster"
        rows.append(
            ("cookiecutter-data-science 2.3.0 default bake", f"{ccds:.3f} s", f"ours is {verdict}")
        )
    with tempfile.TemporaryDirectory() as scratch:
        project, total, stages = bake_to_trained_model(Path(scratch))
        rows.append(
            ("bake -> uv sync -> trained + registered model", f"{total:.1f} s", "warm uv cache")
        )
        for name, seconds in stages.items():
            rows.append((f"  stage {name}", f"{seconds:.1f} s", "as printed by `run`"))
        cli_help, typer_import = help_against_typer(project)
        ratio = cli_help / typer_import
        verdict = "met" if ratio <= TARGET_HELP_RATIO else "MISSED"
        rows.append(
            (
                "`<cli> --help` (median of 15)",
                f"{cli_help * 1000:.0f} ms",
                f"{ratio:.2f}x `python -c 'import typer'` ({typer_import * 1000:.0f} ms; "
                f"target <= {TARGET_HELP_RATIO}x): {verdict}",
            )
        )
        latency = serving_latency(project)
        predict_ms = predict_alone_ms(project)
    note = f"{SERVING_REQUESTS} sequential single-record POST /predict, uvicorn, loopback"
    rows.append(("serving: requests per second", f"{latency['rps']:.0f}", note))
    rows.append(
        (
            "serving: p50 latency",
            f"{latency['p50']:.2f} ms",
            f"target < {TARGET_P50_MS} ms: {'met' if latency['p50'] < TARGET_P50_MS else 'MISSED'}",
        )
    )
    rows.append(("serving: p99 latency", f"{latency['p99']:.2f} ms", ""))
    rows.append(
        (
            "  of which the model's predict, in-process",
            f"{predict_ms:.2f} ms",
            "median of 500: the rest is HTTP, validation and the event loop",
        )
    )
    deep = BUILD / "deep-tier.json"
    if deep.is_file():
        wall = json.loads(deep.read_text())["wall_seconds"]
        rows.append(
            (
                "deep tier wall time (last nox -s variants)",
                f"{wall:.0f} s",
                f"target < 600 s: {'met' if wall < 600 else 'MISSED'}",
            )
        )
    else:
        rows.append(("deep tier wall time", "n/a", "run `nox -s variants` first"))

    width = max(len(row[0]) for row in rows)
    print(f"\n{'measure':<{width}}  {'value':>10}  note")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 40}")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
