"""Smoke-test a running service: it must serve the bundle's version and reproduce the
predictions recorded for the bundle's input example at training time."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import PipelineError
from ..core.model_io import reproduces
from ..core.texts import text
from ..registry.bundle import load_bundle


def call(url: str, payload: Any | None = None, timeout: float = 10) -> Any:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def wait_for_health(base_url: str, wait_seconds: float) -> dict[str, Any]:
    """GET /health until it answers, for at most `wait_seconds` (a container starting)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            health: dict[str, Any] = call(f"{base_url}/health", timeout=2)
            return health
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            if time.monotonic() > deadline:
                raise PipelineError(f"{base_url}/health did not answer: {exc}") from exc
            time.sleep(0.5)


def smoke_test_service(bundle_dir: Path, base_url: str, wait_seconds: float = 60) -> str:
    bundle = load_bundle(bundle_dir)
    base_url = base_url.rstrip("/")
    health = wait_for_health(base_url, wait_seconds)
    if health.get("model_version") != bundle.version:
        raise PipelineError(
            f"{base_url} serves version {health.get('model_version')}, not {bundle.version}"
        )
    try:
        answer = call(f"{base_url}/predict", bundle.example["features"])
    except urllib.error.HTTPError as exc:
        raise PipelineError(f"{base_url}/predict answered {exc.code}: {exc.read()!r}") from exc
    if not reproduces(np.asarray(answer["predictions"]), bundle.example["predictions"]):
        raise PipelineError(
            f"{base_url}: version {bundle.version} does not reproduce the recorded predictions"
        )
    return text("smoke.service", url=base_url, count=len(answer["predictions"]))
