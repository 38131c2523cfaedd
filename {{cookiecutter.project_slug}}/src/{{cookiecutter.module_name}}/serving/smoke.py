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
                raise PipelineError(text("error.no_health", url=base_url, detail=exc)) from exc
            time.sleep(0.5)


def smoke_test_service(bundle_dir: Path, base_url: str, wait_seconds: float = 60) -> str:
    bundle = load_bundle(bundle_dir)
    base_url = base_url.rstrip("/")
    health = wait_for_health(base_url, wait_seconds)
    if health.get("model_version") != bundle.version:
        served = health.get("model_version")
        message = text("error.serves_other", url=base_url, served=served, version=bundle.version)
        raise PipelineError(message)
    try:
        answer = call(f"{base_url}/predict", bundle.example["features"])
    except urllib.error.HTTPError as exc:
        answered = text("error.answered", url=base_url, status=exc.code, body=repr(exc.read()))
        raise PipelineError(answered) from exc
    if not reproduces(np.asarray(answer["predictions"]), bundle.example["predictions"]):
        raise PipelineError(
            text("error.service_not_reproduced", url=base_url, version=bundle.version)
        )
    return text("smoke.service", url=base_url, count=len(answer["predictions"]))
