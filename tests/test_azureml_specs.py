"""compute=azureml, fast tier: every rendered Azure ML file passes Microsoft's loaders
(azure-ai-ml), and a broken file is caught with its name and the key at fault.

The check is the generated project's own `azureml/specs.py` module, run from its src/ with
only azure-ai-ml and PyYAML installed, so users run the same check the template does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import CHOICES, bake

Breakage = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module", params=CHOICES["task"])
def project(cookies_session: Any, request: pytest.FixtureRequest) -> tuple[Path, str]:
    folder, context = bake(cookies_session, compute="azureml", task=request.param)
    return folder, context["module_name"]


def check(folder: Path, module: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"{module}.azureml.specs", "azureml"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder / "src")},
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_azureml_file_loads_and_is_wired(project: tuple[Path, str]) -> None:
    folder, module = project
    assert len(list((folder / "azureml").rglob("*.yml"))) == 18
    result = check(folder, module)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def rename(mapping: dict[str, Any], old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


BREAKAGES: dict[str, tuple[str, Breakage, str]] = {
    "misspelt key": (
        "components/train.yml",
        lambda spec: rename(spec, "display_name", "dispaly_name"),
        "unknown key 'dispaly_name'",
    ),
    "misspelt nested key": (
        "sweep.yml",
        lambda spec: rename(spec["settings"], "default_compute", "defualt_compute"),
        "unknown key 'settings.defualt_compute'",
    ),
    "misspelt top-level job key": (
        "pipeline.yml",
        lambda spec: rename(spec, "experiment_name", "experimnet_name"),
        "experimnet_name",
    ),
    "missing command": (
        "components/evaluate.yml",
        lambda spec: spec.pop("command"),
        "command",
    ),
    "wrong input wiring": (
        "pipeline.yml",
        lambda spec: spec["jobs"]["evaluate"]["inputs"].update(
            model="${{parent.jobs.train.outputs.modle}}"
        ),
        "jobs.evaluate.inputs.model: step 'train' has no output 'modle'",
    ),
    "input the component lacks": (
        "pipeline.yml",
        lambda spec: spec["jobs"]["train"]["inputs"].update(seed=7),
        "jobs.train.inputs.seed: not an input",
    ),
    "monitoring signal of no kind": (
        "monitoring-schedule.yml",
        lambda spec: spec["create_monitor"]["monitoring_signals"]["data_drift"].update(
            type="data_drfit"
        ),
        "monitoring-schedule.yml",
    ),
    "monitoring threshold not the goal's": (
        "monitoring-schedule.yml",
        lambda spec: spec["create_monitor"]["monitoring_signals"]["data_drift"][
            "metric_thresholds"
        ]["numerical"].update(population_stability_index=0.3),
        "data_drift.metric_thresholds.numerical.population_stability_index is 0.3, not the "
        "business goal's monitoring.drift_psi (0.25)",
    ),
    "undeclared input in a command": (
        "components/train.yml",
        lambda spec: spec.update(command=spec["command"].replace("s.prepared", "s.prepard")),
        "inputs.prepard",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_a_broken_file_is_caught_naming_it(
    project: tuple[Path, str], tmp_path: Path, breakage: str
) -> None:
    folder, module = project
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    relative, damage, expected = BREAKAGES[breakage]
    path = copy / "azureml" / relative
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    damage(spec)
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    result = check(copy, module)
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if expected in line]
    assert problems, result.stdout
    assert any(relative in line or "pipeline.yml" in line for line in problems), result.stdout
