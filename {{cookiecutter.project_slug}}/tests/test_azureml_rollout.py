"""Blue/green rollout and job submission against a fake `az`: which deployment gets the
new version, when traffic moves, and that a failed smoke test leaves users where they
were. (The fake keeps the endpoint's state the way Azure ML reports it.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.azureml.rollout import (
    Names,
    idle_slot,
    rollback,
    shift,
    stage,
    submit,
)
from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.cli.azureml import model_version
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.feedback import QUIET
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.bundle import export_bundle
from {{ cookiecutter.module_name }}.stages.pipeline import STAGES

from .conftest import ProjectFactory

AZUREML = Path(__file__).resolve().parents[1] / "azureml"


class FakeAz:
    """Online endpoint state: deployments (name -> model version) and traffic shares."""

    def __init__(self, predictions: list[Any], job_status: str = "Completed") -> None:
        self.endpoints: list[str] = []
        self.deployments: dict[str, int] = {}
        self.traffic: dict[str, int] = {}
        self.predictions = predictions
        self.job_status = job_status
        self.calls: list[list[str]] = []
        self.monitored: str | None = None  # the monitoring schedule's deployment

    def option(self, args: list[str], flag: str) -> str:
        return args[args.index(flag) + 1]

    def __call__(self, args: list[str], *, capture: bool = True) -> str:
        self.calls.append(args)
        group, verb = args[1], args[2]
        if (group, verb) == ("online-endpoint", "list"):
            return json.dumps(self.endpoints)
        if (group, verb) == ("online-endpoint", "create"):
            self.endpoints.append("endpoint")
            return "{}"
        if (group, verb) == ("online-endpoint", "show"):
            return json.dumps({"traffic": self.traffic})
        if (group, verb) == ("online-endpoint", "update"):
            shares = self.option(args, "--traffic").split()
            self.traffic = {item.split("=")[0]: int(item.split("=")[1]) for item in shares}
            return "{}"
        if (group, verb) == ("online-endpoint", "invoke"):
            return json.dumps(json.dumps({"predictions": self.predictions}))
        if group == "online-deployment" and verb in ("create", "update"):
            model = next(item for item in args if item.startswith("model="))
            self.deployments[self.option(args, "--name")] = int(model.rsplit(":", 1)[1])
            return "{}"
        if (group, verb) == ("online-deployment", "list"):
            return json.dumps([{"name": name} for name in self.deployments])
        if (group, verb) == ("online-deployment", "show"):
            return f"azureml:model:{self.deployments[self.option(args, '--name')]}\n"
        if group.startswith("batch-"):
            return "[]" if verb == "list" else "{}"
        if (group, verb) == ("job", "create"):
            return "job-1\n"
        if (group, verb) == ("job", "show"):
            return f"{self.job_status}\n"
        if (group, verb) == ("job", "download"):
            target = Path(self.option(args, "--download-path")) / "named-outputs" / "registration"
            target.mkdir(parents=True)
            (target / "registration.json").write_text('{"registered": true, "version": 1}')
            return ""
        if (group, verb) == ("job", "stream"):
            return ""
        if (group, verb) == ("schedule", "create"):
            key, _, value = self.option(args, "--set").partition("=")
            assert key == "create_monitor.monitoring_target.endpoint_deployment_id"
            assert Path(self.option(args, "--file")).name == "monitoring-schedule.yml"
            self.monitored = value
            return "{}"
        raise AssertionError(f"unexpected az call: {args}")


@pytest.fixture(scope="module")
def bundle(make_project: ProjectFactory) -> Path:
    """One champion exported for the module: the rollout tests only read it."""
    paths = make_project()
    for stage_ in STAGES:
        stage_.run(paths, QUIET)
    target = paths.root / "deploy" / "azureml"
    export_bundle(open_registry(paths), target)
    return target


@pytest.fixture
def names() -> Names:
    return Names.read(AZUREML, "model")


def recorded(bundle: Path) -> list[Any]:
    predictions: list[Any] = json.loads((bundle / "training.json").read_text())["example"][
        "predictions"
    ]
    return predictions


def test_first_stage_creates_the_endpoint_and_deploys_blue_without_traffic(
    bundle: Path, names: Names
) -> None:
    az = FakeAz(recorded(bundle))
    assert stage(az, names, bundle) == "blue"
    assert az.endpoints == ["endpoint"]
    assert az.deployments == {"blue": 1}
    assert az.traffic == {}


def test_shift_moves_traffic_then_next_version_goes_to_the_idle_slot(
    bundle: Path, names: Names
) -> None:
    az = FakeAz(recorded(bundle))
    stage(az, names, bundle)
    assert shift(az, names, bundle) == "blue"
    assert az.traffic == {"blue": 100}
    assert idle_slot(az.traffic) == "green"
    assert any(call[1:3] == ["batch-deployment", "create"] for call in az.calls)
    # Azure ML's monitoring schedule watches the deployment that took the traffic.
    assert az.monitored == f"azureml:{names.online_endpoint}:blue"


def test_failed_smoke_test_on_staging_keeps_traffic_where_it_was(
    bundle: Path, names: Names
) -> None:
    az = FakeAz([0.0] * len(recorded(bundle)))
    with pytest.raises(PipelineError, match="does not reproduce"):
        stage(az, names, bundle)
    assert az.traffic == {}


def test_failed_smoke_test_after_shift_gives_traffic_back(bundle: Path, names: Names) -> None:
    az = FakeAz(recorded(bundle))
    az.endpoints, az.deployments, az.traffic = ["endpoint"], {"blue": 7, "green": 1}, {"blue": 100}
    az.predictions = [0.0] * len(recorded(bundle))
    with pytest.raises(PipelineError, match="does not reproduce"):
        shift(az, names, bundle)
    assert az.traffic == {"blue": 100, "green": 0}
    assert az.monitored is None  # still watching whatever it watched


def test_rollback_returns_traffic_to_the_previous_deployment(names: Names) -> None:
    az = FakeAz([])
    az.deployments, az.traffic = {"blue": 1, "green": 2}, {"blue": 0, "green": 100}
    assert rollback(az, names) == ("blue", 1)
    assert az.traffic == {"blue": 100, "green": 0}
    assert az.monitored == f"azureml:{names.online_endpoint}:blue"
    az.deployments, az.traffic = {"blue": 1}, {"blue": 100}
    with pytest.raises(PipelineError, match="no other deployment"):
        rollback(az, names)


def test_submit_fails_unless_the_job_completed(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert submit(FakeAz([]), AZUREML / "pipeline.yml", reports) == "job-1"
    assert json.loads((reports / "registration.json").read_text())["version"] == 1
    with pytest.raises(PipelineError, match="ended Failed"):
        submit(FakeAz([], job_status="Failed"), AZUREML / "pipeline.yml", tmp_path / "other")


@pytest.mark.parametrize(("given", "version"), [("3", 3), ("model-v3", 3), ("champion", None)])
def test_versions_the_deploy_pipelines_pass_are_understood(given: str, version: int | None) -> None:
    # A number from the train workflow, a release tag from GitLab, Azure DevOps' default.
    assert model_version(given) == version


def test_an_unknown_version_is_refused_before_azure_is_called() -> None:
    result = CliRunner().invoke(app, ["azureml", "stage", "--version", "latest"])
    assert result.exit_code == 2
    assert text("cli.azureml.not_version", given="'latest'") in result.output
