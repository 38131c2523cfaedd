"""A registry writer in a process of its own, for the concurrency tests.

    python -m tests.registry_writers add ROOT MODEL_FILE SHA256 WRITER GATE
    python -m tests.registry_writers register ROOT CANDIDATE_DIR GATE

Each writer imports what it needs, says it is ready (GATE/ready-<pid>), waits for
GATE/go so that every writer starts at once, writes, and prints its outcome as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.stages.register import register

POLL_SECONDS = 0.01


def wait_for_the_others(gate: Path) -> None:
    (gate / f"ready-{os.getpid()}").touch()
    while not (gate / "go").exists():
        time.sleep(POLL_SECONDS)


def add(root: str, model_file: str, sha256: str, writer: str, gate: str) -> dict[str, Any]:
    """Store the model file as a new champion version, labelled with the writer's name."""
    registry = open_registry(ProjectPaths.at(Path(root)))
    wait_for_the_others(Path(gate))
    with registry.writing():
        added = registry.add_champion([Path(model_file)], sha256, {"writer": writer})
    return {"version": added.version, "writer": writer}


def register_candidate(root: str, candidate: str, gate: str) -> dict[str, Any]:
    """The register stage on an evaluated candidate (its metrics.json beside it)."""
    paths = ProjectPaths.at(Path(root))
    registry = open_registry(paths)
    wait_for_the_others(Path(gate))
    folder = Path(candidate)
    outcome = register(folder, folder / "metrics.json", registry, paths.root)
    return dataclasses.asdict(outcome)


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    result = add(*arguments) if mode == "add" else register_candidate(*arguments)
    print(json.dumps(result))
