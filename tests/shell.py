"""Running commands as a user would, for the deep tier: the user's environment, not the
test runner's, and each command's wall time recorded for the variants session's table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

# The test runner's own settings, which a user's shell does not have. Without bytecode
# files (PYTHONDONTWRITEBYTECODE, set in many CI images) every process compiles
# scikit-learn, pandas and matplotlib afresh: seconds per command.
RUNNER_ONLY = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")


def clean_env() -> dict[str, str]:
    """The user's environment, minus the test runner's virtual environment."""
    env = {key: value for key, value in os.environ.items() if key not in RUNNER_ONLY}
    runner_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part != runner_bin
    )
    return env


def system_python() -> str:
    """The interpreter a user would type `python` for, not the test runner's venv."""
    return getattr(sys, "_base_executable", sys.executable)


def sh(project: Path, *command: str, env: dict[str, str], stdout_only: bool = False) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    record_phase(env, command, time.perf_counter() - started)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout if stdout_only else result.stdout + result.stderr


def record_phase(env: dict[str, str], command: tuple[str, ...], seconds: float) -> None:
    """Append one command's wall time to the file the variants session names, so the
    session can print where the deep tier's minutes go."""
    log = os.environ.get("DEEP_TIER_PHASES")
    if log:
        words = [Path(word).name if os.sep in word else word for word in command]
        line = {
            "variant": env.get("DEEP_TIER_VARIANT", ""),
            "command": " ".join(words)[:80],
            "seconds": seconds,
        }
        with Path(log).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
