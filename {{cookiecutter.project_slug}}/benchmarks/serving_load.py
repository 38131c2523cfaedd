"""The service under load, for `nox -s bench`: `serve` in its own process, then clients
posting one record each over loopback, first one client, then several at once.

Each client sends its next request when the last answer arrives, so one client measures
latency alone and several measure how far the service overlaps requests.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from {{ cookiecutter.module_name }}.serving.smoke import call, wait_for_health

MODULE = "{{ cookiecutter.module_name }}"


@dataclass(frozen=True)
class Load:
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]  # seconds per answered request

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        """Milliseconds under which `share` of the answers came."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.latencies)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(root: Path, workers: int, record: bool = True) -> Iterator[str]:
    """`serve` on the project's champion at a free port with `workers` processes,
    recording its requests or not; its base URL while it runs."""
    port = free_port()
    command = [sys.executable, "-m", MODULE, "serve", "--root", str(root), "--port", str(port)]
    command += ["--workers", str(workers), "--record" if record else "--no-record"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base_url, 120)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def load(url: str, record: dict[str, Any], clients: int, requests: int) -> Load:
    """`requests` POSTs of `record` from `clients` threads; an error is any exception or
    an answer without a prediction."""

    def one(_: int) -> float | None:
        started = time.perf_counter()
        try:
            answer = call(url, record)
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return None
        return time.perf_counter() - started if answer.get("predictions") else None

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(one, range(requests)))
    seconds = time.perf_counter() - started
    latencies = [latency for latency in answers if latency is not None]
    return Load(clients, requests, requests - len(latencies), seconds, latencies)
