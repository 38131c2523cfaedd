"""The command line: one subcommand per stage, plus `run` for all of them in order.

Stage modules are imported inside the commands that run them: the scientific stack
takes seconds to load, and `--help` or a typo should not wait for it.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import PipelineError
from ..core.paths import ProjectPaths
{%- if cookiecutter.compute == "azureml" %}
from .azureml import azureml_app
{%- endif %}
from .models import models_app
from .support import HELP_MARKUP, Root, console, user_errors

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..core.config import HyperParameter
    from ..registry.bundle import LoadedBundle
    from ..stages.pipeline import Stage

# pyproject.toml's description (a test keeps the two equal). Not read from the installed
# metadata: importlib.metadata alone takes longer to import than typer.
{{ cookiecutter.description | python_constant("SUMMARY") }}

app = typer.Typer(
    help=f"{SUMMARY}\n\nOne command per lifecycle stage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(models_app, name="models")
{%- if cookiecutter.compute == "azureml" %}
app.add_typer(azureml_app, name="azureml")
{%- endif %}
Params = Annotated[Path | None, typer.Option(help="params.yaml to use [default: ROOT/params.yaml]")]
DataDir = Annotated[Path | None, typer.Option(help="Prepared splits [default: ROOT/data/interim]")]
ModelDir = Annotated[
    Path | None, typer.Option(help="Candidate model [default: ROOT/models/candidate]")
]
ReportsDir = Annotated[
    Path | None, typer.Option(help="Metrics and figures [default: ROOT/reports]")
]
DocsDir = Annotated[
    Path | None, typer.Option(help="Where the stage's report goes [default: ROOT/docs]")
]
Goal = Annotated[
    Path | None,
    typer.Option(help="Business goal document [default: ROOT/docs/01_business_understanding.md]"),
]


def resolve_paths(
    root: Path,
    params: Path | None = None,
    data_dir: Path | None = None,
    model_dir: Path | None = None,
    reports_dir: Path | None = None,
    **more: Path | None,
) -> ProjectPaths:
    """The standard layout under `root`, with any location the user passed instead;
    `more` names other ProjectPaths fields (docs, business_goal, registration, source)."""
    overrides = {
        "params": params,
        "interim": data_dir,
        "candidate": model_dir,
        "reports": reports_dir,
        # Register writes beside the reports it read unless told otherwise.
        "registration": reports_dir,
    }
    overrides |= {key: value for key, value in more.items() if value}
    return dataclasses.replace(
        ProjectPaths.at(root), **{key: value for key, value in overrides.items() if value}
    )


def load_model(root: Path, bundle: Path | None) -> LoadedBundle:
    """An exported bundle, or the registry's champion, hash-checked either way."""
    from ..registry.backend import open_registry
    from ..registry.bundle import load_bundle, load_champion_bundle

    if bundle is not None:
        return load_bundle(bundle)
    return load_champion_bundle(open_registry(ProjectPaths.at(root)))


def run_stage(stage: Stage, paths: ProjectPaths, shown_in: Progress | None = None) -> None:
    """Run the stage and print its summary; a large file's reading shows its bar in
    `shown_in`, the pipeline's display in `run`."""
    from .feedback import ConsoleFeedback

    with user_errors():
        started = time.perf_counter()
        summary = stage.run(paths, ConsoleFeedback(shown_in))
    # One line per stage however narrow the terminal or log: scripts read these lines.
    console().print(
        f"{stage.name}: {summary} ({time.perf_counter() - started:.1f}s)",
        highlight=False,
        soft_wrap=True,
    )


def run_named_stage(name: str, paths: ProjectPaths) -> None:
    """Run one stage of the pipeline (imported only now: see the module docstring)."""
    from ..stages.pipeline import STAGES

    run_stage(next(stage for stage in STAGES if stage.name == name), paths)


def parse_hyperparameters(assignments: list[str]) -> dict[str, HyperParameter]:
    """["alpha=0.5", "fit_intercept=false"] -> {"alpha": 0.5, "fit_intercept": False}."""
    import yaml

    parsed: dict[str, HyperParameter] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise typer.BadParameter(f"{assignment!r} is not NAME=VALUE", param_hint="--set")
        # YAML reads values the way params.yaml does: 0.5, 10, true, null, text.
        loaded = yaml.safe_load(value)
        if not isinstance(loaded, bool | int | float | str | None):
            raise typer.BadParameter(f"{assignment!r}: not a single value", param_hint="--set")
        parsed[name.strip()] = loaded
    return parsed


@app.command()
def prepare(
    root: Root = Path(),
    params: Params = None,
    data_dir: DataDir = None,
    source: Annotated[
        Path | None, typer.Option(help="Data file to use instead of params.yaml data.source")
    ] = None,
) -> None:
    """Load the data source, validate it and split train/holdout."""
    run_named_stage("prepare", resolve_paths(root, params, data_dir, source=source))


