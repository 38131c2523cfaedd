"""`models` commands: list and inspect versions, promote, roll back, export for deploy.

Listing and showing read the registry's index only; the commands that load a model
import the bundle code (and with it the scientific stack) when they run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..core.paths import ProjectPaths
from ..core.texts import plain, text
from ..registry.backend import open_registry
from ..registry.base import champion_version, get_version, promote, rollback
from .support import HELP_MARKUP, Root, command, console, user_errors

models_app = typer.Typer(
    help=plain("help.models"),
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)


@command(models_app, "help.models.list", "list")
def list_versions(root: Root = Path()) -> None:
    from rich.console import Console
    from rich.table import Table

    with user_errors():
        registry = open_registry(ProjectPaths.at(root))
        versions = registry.versions()
        champion = champion_version(registry)
    if not versions:
        console().print(text("cli.models.none", location=registry.location))
        return
    metric = versions[-1].lineage["goal"]["metric"]
    table = Table(
        plain("cli.models.version"),
        plain("cli.models.registered"),
        plain("cli.models.model"),
        text("cli.models.holdout", metric=metric),
        "sha256",
        "",
        box=None,
    )
    for entry in versions:
        goal = entry.lineage["goal"]
        table.add_row(
            str(entry.version),
            entry.lineage["registered_at"][:16].replace("T", " "),
            entry.lineage["model"],
            f"{goal['value']:.4g}"
            if goal["metric"] == metric
            else f"{goal['metric']} {goal['value']:.4g}",
            entry.sha256[:12],
            plain("cli.models.champion") if entry.version == champion else "",
        )
    # stdout: the table is the command's data, one line per version even in a pipe
    # (where rich would otherwise fold it to 80 columns).
    output = Console()
    if not output.is_terminal:
        output = Console(width=1000)
    output.print(table)


@command(models_app, "help.models.show", "show")
def show(version: int, root: Root = Path()) -> None:
    with user_errors():
        registry = open_registry(ProjectPaths.at(root))
        entry = get_version(registry, version)
        details = {**entry.to_dict(), "champion": champion_version(registry) == version}
    typer.echo(json.dumps(details, indent=2, ensure_ascii=False))


@command(models_app, "help.models.card", "card")
def card(version: int, root: Root = Path()) -> None:
    import tempfile

    from ..core.artifacts import sha256_file
    from ..core.errors import PipelineError

    with user_errors():
        registry = open_registry(ProjectPaths.at(root))
        entry = get_version(registry, version)
        name = entry.lineage.get("model_card")
        if name is None:
            raise PipelineError(text("error.no_card", version=version))
        with tempfile.TemporaryDirectory() as scratch:
            registry.fetch(version, Path(scratch))
            card = Path(scratch) / name
            if sha256_file(card) != entry.lineage.get("model_card_sha256"):
                raise PipelineError(
                    text("error.card_hash", location=registry.location, version=version, name=name)
                )
            typer.echo(card.read_text(encoding="utf-8"), nl=False)


@command(models_app, "help.models.promote", "promote")
def promote_version(version: int, root: Root = Path()) -> None:
    with user_errors():
        promote(open_registry(ProjectPaths.at(root)), version)
    console().print(text("cli.models.promoted", version=version))


@command(models_app, "help.models.rollback", "rollback")
def rollback_champion(root: Root = Path()) -> None:
    with user_errors():
        version = rollback(open_registry(ProjectPaths.at(root)))
    console().print(text("cli.models.rolled_back", version=version))


@command(models_app, "help.models.export", "export")
def export(
    out_dir: Path,
    version: Annotated[int | None, typer.Option(help=plain("help.option.version"))] = None,
    root: Root = Path(),
) -> None:
    from ..registry.bundle import export_bundle

    with user_errors():
        written = export_bundle(open_registry(ProjectPaths.at(root)), out_dir, version)
    console().print(text("cli.models.exported", version=written, target=out_dir))


@command(models_app, "help.models.smoke", "smoke")
def smoke(
    bundle_dir: Path,
{%- if cookiecutter.serving == "fastapi" %}
    url: Annotated[str | None, typer.Option(help=plain("help.option.service_url"))] = None,
{%- endif %}
) -> None:
    from ..registry.bundle import smoke_test_bundle

    with user_errors():
{%- if cookiecutter.serving == "fastapi" %}
        if url is not None:
            from ..serving.smoke import smoke_test_service

            summary = smoke_test_service(bundle_dir, url)
        else:
            summary = smoke_test_bundle(bundle_dir)
{%- else %}
        summary = smoke_test_bundle(bundle_dir)
{%- endif %}
    console().print(text("cli.models.smoke_passed", summary=summary))
