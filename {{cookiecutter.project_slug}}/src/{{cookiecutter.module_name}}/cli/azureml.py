"""`diabetes-progression azureml ...`: run Azure ML job files here or on the workspace, and
roll models out to its endpoints (the train and deploy pipelines call these)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import PipelineError
from ..core.paths import ProjectPaths
from ..core.texts import plain, text
from ..registry.backend import open_registry
from .support import HELP_MARKUP, Root, command, console, user_errors

if TYPE_CHECKING:
    from ..azureml.rollout import Names

azureml_app = typer.Typer(
    help=plain("help.azureml"),
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
CHAMPION = "champion"


def model_version(given: str) -> int | None:
    """What CI passes as a version: N, a release tag model-vN, or champion (None)."""
    if given == CHAMPION:
        return None
    try:
        return int(given.removeprefix("model-v"))
    except ValueError as exc:
        raise typer.BadParameter(text("cli.azureml.not_version", given=repr(given))) from exc


JobFile = Annotated[Path, typer.Argument(help=plain("help.option.job_file"))]
Version = Annotated[
    int | None,
    typer.Option(
        parser=model_version,
        metavar="N|model-vN|champion",
        help=plain("help.option.version"),
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
    console().print(text("cli.azureml.exported", version=exported, location=registry.location))
    return target


@command(azureml_app, "help.azureml.run_local", "run-local")
def run_local(
    job_file: JobFile,
    root: Root = Path(),
    sample_if_missing: Annotated[
        bool, typer.Option(help=plain("help.option.sample_if_missing"))
    ] = False,
) -> None:
    from ..azureml.local_runner import data_assets, run_job
    from ..core.config import SAMPLE_SOURCE
    from ..stages.prepare import load_source

    with user_errors():
        if sample_if_missing:
            for name, location in data_assets(root / "azureml").items():
                if not location.exists():
                    location.parent.mkdir(parents=True, exist_ok=True)
                    load_source(SAMPLE_SOURCE, root).to_csv(location, index=False)
                    written = text("cli.azureml.sample_written", name=name, location=location)
                    console().print(written)
        outputs = run_job(job_file, root, echo=lambda line: console().print(line, highlight=False))
    for name, location in outputs.items():
        console().print(f"{name}: {location}", highlight=False)


@command(azureml_app, "help.azureml.sync_sweep", "sync-sweep")
def sync_sweep_file(
    sweep_file: Annotated[Path, typer.Argument(help=plain("help.option.sweep_file"))] = Path(
        "azureml/sweep.yml"
    ),
) -> None:
    from ..azureml.sweep import sync_sweep

    with user_errors():
        changed = sync_sweep(sweep_file)
    for path in changed:
        console().print(text("cli.azureml.wrote", path=path), highlight=False)
    if not changed:
        console().print(text("cli.azureml.in_sync", sweep=sweep_file))


@command(azureml_app, "help.azureml.submit", "submit")
def submit_job(job_file: JobFile, root: Root = Path()) -> None:
    from ..azureml.rollout import run_az, submit
    from ..azureml.sweep import differences

    with user_errors():
        stale = differences(job_file) if job_file.is_file() else []
        if stale:
            raise PipelineError(stale[0])
        name = submit(run_az, job_file, ProjectPaths.at(root).reports)
    console().print(text("cli.azureml.completed", name=name))


@command(azureml_app, "help.azureml.stage", "stage")
def stage_version(root: Root = Path(), version: Version = None) -> None:
    from ..azureml.rollout import run_az, stage

    with user_errors():
        slot = stage(run_az, names(root), export_from_workspace(root, version))
    console().print(text("cli.azureml.staged", slot=slot))


@command(azureml_app, "help.azureml.shift", "shift")
def shift_traffic(root: Root = Path(), version: Version = None) -> None:
    from ..azureml.rollout import run_az, shift

    with user_errors():
        slot = shift(run_az, names(root), export_from_workspace(root, version))
    console().print(text("cli.azureml.shifted", slot=slot))


@command(azureml_app, "help.azureml.rollback", "rollback")
def rollback_traffic(root: Root = Path()) -> None:
    from ..azureml.rollout import rollback, run_az

    with user_errors():
        slot, version = rollback(run_az, names(root))
    console().print(text("cli.azureml.reverted", slot=slot, version=version))