@app.command()
def analyze(
    root: Root = Path(),
    data_dir: DataDir = None,
    reports_dir: ReportsDir = None,
    docs_dir: DocsDir = None,
) -> None:
    """Write docs/02_analysis_report.md and its figures from the training split."""
    paths = resolve_paths(root, data_dir=data_dir, reports_dir=reports_dir, docs=docs_dir)
    run_named_stage("analyze", paths)


@app.command()
def preprocess(root: Root = Path(), params: Params = None, data_dir: DataDir = None) -> None:
    """Fit the feature pipeline and write the transformed training split."""
    run_named_stage("preprocess", resolve_paths(root, params, data_dir))


@app.command()
def train(
    root: Root = Path(),
    params: Params = None,
    data_dir: DataDir = None,
    model_dir: ModelDir = None,
    hyperparameters: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="NAME=VALUE over params.yaml model.params (repeatable; sweeps use it)"
        ),
    ] = None,
    goal: Goal = None,
) -> None:
    """Cross-validate and fit the model pipeline; save it as the candidate. A two-class
    model's decision threshold is chosen for the business goal's values."""
    from ..stages.pipeline import Stage, run_train

    overrides = parse_hyperparameters(hyperparameters or [])
    stage = Stage("train", lambda paths, feedback: run_train(paths, feedback, overrides))
    run_stage(stage, resolve_paths(root, params, data_dir, model_dir, business_goal=goal))


@app.command()
def tune(
    root: Root = Path(),
    trials: Annotated[
        int | None, typer.Option(min=1, help="Trials to run [default: params.yaml tune.trials]")
    ] = None,
    timeout_minutes: Annotated[
        float | None,
        typer.Option(min=0.01, help="Stop after this long [default: tune.timeout_minutes]"),
    ] = None,
) -> None:
    """Search tune.space for the model in params.yaml (cross-validated, in the goal's
    metric); write the best values into params.yaml when they beat its own. Run
    prepare first; train afterwards."""
    from ..stages.pipeline import Stage, run_tune

    paths = ProjectPaths.at(root)
    if report_problems(paths):  # every problem in a line each, before minutes of trials
        raise typer.Exit(1)
    stage = Stage(
        "tune", lambda paths, feedback: run_tune(paths, feedback, trials, timeout_minutes)
    )
    run_stage(stage, paths)


@app.command()
def evaluate(
    root: Root = Path(),
    data_dir: DataDir = None,
    model_dir: ModelDir = None,
    reports_dir: ReportsDir = None,
    docs_dir: DocsDir = None,
    goal: Goal = None,
) -> None:
    """Score the candidate on the holdout split against the business goal."""
    paths = resolve_paths(
        root, None, data_dir, model_dir, reports_dir, docs=docs_dir, business_goal=goal
    )
    run_named_stage("evaluate", paths)


@app.command()
def register(
    root: Root = Path(),
    model_dir: ModelDir = None,
    reports_dir: ReportsDir = None,
    registration_dir: Annotated[
        Path | None,
        typer.Option(help="Where registration.json goes [default: the reports folder]"),
    ] = None,
) -> None:
    """Add the candidate to the registry when evaluate approved it."""
    paths = resolve_paths(
        root, model_dir=model_dir, reports_dir=reports_dir, registration=registration_dir
    )
    run_named_stage("register", paths)


@app.command("sample-data")
def sample_data(
    target: Annotated[Path, typer.Argument(help="CSV file to write, e.g. data/raw/diabetes.csv")],
) -> None:
    """Write the bundled diabetes data as a CSV file: the shape your own data takes."""
    from ..core.config import SAMPLE_SOURCE
    from ..stages.prepare import load_source

    with user_errors():
        if target.exists():
            raise PipelineError(f"{target} already exists; remove it or choose another path")
        target.parent.mkdir(parents=True, exist_ok=True)
        frame = load_source(SAMPLE_SOURCE, Path())
        frame.to_csv(target, index=False)
    console().print(f"{target}: {len(frame)} rows, {frame.shape[1]} columns", highlight=False)


