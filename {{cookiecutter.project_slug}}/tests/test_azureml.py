"""The azureml/ files, checked offline: Microsoft's own loaders (azure-ai-ml) parse and
validate each one, no key is silently dropped, every step reads outputs that exist, the
stage commands run here unchanged, and the scoring scripts serve the trained model."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.azureml import rollout
from {{ cookiecutter.module_name }}.azureml.local_runner import (
    OPTIONAL_PART,
    data_assets,
    load_component,
    plan_job,
    run_job,
)
from {{ cookiecutter.module_name }}.azureml.monitoring import SCHEDULE_FILE, schedule_differences
from {{ cookiecutter.module_name }}.azureml.scoring import (
    load_scoring_model,
    score_files,
    score_request,
)
from {{ cookiecutter.module_name }}.azureml.specs import check_file
from {{ cookiecutter.module_name }}.azureml.sweep import (
    differences,
    distribution,
    searched_inputs,
    sync_sweep,
)
from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.core.artifacts import read_json, sha256_file
from {{ cookiecutter.module_name }}.core.config import (
    SAMPLE_SOURCE,
    Params,
    SearchChoices,
    SearchRange,
    load_params,
    with_overrides,
)
from {{ cookiecutter.module_name }}.core.dataset import TRAIN_FILE, load_prepared
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.metrics import cv_scorers
from {{ cookiecutter.module_name }}.core.model_io import MODEL_FILE, TRAINING_FILE
from {{ cookiecutter.module_name }}.core.params_file import edited_yaml
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.mlflow_tracking import training_metrics
from {{ cookiecutter.module_name }}.stages.pipeline import run_prepare, run_train
from {{ cookiecutter.module_name }}.stages.prepare import load_source

from .conftest import ProjectFactory, new_project, sample_params, write_sample_files
from .messages import says

# azure-ai-ml still uses marshmallow 3 APIs that warn on every schema it builds.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:marshmallow")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
AZUREML = PROJECT_ROOT / "azureml"
SPEC_FILES = sorted(AZUREML.rglob("*.yml"))


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda path: str(path.relative_to(AZUREML)))
def test_spec_loads_with_azure_ai_ml(spec: Path) -> None:
    assert check_file(spec) == []


def test_monitoring_schedule_alerts_at_the_goals_drift_threshold(tmp_path: Path) -> None:
    """Azure ML's monitor and `monitor` agree on what drift is: a goal that moves its
    threshold leaves every PSI threshold of the schedule named as out of step."""
    shutil.copytree(AZUREML, tmp_path / "azureml")
    shutil.copytree(PROJECT_ROOT / "docs", tmp_path / "docs")
    schedule = tmp_path / "azureml" / SCHEDULE_FILE
    assert schedule_differences(schedule) == []
    goal = tmp_path / "docs" / "01_business_understanding.md"
    goal.write_text(goal.read_text(encoding="utf-8").replace("drift_psi: 0.25", "drift_psi: 0.2"))
    problems = schedule_differences(schedule)
    signals = yaml.safe_load(schedule.read_text(encoding="utf-8"))["create_monitor"]
    kinds = [kind for signal in signals["monitoring_signals"].values()
             for kind in signal["metric_thresholds"]]  # fmt: skip
    assert len(problems) == len(kinds) >= 2
    assert all("monitoring.drift_psi (0.2)" in problem for problem in problems)
    assert any("data_drift.metric_thresholds.numerical" in problem for problem in problems)


@pytest.mark.parametrize(
    "job_file",
    [AZUREML / "pipeline.yml", AZUREML / "sweep.yml", *sorted((AZUREML / "jobs").glob("*.yml"))],
    ids=lambda path: str(path.relative_to(AZUREML)),
)
def test_job_wiring_is_complete(job_file: Path) -> None:
    plan = plan_job(job_file)
    assert plan.steps


def test_pipeline_steps_run_in_dependency_order() -> None:
    order = [step.name for step in plan_job(AZUREML / "pipeline.yml").steps]
    assert order == ["prepare", "train", "evaluate", "register"]


def test_reading_an_output_no_step_writes_is_named(tmp_path: Path) -> None:
    copy = tmp_path / "azureml"
    shutil.copytree(AZUREML, copy)
    shutil.copytree(PROJECT_ROOT / "src", tmp_path / "src")
    pipeline = copy / "pipeline.yml"
    text = pipeline.read_text(encoding="utf-8")
    pipeline.write_text(text.replace("outputs.model}}", "outputs.modle}}"), encoding="utf-8")
    with pytest.raises(
        PipelineError, match=r"jobs\.evaluate\.inputs\.model: step 'train' has no output 'modle'"
    ):
        plan_job(pipeline)


def test_stage_jobs_run_their_components_commands() -> None:
    """The one-stage jobs repeat their component's command (a sweep's optional
    hyper-parameter aside): this keeps the two from drifting apart."""
    for job_file in sorted((AZUREML / "jobs").glob("*.yml")):
        job = load_component(job_file)
        component = load_component(AZUREML / "components" / job_file.name)
        expected = OPTIONAL_PART.sub("", component.command).split()
        assert job.command.split() == expected, job_file
        assert job.outputs == component.outputs, job_file
        assert job.code == component.code, job_file


def test_environment_installs_the_projects_dependencies() -> None:
    conda = yaml.safe_load((AZUREML / "conda.yaml").read_text(encoding="utf-8"))
    pip_section = next(item["pip"] for item in conda["dependencies"] if isinstance(item, dict))
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    missing = sorted(set(project["project"]["dependencies"]) - set(pip_section))
    assert not missing, f"azureml/conda.yaml lacks {missing} from pyproject.toml"


def test_sweep_objective_is_a_metric_train_logs(paths: ProjectPaths) -> None:
    run_prepare(paths)
    schema = load_prepared(paths.interim).schema
    sweep = yaml.safe_load((AZUREML / "sweep.yml").read_text(encoding="utf-8"))
    objective = sweep["jobs"]["sweep"]["objective"]["primary_metric"]
    logged = training_metrics({name: {"mean": 0.0} for name in cv_scorers(schema)})
    assert objective in logged


@pytest.fixture
def sweep_project(tmp_path: Path) -> Path:
    """azureml/ beside the sample's params.yaml and business goal (what a sweep is
    written from), and src/ (which the components' `code` points at)."""
    root = tmp_path / "project"
    shutil.copytree(AZUREML, root / "azureml")
    write_sample_files(root)
    (root / "src").symlink_to(PROJECT_ROOT / "src", target_is_directory=True)
    sync_sweep(root / "azureml" / "sweep.yml")
    return root


def edit_params(root: Path, change: Callable[[Any], None]) -> Params:
    text, _ = edited_yaml(root / "params.yaml", change)
    (root / "params.yaml").write_text(text, encoding="utf-8")
    return load_params(root / "params.yaml")


def use_random_forest(document: Any) -> None:
    document["model"]["name"] = "random_forest"
    document["model"]["params"] = {}


def test_sync_sweep_writes_another_models_space(sweep_project: Path) -> None:
    sweep_file = sweep_project / "azureml" / "sweep.yml"
    trial = sweep_project / "azureml" / "components" / "train.yml"
    stage_command = OPTIONAL_PART.sub("", load_component(trial).command).split()
    params = edit_params(sweep_project, use_random_forest)
    assert any("search_space" in line for line in differences(sweep_file))

    assert sync_sweep(sweep_file) == [sweep_file, trial]

    assert differences(sweep_file) == []
    assert sync_sweep(sweep_file) == []  # nothing left to write
    assert check_file(sweep_file) == []  # azure-ai-ml loads both, wiring intact
    assert check_file(trial) == []
    space = yaml.safe_load(sweep_file.read_text(encoding="utf-8"))["jobs"]["sweep"]["search_space"]
    declared = params.tune.space["random_forest"]
    assert list(space) == list(declared)
    for name, dimension in declared.items():
        assert isinstance(dimension, SearchRange), name
        expected = {"type": "quniform", "min_value": dimension.low, "max_value": dimension.high}
        assert space[name] == {**expected, "q": 1}, name
    component = load_component(trial)
    assert OPTIONAL_PART.sub("", component.command).split() == stage_command
    assert set(searched_inputs(component.command)) == set(declared)
    assert {name: component.inputs[name] for name in declared} == {
        name: {"type": "number", "optional": True} for name in declared
    }
    # The files' comments stay where the user reads them, the writer's once.
    assert "# Cancels trials" in sweep_file.read_text(encoding="utf-8")
    trial_text = trial.read_text(encoding="utf-8")
    assert "# A two-class model's decision threshold" in trial_text
    assert trial_text.count("What sweep.yml searches") == 1


def test_a_log_range_is_sampled_between_its_bounds() -> None:
    dimension = SearchRange(low=0.001, high=100, log=True)
    sampled, input_type = distribution("x", dimension)
    assert input_type == "number"
    assert sampled["type"] == "loguniform"
    assert math.exp(sampled["min_value"]) == pytest.approx(0.001, rel=1e-5)
    assert math.exp(sampled["max_value"]) == pytest.approx(100, rel=1e-5)
    whole = SearchRange(low=1, high=1000, log=True, integer=True)
    assert distribution("x", whole)[0]["type"] == "qloguniform"
    criteria = SearchChoices(choices=["gini", "entropy"])
    sampled, input_type = distribution("x", criteria)
    assert (sampled, input_type) == ({"type": "choice", "values": ["gini", "entropy"]}, "string")
    with pytest.raises(PipelineError, match=r"tune.space.random_forest.max_depth: .*null"):
        distribution("tune.space.random_forest.max_depth", SearchChoices(choices=[None, 5]))


def test_a_sweeps_whole_numbers_reach_the_estimator_as_ints(sweep_project: Path) -> None:
    """Azure ML samples an integer range (quniform) as 120.0; sklearn refuses floats."""
    params = edit_params(sweep_project, use_random_forest)
    applied = with_overrides(params, hyperparameters={"n_estimators": 120.0, "max_features": 0.5})
    assert applied.model.params["n_estimators"] == 120
    assert isinstance(applied.model.params["n_estimators"], int)
    assert applied.model.params["max_features"] == 0.5


def test_submit_refuses_a_sweep_params_yaml_has_moved_on(
    sweep_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_params(sweep_project, lambda document: document["tune"].__setitem__("trials", 5))

    def no_azure(*_: Any, **__: Any) -> str:
        raise AssertionError("submitted a stale sweep")

    monkeypatch.setattr(rollout, "run_az", no_azure)
    sweep_file = sweep_project / "azureml" / "sweep.yml"
    result = CliRunner().invoke(app, ["azureml", "submit", str(sweep_file)])
    assert result.exit_code == 1
    assert "limits.max_total_trials is not params.yaml tune.trials (5)" in result.output
    assert "azureml sync-sweep" in result.output


@pytest.fixture
def job_project(tmp_path: Path, empty_tracking_store: Path) -> Path:
    """A project with a copy of what a job reads (src/, azureml/, params.yaml, the business
    goal), the sample where the data asset points, and an empty tracking store."""
    root = new_project(tmp_path / "project", empty_tracking_store).root
    for name in ("src", "azureml"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    for location in data_assets(root / "azureml").values():
        location.parent.mkdir(parents=True, exist_ok=True)
        load_source(SAMPLE_SOURCE, root).to_csv(location, index=False)
    return root


def in_process(command: str, folder: Path, environment: dict[str, str]) -> int:
    """A step's `python -m <package> ...` through the same CLI in this interpreter: the
    same arguments, without a new process importing scikit-learn and MLflow for every
    step (seconds each). test_run_local_runs_a_job_in_a_shell covers the shell."""
    words = shlex.split(command)
    assert words[:3] == ["python", "-m", "{{ cookiecutter.module_name }}"], command
    with contextlib.chdir(folder):
        result = CliRunner().invoke(app, words[3:], env=environment)
    assert result.exit_code == 0, result.output
    return result.exit_code


def test_pipeline_runs_here_and_registers_a_model(job_project: Path) -> None:
    """The YAML's commands, not just its syntax: run_job executes each step."""
    outputs = run_job(
        job_project / "azureml" / "pipeline.yml", job_project, echo=print, execute=in_process
    )
    registration = read_json(outputs["registration"] / "registration.json")
    assert registration["registered"], registration
    assert (outputs["reports"] / "06_test_report.md").is_file()
    registry = open_registry(ProjectPaths.at(job_project))
    assert [entry.version for entry in registry.versions()] == [registration["version"]]


def test_stage_jobs_hand_over_through_the_datastore(job_project: Path) -> None:
    """The one-stage jobs, one after another as CI submits them, each reading what the
    previous one left in the datastore."""
    for stage in ("prepare", "train", "evaluate", "register"):
        job_file = job_project / "azureml" / "jobs" / f"{stage}.yml"
        outputs = run_job(job_file, job_project, echo=print, execute=in_process)
    registration = read_json(outputs["registration"] / "registration.json")
    assert registration["registered"], registration
    assert [entry.version for entry in open_registry(ProjectPaths.at(job_project)).versions()]


def test_sweep_runs_its_trial_once_and_the_gate_after_it(job_project: Path) -> None:
    outputs = run_job(
        job_project / "azureml" / "sweep.yml", job_project, echo=print, execute=in_process
    )
    registration = read_json(outputs["registration"] / "registration.json")
    assert registration["registered"], registration


def test_run_local_runs_a_job_in_a_shell(tmp_path: Path) -> None:
    """`azureml run-local` as a user types it: the sample written where the data asset
    points, the job's command run by a shell with this environment's `python`."""
    root = tmp_path / "project"
    for name in ("src", "azureml"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    (root / "params.yaml").write_text(yaml.safe_dump(sample_params()))
    job_file = root / "azureml" / "jobs" / "prepare.yml"
    result = CliRunner().invoke(
        app, ["azureml", "run-local", str(job_file), "--root", str(root), "--sample-if-missing"]
    )
    assert result.exit_code == 0, result.output
    written = text("cli.azureml.sample_written", name="", location="").split()
    assert all(word in result.output for word in written), result.output
    (handed_over,) = (root / "build" / "azureml-local").rglob(TRAIN_FILE)
    assert len(pd.read_parquet(handed_over)) > 0


# --- the scoring scripts -------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(make_project: ProjectFactory) -> ProjectPaths:
    """One trained candidate for the module: the scoring tests only read it."""
    paths = make_project()
    run_prepare(paths)
    run_train(paths)
    return paths


def script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "src" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded_example(model_dir: Path) -> dict[str, Any]:
    example: dict[str, Any] = read_json(model_dir / TRAINING_FILE)["example"]
    return example


def test_scoring_refuses_a_model_with_another_hash(trained: ProjectPaths) -> None:
    with pytest.raises(PipelineError, match=says("error.hash")):
        load_scoring_model(trained.candidate, "0" * 64)
    with pytest.raises(PipelineError, match="MODEL_SHA256 is not set"):
        load_scoring_model(trained.candidate, "")


def test_request_errors_name_the_problem(trained: ProjectPaths) -> None:
    scorer = load_scoring_model(trained.candidate, sha256_file(trained.candidate / MODEL_FILE))
    record = recorded_example(trained.candidate)["features"][0]
    with pytest.raises(PipelineError, match="not JSON"):
        score_request(scorer, "{")
    missing = {key: value for key, value in record.items() if key != next(iter(record))}
    with pytest.raises(PipelineError, match=f"missing feature '{next(iter(record))}'"):
        score_request(scorer, json.dumps({"records": [missing]}))
    with pytest.raises(PipelineError, match="send 1 to"):
        score_request(scorer, json.dumps({"records": []}))


def test_batch_script_scores_every_row_of_every_file(
    trained: ProjectPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = recorded_example(trained.candidate)
    features = pd.DataFrame.from_records(example["features"])
    files = []
    for index, rows in enumerate((features.iloc[:2], features.iloc[2:])):
        files.append(str(tmp_path / f"part{index}.csv"))
        rows.to_csv(files[-1], index=False)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(trained.candidate))
    monkeypatch.setenv("MODEL_SHA256", sha256_file(trained.candidate / MODEL_FILE))
    batch = script("azureml_batch")
    batch.init()
    scored = batch.run(files)
    assert list(scored["row"]) == [0, 1, *range(len(features) - 2)]
    assert scored["prediction"].tolist() == pytest.approx(example["predictions"])
    assert score_files(batch.scorer, []).empty


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def inference_server(trained: ProjectPaths) -> Iterator[str]:
    """Azure ML's own inference server (azmlinfsrv) running the online scoring script, as
    a managed online deployment runs it."""
    port = free_port()
    environment = {
        **os.environ,
        "AZUREML_MODEL_DIR": str(trained.candidate),
        "MODEL_SHA256": sha256_file(trained.candidate / MODEL_FILE),
    }
    command = [
        str(Path(sys.executable).with_name("azmlinfsrv")),
        "--entry_script", str(PROJECT_ROOT / "src" / "azureml_online.py"),
        "--port", str(port),
    ]  # fmt: skip
    server = subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=1):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def post(url: str, payload: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}/score", data=payload, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class RecordingCollector:
    """Azure ML's data collector as the scoring script uses it."""

    def __init__(self) -> None:
        self.collected: list[tuple[pd.DataFrame, object]] = []

    def collect(self, frame: pd.DataFrame, context: object = None) -> object:
        self.collected.append((frame, context))
        return f"context-{len(self.collected)}"


class BodyOnly:
    """The one part of a request the scoring script reads."""

    def __init__(self, body: str) -> None:
        self.body = body

    def get_data(self, *, as_text: bool) -> str:
        return self.body


def test_online_script_collects_what_it_was_asked_and_answered(
    trained: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployment's data collector gets the features asked and the predictions given,
    joined by one correlation id (Azure ML's monitor reads both); outside Azure ML the
    collector is off and the script still answers."""
    online = script("azureml_online")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(trained.candidate))
    monkeypatch.setenv("MODEL_SHA256", sha256_file(trained.candidate / MODEL_FILE))
    online.init()
    example = recorded_example(trained.candidate)
    body = json.dumps({"records": example["features"]})
    assert online.run(BodyOnly(body)).status_code == 200  # the real collector, switched off
    inputs, outputs = RecordingCollector(), RecordingCollector()
    recording = online.deployment._replace(inputs=inputs, outputs=outputs)
    monkeypatch.setattr(online, "deployment", recording)
    assert online.run(BodyOnly(body)).status_code == 200
    [(asked, _)] = inputs.collected
    [(answered, context)] = outputs.collected
    assert context == "context-1"
    assert len(asked) == len(example["features"])
    target = recording.scorer.schema.target
    assert list(answered.columns) == [target]
    assert answered[target].tolist() == pytest.approx(example["predictions"])
    assert online.run(BodyOnly('{"rows": []}')).status_code == 422
    assert len(inputs.collected) == 1  # a refused request is not collected


def test_online_script_reproduces_the_recorded_predictions(
    inference_server: str, trained: ProjectPaths
) -> None:
    example = recorded_example(trained.candidate)
    status, answer = post(inference_server, json.dumps({"records": example["features"]}).encode())
    assert status == 200, answer
    assert answer["predictions"] == pytest.approx(example["predictions"])
    status, answer = post(inference_server, b'{"rows": []}')
    assert status == 422
    assert "records" in answer["error"]
