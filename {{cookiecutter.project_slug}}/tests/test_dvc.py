"""The DVC pipeline (dvc.yaml, .dvc/config) run for real in a throw-away git repository
holding the project on the bundled sample: `dvc repro` runs every stage, then nothing;
a changed hyper-parameter runs train and what follows only, as an experiment that
leaves the registry alone; and what the stages wrote goes to the local folder remote
and comes back from it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.base import champion_version
from {{ cookiecutter.module_name }}.stages.pipeline import STAGES as PIPELINE

from .conftest import GENERATED_TASK, PROJECT_ROOT, ProjectFactory
from .messages import says

# dvc.yaml's stages are `run`'s, in its order.
STAGES = [stage.name for stage in PIPELINE]
DVC_FILES = ("dvc.yaml", ".dvcignore", ".dvc/config", ".dvc/.gitignore")
IDENTITY = {"user.name": "Test", "user.email": "test@example.com"}
HYPERPARAMETER = {"regression": "alpha", "classification": "C"}[GENERATED_TASK]


def command(root: Path, *arguments: str) -> str:
    """Run a command in the repository with the project's CLI on PATH (dvc.yaml's stages
    call it by name), failing the test with its output when it fails."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    environment = {**os.environ, "PATH": path}
    done = subprocess.run(
        list(arguments), cwd=root, capture_output=True, text=True, env=environment, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(arguments)}:\n{output}"
    return output


def dvc(root: Path, *arguments: str) -> str:
    return command(root, sys.executable, "-m", "dvc", *arguments)


def ran(output: str) -> list[str]:
    """The stages DVC ran, in order."""
    return re.findall(r"Running stage '([a-z_]+)'", output)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory, make_project: ProjectFactory) -> Path:
    """The project on the sample in a git repository of its own, its DVC remote a
    folder beside it, every stage run once by `dvc repro` and committed."""
    root = make_project().root
    for name in DVC_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / name, root / name)
    shutil.copytree(
        PROJECT_ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / ".gitkeep").touch()
    command(root, "git", "init", "--quiet")
    for key, value in IDENTITY.items():
        command(root, "git", "config", key, value)
    remote = tmp_path_factory.mktemp("storage")
    dvc(root, "remote", "modify", "local", "url", str(remote))
    command(root, "git", "add", "--all")
    command(root, "git", "commit", "--quiet", "-m", "the project")
    return root


@pytest.fixture(scope="module")
def first_run(repository: Path) -> str:
    output = dvc(repository, "repro")
    command(repository, "git", "add", "--all")
    command(repository, "git", "commit", "--quiet", "-m", "dvc repro")
    return output


def test_repro_runs_each_stage_once_then_nothing(repository: Path, first_run: str) -> None:
    assert ran(first_run) == STAGES, first_run
    assert (repository / "reports" / "metrics.json").is_file()
    assert (repository / "reports" / "registration.json").is_file()
    again = dvc(repository, "repro")
    assert ran(again) == [], again
    assert "up to date" in dvc(repository, "status")
    metrics = dvc(repository, "metrics", "show")
    assert "holdout." in metrics, metrics


def test_a_changed_hyperparameter_runs_train_and_what_follows(
    repository: Path, first_run: str
) -> None:
    registered = json.loads((repository / "reports" / "registration.json").read_text())
    assert registered["registered"], registered
    change = f"model.params.{HYPERPARAMETER}=0.5"
    output = dvc(repository, "exp", "run", "--set-param", change)
    assert ran(output) == ["train", "evaluate", "register"], output
    # An experiment never moves the champion: register ran, and left the registry alone.
    assert re.search(says("register.experiment"), output), output
    tried = json.loads((repository / "reports" / "registration.json").read_text())
    assert not tried["registered"]
    assert champion_version(open_registry(ProjectPaths.at(repository))) == registered["version"]
    assert f"{HYPERPARAMETER}: 0.5" in (repository / "params.yaml").read_text()
    experiments = dvc(repository, "exp", "show", "--csv")
    assert "0.5" in experiments, experiments
    # Back to the committed workspace, for the tests that follow.
    command(repository, "git", "checkout", "--", ".")
    dvc(repository, "checkout", "--force")
    assert ran(dvc(repository, "repro")) == [], "the committed run is current again"


def test_push_then_pull_brings_the_outputs_back(repository: Path, first_run: str) -> None:
    dvc(repository, "push")
    model = repository / "models" / "candidate" / "model.skops"
    expected = model.read_bytes()
    shutil.rmtree(repository / "data" / "interim")
    shutil.rmtree(repository / "models" / "candidate")
    shutil.rmtree(repository / ".dvc" / "cache")
    dvc(repository, "pull")
    assert model.read_bytes() == expected
    assert (repository / "data" / "interim" / "train.parquet").is_file()
    assert ran(dvc(repository, "repro")) == []