@app.command()
def predict(
    source: Annotated[Path, typer.Argument(help="CSV or Parquet file of rows to score")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where predictions go (.csv or .parquet)")
    ],
    root: Root = Path(),
    bundle: Annotated[
        Path | None, typer.Option(help="Exported bundle to use [default: the champion]")
    ] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows read and scored at a time")] = (
        100_000
    ),
) -> None:
    """Score a file with the champion: its identifier columns, the prediction, and each
    class's probability for a classifier."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from ..stages.predict import predict_file

    with user_errors():
        loaded = load_model(root, bundle)
        columns = (
            TextColumn("predict"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]} rows"),
        )
        with Progress(*columns, console=console(), transient=True) as progress:
            task = progress.add_task("predict", total=None, rows=0)
            rows = predict_file(
                loaded,
                source,
                output,
                chunk_rows,
                report=lambda done: progress.update(
                    task, completed=done.done, total=done.total, rows=done.rows
                ),
            )
    console().print(
        f"predict: {rows} rows scored by model version {loaded.version} -> {output}",
        highlight=False,
    )


@app.command("use-data")
def use_data(
    source: Annotated[Path, typer.Argument(help="CSV or Parquet file inside the project")],
    target: Annotated[str, typer.Option(help="The column to predict")],
    task: Annotated[
        str | None,
        typer.Option(help="regression or classification [default: inferred from the target]"),
    ] = None,
    root: Root = Path(),
) -> None:
    """Point params.yaml at your own table and propose a gate: the task inferred from the
    target, the model following the task, the goal's metric and threshold set from what
    a dummy model scores. Review both files, then `check` and `run`."""
    from ..stages.use_data import use_data as adopt

    paths = ProjectPaths.at(root)
    with user_errors():
        if task not in (None, "regression", "classification"):
            raise PipelineError(f"--task {task!r}: use regression or classification")
        location = source.resolve()
        if not location.is_relative_to(paths.root.resolve()):
            raise PipelineError(f"{source}: put the file inside the project, e.g. data/raw/")
        relative = location.relative_to(paths.root.resolve()).as_posix()
        adoption = adopt(paths, relative, target, task)
    classes = f" ({len(adoption.classes)} classes)" if adoption.classes else ""
    gate = adoption.gate
    comparison = "at most" if gate.direction == "minimize" else "at least"
    lines = [
        f"params.yaml: {relative}, target {target!r}: {adoption.task}{classes}, "
        f"model {adoption.model}",
        f"{paths.business_goal.name}: {gate.metric} {comparison} {gate.threshold:g} "
        f"(a dummy scores {gate.dummy:.3g}): a starting point, set it to what the business needs",
    ]
    if adoption.emptied:
        lines.append(f"emptied {', '.join(adoption.emptied)}: they named columns the table lacks")
    for line in lines:
        console().print(f"use-data: {line}", highlight=False, soft_wrap=True)


def report_problems(paths: ProjectPaths) -> int:
    """Print each problem of the project's params, goal and data as it is found (the
    cheap checks first); returns how many there were."""
    from ..stages.validate import project_problems

    count = 0
    for problem in project_problems(paths):
        console().print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True)
        count += 1
    return count


@app.command()
def check(root: Root = Path(), params: Params = None) -> None:
    """Check params.yaml, the business goal and the data file together: every problem
    at once, one line each. `run` does this first."""
    if report_problems(resolve_paths(root, params)):
        raise typer.Exit(1)
    console().print("check: params.yaml, the business goal and the data agree", highlight=False)


@app.command()
def run(root: Root = Path(), params: Params = None) -> None:
    """Check the project, then run every stage in order, showing progress."""
    from ..stages.pipeline import STAGES
    from .feedback import progress_display

    paths = resolve_paths(root, params)
    if report_problems(paths):
        raise typer.Exit(1)
    with progress_display() as progress:
        task = progress.add_task("pipeline", total=len(STAGES))
        for stage in STAGES:
            progress.update(task, description=stage.name)
            run_stage(stage, paths, shown_in=progress)
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
    workers: Annotated[
        int, typer.Option(min=1, help="Processes answering requests side by side")
    ] = 1,
) -> None:
    """Serve the model over HTTP: the form at /, the API at /predict, docs at /docs."""
    # Imported here: the web stack is only needed by this command.
    import os
    import tempfile

    import uvicorn

    from ..registry.backend import open_registry
    from ..registry.bundle import export_bundle
    from ..serving.app import create_app
    from ..serving.workers import BUNDLE_VARIABLE, FACTORY

    with tempfile.TemporaryDirectory() as scratch:
        with user_errors():
            if workers > 1 and bundle is None:
                # Exported once, so that every worker process serves the same version.
                bundle = Path(scratch) / "champion"
                export_bundle(open_registry(ProjectPaths.at(root)), bundle)
            loaded = load_model(root, bundle)
            service = create_app(loaded)  # a broken template stops here, not in a worker
        console().print(
            f"serving model version {loaded.version} on http://{host}:{port}/"
            + (f" with {workers} workers" if workers > 1 else "")
        )
        if workers == 1:
            uvicorn.run(service, host=host, port=port, log_level="warning")
            return
        assert bundle is not None  # exported above
        os.environ[BUNDLE_VARIABLE] = str(bundle.resolve())
        uvicorn.run(
            FACTORY, factory=True, workers=workers, host=host, port=port, log_level="warning"
        )


{% endif -%}
def main() -> None:
    app()
