"""The command line: one subcommand per stage, plus `run` for all of them in order."""

from __future__ import annotations

import dataclasses
import time
from importlib.metadata import metadata
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from .cli_support import Root, console, user_errors
from .config import ProjectPaths
from .models_cli import models_app
from .pipeline import STAGES, Stage

DISTRIBUTION = "{{ cookiecutter.project_slug }}"
app = typer.Typer(
    # The description from pyproject.toml, so the help text has one source.
    help=f"{metadata(DISTRIBUTION)['Summary']}\n\nOne command per lifecycle stage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(models_app, name="models")
Params = Annotated[Path | None, typer.Option(help="params.yaml to use [default: ROOT/params.yaml]")]
DataDir = Annotated[Path | None, typer.Option(help="Prepared splits [default: ROOT/data/interim]")]
ModelDir = Annotated[
    Path | None, typer.Option(help="Candidate model [default: ROOT/models/candidate]")
]
ReportsDir = Annotated[
    Path | None, typer.Option(help="Metrics and figures [default: ROOT/reports]")
]


def resolve_paths(
    root: Path,
    params: Path | None = None,
    data_dir: Path | None = None,
    model_dir: Path | None = None,
    reports_dir: Path | None = None,
) -> ProjectPaths:
    """The standard layout under `root`, with any location the user passed instead."""
    overrides = {
        "params": params,
        "interim": data_dir,
        "candidate": model_dir,
        "reports": reports_dir,
    }
    return dataclasses.replace(
        ProjectPaths.at(root), **{key: value for key, value in overrides.items() if value}
    )


def run_stage(stage: Stage, paths: ProjectPaths) -> None:
    with user_errors():
        started = time.perf_counter()
        summary = stage.run(paths)
    console.print(
        f"{stage.name}: {summary} ({time.perf_counter() - started:.1f}s)", highlight=False
    )


STAGE = {stage.name: stage for stage in STAGES}


@app.command()
def prepare(root: Root = Path(), params: Params = None, data_dir: DataDir = None) -> None:
    """Load the data source, validate it and split train/holdout."""
    run_stage(STAGE["prepare"], resolve_paths(root, params, data_dir))


@app.command()
def analyze(root: Root = Path(), data_dir: DataDir = None, reports_dir: ReportsDir = None) -> None:
    """Write docs/02_analysis_report.md and its figures from the training split."""
    run_stage(STAGE["analyze"], resolve_paths(root, data_dir=data_dir, reports_dir=reports_dir))


@app.command()
def preprocess(root: Root = Path(), params: Params = None, data_dir: DataDir = None) -> None:
    """Fit the feature pipeline and write the transformed training split."""
    run_stage(STAGE["preprocess"], resolve_paths(root, params, data_dir))


@app.command()
def train(
    root: Root = Path(), params: Params = None, data_dir: DataDir = None, model_dir: ModelDir = None
) -> None:
    """Cross-validate and fit the model pipeline; save it as the candidate."""
    run_stage(STAGE["train"], resolve_paths(root, params, data_dir, model_dir))


@app.command()
def evaluate(
    root: Root = Path(),
    data_dir: DataDir = None,
    model_dir: ModelDir = None,
    reports_dir: ReportsDir = None,
) -> None:
    """Score the candidate on the holdout split against the business goal."""
    run_stage(STAGE["evaluate"], resolve_paths(root, None, data_dir, model_dir, reports_dir))


@app.command()
def register(
    root: Root = Path(), model_dir: ModelDir = None, reports_dir: ReportsDir = None
) -> None:
    """Add the candidate to models/registry when evaluate approved it."""
    run_stage(STAGE["register"], resolve_paths(root, model_dir=model_dir, reports_dir=reports_dir))


@app.command()
def run(root: Root = Path(), params: Params = None) -> None:
    """Run every stage in order, showing progress."""
    paths = resolve_paths(root, params)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("pipeline", total=len(STAGES))
        for stage in STAGES:
            progress.update(task, description=stage.name)
            run_stage(stage, paths)
            progress.advance(task)


{% if cookiecutter.serving == "fastapi" -%}
@app.command()
def serve(
    root: Root = Path(),
    bundle: Annotated[
        Path | None, typer.Option(help="Exported bundle to serve [default: the champion]")
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the model over HTTP: the form at /, the API at /predict, docs at /docs."""
    # Imported here: the web stack is only needed by this command.
    import uvicorn

    from .bundle import load_bundle, load_champion_bundle
    from .registry import open_registry
    from .service import create_app

    with user_errors():
        loaded = (
            load_bundle(bundle)
            if bundle is not None
            else load_champion_bundle(open_registry(ProjectPaths.at(root)))
        )
    console.print(f"serving model version {loaded.version} on http://{host}:{port}/")
    uvicorn.run(create_app(loaded), host=host, port=port, log_level="warning")


{% endif -%}
def main() -> None:
    app()
