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
# The deep tier runs two variants side by side on two cores (pytest -n 2). A BLAS thread
# pool in each process spins on the core the other variant needs: with one thread each,
# two generated suites run side by side took 7-9 % less time here (75.6 and 113 s against
# 80.4 and 122 s). The results are the same: the estimators are seeded.
ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")


def clean_env() -> dict[str, str]:
    """The user's environment, minus the test runner's virtual environment, with one
    BLAS thread per process."""
    env = {key: value for key, value in os.environ.items() if key not in RUNNER_ONLY}
    env.update(ONE_THREAD)
    runner_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part != runner_bin
    )
    return env


def system_python() -> str:
    """The interpreter a user would type `python` for, not the test runner's venv."""
    return getattr(sys, "_base_executable", sys.executable)


def sh(project: Path, *command: str, env: dict[str, str], stdout_only: bool = False) -> str:
    started, clock = time.time(), time.perf_counter()
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    record_phase(env, command, started, time.perf_counter() - clock)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout if stdout_only else result.stdout + result.stderr


def record_phase(
    env: dict[str, str], command: tuple[str, ...], started: float, seconds: float
) -> None:
    """Append one command's start (epoch seconds) and wall time to the file the variants
    session names, so the session can print where the deep tier's minutes go and when
    the workers sat idle."""
    log = os.environ.get("DEEP_TIER_PHASES")
    if log:
        words = [Path(word).name if os.sep in word else word for word in command]
        line = {
            "variant": env.get("DEEP_TIER_VARIANT", ""),
            "worker": os.environ.get("PYTEST_XDIST_WORKER", ""),
            "command": " ".join(words)[:80],
            "started": started,
            "seconds": seconds,
        }
        with Path(log).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
