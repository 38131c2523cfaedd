"""Run an Azure ML job file on this machine, to know its commands work before paying for
a cluster: a pipeline's steps in dependency order, or a single command job.

Each `${{inputs.*}}` and `${{outputs.*}}` in a step's command becomes a local path:
a data asset (`azureml:<name>@latest`) becomes the file its YAML in azureml/ points at,
a datastore path a folder under build/azureml-local/datastores/ (kept between runs, so
the one-stage jobs hand over as on Azure), and each step output a fresh folder that
later steps read. Optional `$[[...]]` parts are kept only when their inputs
are given. A sweep runs its trial once, with params.yaml's values. MLflow goes to the
project's own store, as Azure ML points jobs at the workspace's.

The same parsing checks the wiring of every job file (tests/test_azureml.py): a step
reading an output no step writes, or an input its component does not declare, is an
error naming the file and the key.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import PipelineError

BINDING = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
OPTIONAL_PART = re.compile(r"\$\[\[(.*?)\]\]", re.DOTALL)
# An optional part passing an input as a hyper-parameter (optional_set writes them).
OPTIONAL_SET = re.compile(r"\$\[\[--set (?P<name>[^=\]\s]+)=\$\{\{inputs\.(?P=name)\}\}\]\]")
ASSET = re.compile(r"^azureml:(?P<name>[^:@/]+)(@latest|:[^:@/]+)$")
DATASTORE = re.compile(r"^azureml://datastores/(?P<store>[^/]+)/paths/(?P<path>.*)$")
WORK_FOLDER = Path("build") / "azureml-local"
# Runs one step's rendered command in a folder with an environment; returns the exit status.
CommandRunner = Callable[[str, Path, dict[str, str]], int]


@dataclass(frozen=True)
class Component:
    """A command with its declared inputs and outputs, from a component or job file."""

    source: Path
    command: str
    code: Path
    # input name -> its declaration: a mapping (type, optional, default) as Azure ML
    # documents it, though a hand-written file may hold anything there
    inputs: dict[str, Any]
    outputs: set[str]

    def required_inputs(self) -> set[str]:
        return {
            name
            for name, spec in self.inputs.items()
            if not (isinstance(spec, dict) and (spec.get("optional") or "default" in spec))
        }


@dataclass(frozen=True)
class Step:
    name: str
    component: Component
    inputs: dict[str, Any]  # input name -> a binding such as ${{parent.inputs.params}}, or a value
    # output name -> ${{parent.outputs.<name>}}, or {"path": <datastore path>} in a command job
    outputs: dict[str, Any] = field(default_factory=dict)
    is_sweep: bool = False

    def upstream(self) -> set[str]:
        return {
            parts[2]
            for value in self.inputs.values()
            for parts in [binding_parts(value)]
            if parts[:2] == ["parent", "jobs"] and len(parts) > 2
        }


@dataclass(frozen=True)
class JobPlan:
    """A job file resolved into steps in the order they can run."""

    source: Path
    inputs: dict[str, Any]
    outputs: set[str]
    steps: list[Step]


def binding_parts(value: Any) -> list[str]:
    """The parts of a binding: "${{parent.jobs.train.outputs.model}}" ->
    ["parent", "jobs", "train", "outputs", "model"]; [] for anything else."""
    if not isinstance(value, str):
        return []
    match = BINDING.fullmatch(value.strip())
    return match.group(1).split(".") if match else []


def read_spec(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise PipelineError(f"{path} not found")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path} is not valid YAML") from exc
    if not isinstance(spec, dict):
        raise PipelineError(f"{path}: expected a mapping of keys to values")
    return spec


def load_component(path: Path) -> Component:
    spec = read_spec(path)
    command = spec.get("command")
    if not isinstance(command, str) or not command.strip():
        raise PipelineError(f"{path}: command is missing")
    component = Component(
        source=path,
        command=command,
        code=(path.parent / str(spec.get("code", "."))).resolve(),
        inputs={name: value or {} for name, value in (spec.get("inputs") or {}).items()},
        outputs=set(spec.get("outputs") or {}),
    )
    check_command_bindings(component)
    return component


def check_command_bindings(component: Component) -> None:
    for expression in BINDING.findall(component.command):
        kind, _, name = expression.partition(".")
        declared = component.inputs if kind == "inputs" else component.outputs
        if kind not in ("inputs", "outputs") or name not in declared:
            raise PipelineError(
                f"{component.source}: command uses ${{{{{expression}}}}}, which is not a "
                f"declared input or output"
            )


def referenced_file(source: Path, reference: str) -> Path:
    """A component or trial file a job names, relative to the job file."""
    return source.parent / reference.removeprefix("file:")


def step_from_node(source: Path, name: str, node: dict[str, Any]) -> Step:
    where = f"{source}: jobs.{name}"
    is_sweep = node.get("type") == "sweep"
    reference = node.get("trial" if is_sweep else "component")
    if not isinstance(reference, str):
        raise PipelineError(f"{where}: needs a {'trial' if is_sweep else 'component'} file")
    component = load_component(referenced_file(source, reference))
    inputs: dict[str, Any] = dict(node.get("inputs") or {})
    if is_sweep:
        searched = set(node.get("search_space") or {})
        unknown = sorted(searched - set(component.inputs))
        if unknown:
            raise PipelineError(f"{where}.search_space.{unknown[0]}: not an input of {reference}")
        # Locally a sweep runs its trial once, with params.yaml's values.
        inputs = {key: value for key, value in inputs.items() if key not in searched}
    for input_name in inputs:
        if input_name not in component.inputs:
            raise PipelineError(f"{where}.inputs.{input_name}: not an input of {reference}")
    missing = sorted(
        component.required_inputs() - set(inputs) - set(node.get("search_space") or {})
    )
    if missing:
        raise PipelineError(f"{where}.inputs: {reference} needs input {missing[0]!r}")
    outputs = dict(node.get("outputs") or {})
    for output_name in outputs:
        if output_name not in component.outputs:
            raise PipelineError(f"{where}.outputs.{output_name}: not an output of {reference}")
    return Step(name, component, inputs, outputs, is_sweep)


def check_wiring(
    source: Path, plan_inputs: dict[str, Any], outputs: set[str], steps: dict[str, Step]
) -> None:
    for step in steps.values():
        for input_name, value in step.inputs.items():
            parts = binding_parts(value)
            where = f"{source}: jobs.{step.name}.inputs.{input_name}"
            if parts[:2] == ["parent", "inputs"] and parts[2:3] and parts[2] not in plan_inputs:
                raise PipelineError(f"{where}: the pipeline has no input {parts[2]!r}")
            if parts[:2] == ["parent", "jobs"]:
                if len(parts) != 5 or parts[3] != "outputs":
                    raise PipelineError(
                        f"{where}: expected ${{{{parent.jobs.<step>.outputs.<name>}}}}"
                    )
                producer = steps.get(parts[2])
                if producer is None:
                    raise PipelineError(f"{where}: no step named {parts[2]!r}")
                if parts[4] not in producer.component.outputs:
                    raise PipelineError(f"{where}: step {parts[2]!r} has no output {parts[4]!r}")
        for output_name, value in step.outputs.items():
            parts = binding_parts(value)
            if parts[:2] != ["parent", "outputs"] or parts[2:3] == [] or parts[2] not in outputs:
                raise PipelineError(
                    f"{source}: jobs.{step.name}.outputs.{output_name}: not bound to a "
                    "declared pipeline output"
                )


def plan_job(source: Path) -> JobPlan:
    """Read a pipeline or command job file, check its wiring and order its steps."""
    spec = read_spec(source)
    job_type = spec.get("type")
    if job_type == "command":
        component = load_component(source)
        declared = dict(spec.get("outputs") or {})
        step = Step(
            source.stem,
            component,
            {name: f"${{{{parent.inputs.{name}}}}}" for name in component.inputs},
            {name: declared[name] for name in component.outputs},
        )
        return JobPlan(source, dict(component.inputs), set(), [step])
    if job_type != "pipeline":
        raise PipelineError(f"{source}: type must be pipeline or command, not {job_type!r}")
    nodes = spec.get("jobs")
    if not isinstance(nodes, dict) or not nodes:
        raise PipelineError(f"{source}: jobs is missing")
    steps = {name: step_from_node(source, name, node or {}) for name, node in nodes.items()}
    plan_inputs = dict(spec.get("inputs") or {})
    outputs = set(spec.get("outputs") or {})
    check_wiring(source, plan_inputs, outputs, steps)
    try:
        order = TopologicalSorter({name: step.upstream() for name, step in steps.items()})
        ordered = [steps[name] for name in order.static_order()]
    except CycleError as exc:
        raise PipelineError(f"{source}: the steps' inputs form a cycle: {exc.args[1]}") from exc
    return JobPlan(source, plan_inputs, outputs, ordered)


def data_assets(folder: Path) -> dict[str, Path]:
    """Data asset name -> the local file or folder its YAML in `folder` registers."""
    assets: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if str(spec.get("$schema", "")).endswith("/data.schema.json"):
            assets[spec["name"]] = (path.parent / spec["path"]).resolve()
    return assets


def local_location(value: str, relative_to: Path, work: Path, assets: dict[str, Path]) -> Path:
    """Where an Azure ML path lives in a local run."""
    asset = ASSET.match(value)
    if asset:
        if asset["name"] not in assets:
            raise PipelineError(f"no data asset YAML in azureml/ is named {asset['name']!r}")
        if not assets[asset["name"]].exists():
            raise PipelineError(
                f"{assets[asset['name']]} (data asset {asset['name']}) not found; "
                "`nox -s azureml_local` writes the bundled sample there"
            )
        return assets[asset["name"]]
    store = DATASTORE.match(value)
    if store:
        # Shared by every run, as a datastore is: the stage jobs hand over through it.
        return work.parent / "datastores" / store["store"] / store["path"]
    return (relative_to / value).resolve()


def optional_set(name: str) -> str:
    """A command's part passing an optional input as a hyper-parameter, kept only when the
    input is given (a sweep's trial): $[[--set C=${{inputs.C}}]]."""
    return f"$[[--set {name}=${{{{inputs.{name}}}}}]]"


def render_command(command: str, values: dict[str, str]) -> str:
    """Substitute ${{inputs.x}} / ${{outputs.y}}; keep $[[...]] parts whose values exist."""

    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        return inner if all(name in values for name in BINDING.findall(inner)) else ""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise PipelineError(f"${{{{{match.group(1)}}}}} has no value in this run")
        return shlex.quote(values[match.group(1)])

    return " ".join(BINDING.sub(value, OPTIONAL_PART.sub(optional, command)).split())


def job_environment(project_root: Path) -> dict[str, str]:
    # Imported here: mlflow takes seconds to import, and checking wiring needs only YAML.
    from ..core.paths import ProjectPaths
    from ..registry.mlflow_tracking import connect

    environment = dict(os.environ)
    # `python` in a command is this interpreter, as it is the environment's on a cluster.
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment["PATH"]])
    # Azure ML points every job at the workspace's MLflow; here, the project's own store.
    environment["MLFLOW_TRACKING_URI"] = connect(ProjectPaths.at(project_root)).uri
    return environment


