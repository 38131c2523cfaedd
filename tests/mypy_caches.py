"""mypy caches for the deep tier: each worker keeps its own across the variants it runs,
and publishes a copy the other worker can start from.

mypy checks the third-party packages' types once per cache (seconds warm, 30-47 s cold
here), re-checking any file whose content differs. It discards a whole cache when a
plugin's version differs: the projects load pydantic's plugin, and the Azure ML
variants' dependencies hold pydantic back, so there is one cache per pydantic version.
Copies are published whole under a new name (a rename), never written in place, so a
worker never reads another's SQLite files while they are written.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MypyCaches:
    own: Path  # this worker's caches, one folder per pydantic version
    shared: Path  # complete copies any worker published

    def for_project(self, project: Path) -> Path:
        """The worker's cache for the project's pydantic, started from the latest
        published copy when the worker has none yet."""
        (pydantic,) = (project / ".venv").glob("lib/python*/site-packages/pydantic-*.dist-info")
        cache = self.own / pydantic.name
        if not cache.exists():
            published = sorted(self.shared.glob(f"{pydantic.name}.*"))
            if published:
                shutil.copytree(published[-1], cache)
        return cache

    def publish(self, cache: Path) -> None:
        if not cache.is_dir():
            return
        self.shared.mkdir(parents=True, exist_ok=True)
        staging = self.shared / f".{cache.name}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(cache, staging)
        staging.rename(self.shared / f"{cache.name}.{time.time_ns()}")
