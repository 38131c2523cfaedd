"""Deep tier: the loop closed on a baked project. Its service answers a few hundred
requests, some of them drifted, and records them; `monitor` reads what was recorded,
names the drifted feature and exits with the status that starts retraining. Then the
scheduled job's way: `nox -s monitor` reads the records by URL, and `start_training`
starts the train workflow (through a stand-in for the gh CLI)."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .shell import sh

REQUESTS = 300
DRIFTED = 150  # the last ones, one feature scaled up
SHIFTED_FEATURE = "bmi"
RETRAIN_STATUS = 3  # the generated cli/app.py's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def post(url: str, record: dict[str, float]) -> dict[str, object]:
    request = urllib.request.Request(
        url, json.dumps(record).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        loaded: dict[str, object] = json.loads(answer.read())
        return loaded


def wait_for_health(base_url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            assert time.monotonic() < deadline, "the service never answered /health"
            time.sleep(0.5)


def sample_records(project: Path, slug: str, env: dict[str, str]) -> list[dict[str, float]]:
    """The bundled sample's rows as the API takes them (the target left out)."""
    table = project / "build" / "monitored.csv"
    table.unlink(missing_ok=True)
    subprocess.run([slug, "sample-data", str(table)], cwd=project, env=env, check=True)
    with table.open(encoding="utf-8") as rows:
        return [
            {name: float(value) for name, value in row.items() if name != "progression"}
            for row in csv.DictReader(rows)
        ]


def check_monitoring(project: Path, slug: str, env: dict[str, str]) -> None:
    records = sample_records(project, slug, env)
    port = free_port()
    server = subprocess.Popen(
        [slug, "serve", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base_url)
        for index in range(REQUESTS):
            record = dict(records[index % len(records)])
            if index >= REQUESTS - DRIFTED:
                record[SHIFTED_FEATURE] *= 1.6
            answer = post(f"{base_url}/predict", record)
            assert isinstance(answer.get("request_ids"), list), answer
    finally:
        server.terminate()  # its shutdown writes every line still queued
        server.wait(timeout=30)
    recorded = list((project / "monitoring" / "requests").glob("requests-*.jsonl"))
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in recorded)
    assert lines == REQUESTS, f"{lines} lines recorded for {REQUESTS} requests"
    result = subprocess.run(
        [slug, "monitor"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == RETRAIN_STATUS, result.stdout + result.stderr
    written = json.loads((project / "reports" / "monitoring.json").read_text(encoding="utf-8"))
    assert written["rows"] == REQUESTS
    assert written["retrain"] is True
    drifted = [column["column"] for column in written["features"] if column["drifted"]]
    assert drifted == [SHIFTED_FEATURE], drifted
    assert (project / "docs" / "07_monitoring_report.md").is_file()


# Stands in for the GitHub CLI: records how it was called.
FAKE_GH = """#!/bin/sh
echo "$@" >> "$GH_CALLS"
"""


def check_scheduled_monitoring(project: Path, prefix: list[str], env: dict[str, str]) -> None:
    """What the GitHub monitor workflow runs, in CI: the records read by URL from where
    the service's host copies them (here a folder, as file://), then the train workflow
    started because retraining is due."""
    bin_dir = project / "build" / "fake-bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    calls = project / "build" / "gh-calls.txt"
    calls.unlink(missing_ok=True)
    scheduled = {
        **env,
        "CI": "true",
        "MONITORING_REQUESTS_URL": (project / "monitoring" / "requests").as_uri(),
        "GH_CALLS": str(calls),
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
    }
    output = sh(project, *prefix, "nox", "-s", "monitor", "start_training", env=scheduled)
    assert "--requests file://" in output, output
    assert "retraining is due" in output, output
    assert calls.read_text(encoding="utf-8").split() == ["workflow", "run", "train.yml"]
