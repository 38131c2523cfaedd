"""`diabetes-progression azureml ...`: run Azure ML job files here or on the workspace, and
roll models out to its endpoints (the train and deploy pipelines call these)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import PipelineError
from ..core.paths import ProjectPaths
from ..registry.backend import open_registry
from .support import HELP_MARKUP, Root, console, user_errors

if TYPE_CHECKING:
    from ..azureml.rollout import Names

azureml_app = typer.Typer(
    help="Azure ML: run job files here or on the workspace; blue/green rollout.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
CHAMPION = "champion"


def model_version(text: str) -> int | None:
    """What CI passes as a version: N, a release tag model-vN, or champion (None)."""
    if text == CHAMPION:
        return None
    try:
        return int(text.removeprefix("model-v"))
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not N, model-vN or {CHAMPION}") from exc


JobFile = Annotated[Path, typer.Argument(help="A pipeline or command job file in azureml/")]
Version = Annotated[
    int | None,
    typer.Option(
        parser=model_version,
        metavar="N|model-vN|champion",
        help="Registered model version [default: the champion]",
    ),
]


def names(root: Path) -> Names:
    # Imported here: mlflow takes seconds to import, and `--help` should not wait for it.
    from ..azureml.rollout import Names
    from ..registry.mlflow_backend import REGISTERED_MODEL

    return Names.read(root / "azureml", REGISTERED_MODEL)


def export_from_workspace(root: Path, version: int | None) -> Path:
    """Export a version from the workspace's registry (where the pipeline registered it)
    into deploy/, so its hash and recorded predictions can check the deployment."""
    from ..azureml.rollout import run_az, workspace_tracking_uri
    from ..registry.bundle import export_bundle

    if not os.environ.get("MLFLOW_TRACKING_URI"):
        os.environ["MLFLOW_TRACKING_URI"] = workspace_tracking_uri(run_az)
    registry = open_registry(ProjectPaths.at(root))
    target = root / "deploy" / "azureml"
    exported = export_bundle(registry, target, version)
    console().print(f"exported version {exported} from {registry.location}")
    return target


@azureml_app.command("run-local")
def run_local(
    job_file: JobFile,
    root: Root = Path(),
    sample_if_missing: Annotated[
        bool, typer.Option(help="Write the bundled sample where a data asset's file is missing")
    ] = False,
) -> None:
    """Run a job file's commands on this machine, in dependency order."""
    from ..azureml.local_runner import data_assets, run_job
    from ..core.config import SAMPLE_SOURCE
    from ..stages.prepare import load_source

    with user_errors():
        if sample_if_missing:
            for name, location in data_assets(root / "azureml").items():
                if not location.exists():
                    location.parent.mkdir(parents=True, exist_ok=True)
                    load_source(SAMPLE_SOURCE, root).to_csv(location, index=False)
                    console().print(f"data asset {name}: wrote the sample to {location}")
        outputs = run_job(job_file, root, echo=lambda line: console().print(line, highlight=False))
    for name, location in outputs.items():
        console().print(f"{name}: {location}", highlight=False)


@azureml_app.command("sync-sweep")
def sync_sweep_file(
    sweep_file: Annotated[Path, typer.Argument(help="The sweep job file")] = Path(
        "azureml/sweep.yml"
    ),
) -> None:
    """Write params.yaml's tune ranges into the sweep and its trial component.

    The search space (tune.space for model.name), the trial budget (tune.trials) and the
    objective (the business goal's metric)."""
    from ..azureml.sweep import sync_sweep

    with user_errors():
        changed = sync_sweep(sweep_file)
    for path in changed:
        console().print(f"wrote {path}", highlight=False)
    if not changed:
        console().print(f"{sweep_file} already searches what params.yaml declares")


@azureml_app.command("submit")
def submit_job(job_file: JobFile, root: Root = Path()) -> None:
    """Submit a job file, stream its logs and fail unless it completes."""
    from ..azureml.rollout import run_az, submit
    from ..azureml.sweep import differences

    with user_errors():
        stale = differences(job_file) if job_file.is_file() else []
        if stale:
            raise PipelineError(stale[0])
        name = submit(run_az, job_file, ProjectPaths.at(root).reports)
    console().print(f"Azure ML job {name} completed")


@azureml_app.command("stage")
def stage_version(root: Root = Path(), version: Version = None) -> None:
    """Deploy a version to the online deployment without traffic and smoke-test it."""
    from ..azureml.rollout import run_az, stage

    with user_errors():
        slot = stage(run_az, names(root), export_from_workspace(root, version))
    console().print(f"staged on deployment {slot}; `shift` gives it the traffic")


@azureml_app.command("shift")
def shift_traffic(root: Root = Path(), version: Version = None) -> None:
    """Give all traffic to the deployment running a version; batch follows."""
    from ..azureml.rollout import run_az, shift

    with user_errors():
        slot = shift(run_az, names(root), export_from_workspace(root, version))
    console().print(f"deployment {slot} takes all traffic")


@azureml_app.command("rollback")
def rollback_traffic(root: Root = Path()) -> None:
    """Give all traffic back to the other deployment."""
    from ..azureml.rollout import rollback, run_az

    with user_errors():
        slot, version = rollback(run_az, names(root))
    console().print(f"deployment {slot} (version {version}) takes all traffic")
