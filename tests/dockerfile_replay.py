"""The Dockerfile's own commands, run outside Docker (no engine here); the deep tier
replays them in the variant that serves with FastAPI, on the bundle it exported.

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
import tomllib
from pathlib import Path

from dockerfile_parse import DockerfileParser
from packaging.markers import Marker
from packaging.utils import canonicalize_name

from .shell import sh, system_python

# pip in the image and uv's pip interface here take the same arguments; uv links the
# wheels from its cache (warm after the variants' installs) where pip copied 300 MB of
# scikit-learn, SciPy and pandas again (73 s of the deep tier). hadolint reads the pip
# command lines in the fast tier, and pip itself installs the project in a pip variant.
IMAGE_PIP = "python -m pip install --no-cache-dir"


def copy_into(context: Path, sources: list[str], destination: Path) -> None:
    """COPY's rules: a source may be a pattern, which may match nothing as long as some
    source of the instruction matches."""
    matches = [origin for source in sources for origin in sorted(context.glob(source))]
    assert matches, f"COPY {sources}: nothing in the build context matches"
    for origin in matches:
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination / origin.name)


def assert_installed_as_locked(lock: Path, python: Path, uv: str, env: dict[str, str]) -> None:
    """Every package the bundle's pylock.toml pins for this platform and Python (its
    `marker`: uv's lock holds every platform's) is installed at that version."""
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["packages"]
    pinned = {
        canonicalize_name(package["name"]): package["version"]
        for package in packages
        if Marker(package.get("marker", "python_version >= '3'")).evaluate()
    }
    frozen = sh(lock.parent, uv, "pip", "freeze", "--python", str(python), env=env)
    pairs = (line.partition("==") for line in frozen.splitlines())
    installed = {canonicalize_name(name): version for name, _, version in pairs}
    differ = {name: (version, installed.get(name)) for name, version in pinned.items()
              if installed.get(name) != version}  # fmt: skip
    assert not differ, f"not installed as {lock} pins (locked, installed): {differ}"


def replay_dockerfile(
    project: Path, slug: str, scratch: Path, env: dict[str, str], uv: str
) -> None:
    """Build the image's stand-in in `scratch` from `project` (which holds the exported
    bundle the Dockerfile's MODEL_BUNDLE names), start it, pass HEALTHCHECK, smoke-test."""
    base = scratch / "base-python"  # the image's interpreter
    sh(scratch, uv, "venv", "--quiet", "--python", system_python(), str(base), env=env)
    image_env = {**env, "PATH": f"{base / 'bin'}{os.pathsep}{env['PATH']}"}
    image_pip = f"{uv} pip install --python {base / 'bin' / 'python'}"
    workdir = scratch / "image"
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
            workdir = scratch / "image" / value.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif kind == "COPY":
            # Ownership (--chown) is the image's concern; the files are what is replayed.
            words = [word for word in shlex.split(value) if not word.startswith("--")]
            *sources, destination = words
            copy_into(project, sources, workdir / destination)
        elif kind == "RUN" and not value.startswith("useradd"):
            assert "pip install" not in value.replace(IMAGE_PIP, ""), value
            sh(workdir, "sh", "-c", value.replace(IMAGE_PIP, image_pip), env=image_env)
        elif kind == "USER":
            assert value.isdigit(), "a numeric user id resolves on any host"
            assert value != "0", "the service must not run as root"
        elif kind == "HEALTHCHECK":
            healthcheck = json.loads(value.split("CMD", 1)[1])
        elif kind == "CMD":
            command = json.loads(value)
    lock = project / args["MODEL_BUNDLE"] / "pylock.toml"
    if lock.is_file():  # nox -s deploy exported the project's lock with the bundle
        assert_installed_as_locked(lock, base / "bin" / "python", uv, env)
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
        # Passed (sh checks the exit status) and said so, in the project's language,
        # naming the service it reproduced the recorded predictions on.
        assert "http://127.0.0.1:8000 " in output, output
    finally:
        server.terminate()
        server.wait(timeout=10)
