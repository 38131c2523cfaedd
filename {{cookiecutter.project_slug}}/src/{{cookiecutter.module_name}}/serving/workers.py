"""The service in several processes: uvicorn starts each worker from an import string,
so the app is built inside the worker, from the bundle an environment variable names.

One process computes one prediction at a time (scikit-learn and pandas hold Python's
lock on a single record); worker processes are what let requests run side by side.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from ..registry.bundle import load_bundle
from .app import create_app
from .request_log import RequestLog, folder_from_environment

BUNDLE_VARIABLE = "{{ cookiecutter.module_name | upper }}_SERVE_BUNDLE"
FACTORY = f"{__name__}:app_from_environment"


def app_from_environment() -> FastAPI:
    """The app for the exported bundle in BUNDLE_VARIABLE, hash-checked in this worker,
    recording its requests where `serve` said (request_log.LOG_VARIABLE)."""
    folder = folder_from_environment(default=None)
    request_log = None if folder is None else RequestLog(folder)
    return create_app(load_bundle(Path(os.environ[BUNDLE_VARIABLE])), request_log)
