"""Deep tier: the Dockerfile's own commands, run outside Docker (no engine here).

Each instruction is replayed in a scratch folder standing in for the image: ENV and ARG
set variables, COPY copies from the build context, RUN runs in a fresh virtual
environment standing in for the base image's Python, then CMD starts the service, the
HEALTHCHECK command must pass and the served predictions must match the bundle's.
Only `useradd` is skipped: creating a system user needs root on the host.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser

from .conftest import bake
from .test_variants import clean_env, install, sh, system_python

pytestmark = pytest.mark.deep


def copy_into(context: Path, sources: list[str], destination: Path) -> None:
    for source in sources:
        origin = context / source
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination / origin.name)


def test_dockerfile_commands_run_outside_docker(cookies: Any, tmp_path: Path) -> None:
    project, context = bake(cookies, serving="fastapi")
    slug = context["project_slug"]
    env = clean_env()
    prefix = install(project, "uv", env)
    sh(project, *prefix, slug, "run", env=env)
    sh(project, *prefix, slug, "models", "export", "deploy/staging", env=env)

    base = tmp_path / "base-python"  # the image's interpreter
    sh(tmp_path, system_python(), "-m", "venv", str(base), env=env)
    image_env = {**env, "PATH": f"{base / 'bin'}{os.pathsep}{env['PATH']}"}
    workdir = tmp_path / "image"
    workdir.mkdir()
    args: dict[str, str] = {}
    healthcheck: list[str] = []
    command: list[str] = []
    for instruction in DockerfileParser(path=str(project / "Dockerfile")).structure:
        kind, value = instruction["instruction"], instruction["value"]
        for name, default in args.items():
            value = value.replace(f"${{{name}}}", default)
        if kind == "FROM":
            # The stand-in is this machine's Python; the image's is checked in the fast tier
            # (a slim official image of a version the project admits).
            assert re.match(r"^python:3\.\d+-slim$", value), value
        elif kind == "ENV":
            image_env.update(pair.split("=", 1) for pair in shlex.split(value))
        elif kind == "ARG":
            name, _, default = value.partition("=")
            args[name] = default
        elif kind == "WORKDIR":
            workdir = tmp_path / "image" / value.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif kind == "COPY":
            *sources, destination = shlex.split(value)
            copy_into(project, sources, workdir / destination)
        elif kind == "RUN" and not value.startswith("useradd"):
            # An image keeps no pip cache; the stand-in uses this machine's, so the
            # dependencies are not downloaded again for every run of the tests.
            sh(workdir, "sh", "-c", value.replace(" --no-cache-dir", ""), env=image_env)
        elif kind == "USER":
            assert value.isdigit(), "a numeric user id resolves on any host"
            assert value != "0", "the service must not run as root"
        elif kind == "HEALTHCHECK":
            healthcheck = json.loads(value.split("CMD", 1)[1])
        elif kind == "CMD":
            command = json.loads(value)
    assert healthcheck, "no HEALTHCHECK"
    assert command, "no CMD"

    server = subprocess.Popen(command, cwd=workdir, env=image_env)
    try:
        deadline = time.monotonic() + 90
        while subprocess.run(healthcheck, env=image_env, check=False).returncode != 0:
            assert server.poll() is None, "the service exited"
            assert time.monotonic() < deadline, "HEALTHCHECK never passed"
            time.sleep(1)
        smoke = [slug, "models", "smoke", "model", "--url", "http://127.0.0.1:8000"]
        output = sh(workdir, *smoke, env=image_env)
        assert "smoke test passed" in output
    finally:
        server.terminate()
        server.wait(timeout=10)