def run_in_shell(command: str, folder: Path, environment: dict[str, str]) -> int:
    """A step's command in a shell, as Azure ML runs it on a cluster node."""
    result = subprocess.run(command, shell=True, cwd=folder, env=environment, check=False)
    return result.returncode


def run_job(
    source: Path,
    project_root: Path,
    echo: Callable[[str], None] = print,
    execute: CommandRunner = run_in_shell,
) -> dict[str, Path]:
    """Run every step of the job file here; returns the folder of each job-level output
    (a pipeline's outputs, or a command job's)."""
    plan = plan_job(source)
    work = (project_root / WORK_FOLDER / source.stem).resolve()
    shutil.rmtree(work, ignore_errors=True)
    assets = data_assets(project_root / "azureml")
    environment = job_environment(project_root)
    produced: dict[str, Path] = {}  # "<step>.<output>" -> folder
    job_outputs: dict[str, Path] = {}
    for step in plan.steps:
        values: dict[str, str] = {}
        for name, bound in step.inputs.items():
            parts = binding_parts(bound)
            if parts[:2] == ["parent", "jobs"]:
                values[f"inputs.{name}"] = str(produced[f"{parts[2]}.{parts[4]}"])
                continue
            given = plan.inputs.get(parts[2]) if parts[:2] == ["parent", "inputs"] else bound
            if isinstance(given, dict):
                if "path" not in given:
                    continue  # an optional input left unset
                given = str(local_location(given["path"], source.parent, work, assets))
            values[f"inputs.{name}"] = str(given)
        for name in sorted(step.component.outputs):
            bound = step.outputs.get(name)
            location = (
                local_location(bound["path"], source.parent, work, assets)
                if isinstance(bound, dict) and "path" in bound
                else work / step.name / name
            )
            location.mkdir(parents=True, exist_ok=True)
            values[f"outputs.{name}"] = str(location)
            produced[f"{step.name}.{name}"] = location
            parts = binding_parts(bound)
            if parts[:2] == ["parent", "outputs"]:
                job_outputs[parts[2]] = location
            elif isinstance(bound, dict):  # a command job's own output
                job_outputs[name] = location
        command = render_command(step.component.command, values)
        echo(f"{step.name}{' (sweep: one trial)' if step.is_sweep else ''}: {command}")
        status = execute(command, step.component.code, environment)
        if status != 0:
            raise PipelineError(f"{source}: step {step.name!r} failed with exit status {status}")
    return job_outputs
