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
from ..registry.backend import open_registry
from ..registry.base import champion_version, get_version, promote, rollback
from .support import HELP_MARKUP, Root, console, user_errors

models_app = typer.Typer(
    help="Inspect the model registry and move the champion alias.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)


@models_app.command("list")
def list_versions(root: Root = Path()) -> None:
    """Every registered version, oldest first; `models show` gives the full lineage."""
    from rich.console import Console
    from rich.table import Table

    with user_errors():
        registry = open_registry(ProjectPaths.at(root))
        versions = registry.versions()
        champion = champion_version(registry)
    if not versions:
        console().print(f"no registered versions in {registry.location}")
        return
    metric = versions[-1].lineage["goal"]["metric"]
    table = Table("version", "registered", "model", f"holdout {metric}", "sha256", "", box=None)
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
            "champion" if entry.version == champion else "",
        )
    Console().print(table)  # stdout: the table is the command's data


@models_app.command("show")
def show(version: int, root: Root = Path()) -> None:
    """One version's lineage as JSON: params, data fingerprint, commit, metrics, hash and
    its model card's name (`models card N` prints the card)."""
    with user_errors():
        registry = open_registry(ProjectPaths.at(root))
        entry = get_version(registry, version)
        details = {**entry.to_dict(), "champion": champion_version(registry) == version}
    typer.echo(json.dumps(details, indent=2, ensure_ascii=False))


@models_app.command("card")
def card(version: int, root: Root = Path()) -> None:
    """A version's model card (Markdown): its use, training data, scores and limitations."""
    import tempfile

    from ..core.artifacts import sha256_file
    from ..core.errors import PipelineError

    with user_errors():
        registry = open_registry(ProjectPaths.at(root))
        entry = get_version(registry, version)
        name = entry.lineage.get("model_card")
        if name is None:
            raise PipelineError(
                f"model version {version} was registered without a model card "
                "(cards came with a later release of the template)"
            )
        with tempfile.TemporaryDirectory() as scratch:
            registry.fetch(version, Path(scratch))
            card = Path(scratch) / name
            if sha256_file(card) != entry.lineage.get("model_card_sha256"):
                raise PipelineError(
                    f"{registry.location}: version {version}'s {name} does not match the "
                    "hash recorded when it was registered; refusing to show it"
                )
            typer.echo(card.read_text(encoding="utf-8"), nl=False)


@models_app.command("promote")
def promote_version(version: int, root: Root = Path()) -> None:
    """Make VERSION the champion (after checking its file against its hash)."""
    with user_errors():
        promote(open_registry(ProjectPaths.at(root)), version)
    console().print(f"champion: version {version}")


@models_app.command("rollback")
def rollback_champion(root: Root = Path()) -> None:
    """Give the champion alias back to the version that held it before."""
    with user_errors():
        version = rollback(open_registry(ProjectPaths.at(root)))
    console().print(f"champion: version {version} (rolled back)")


@models_app.command("export")
def export(
    out_dir: Path,
    version: Annotated[int | None, typer.Option(help="[default: the champion]")] = None,
    root: Root = Path(),
) -> None:
    """Write a registered version (the champion by default) to OUT_DIR for deployment."""
    from ..registry.bundle import export_bundle

    with user_errors():
        written = export_bundle(open_registry(ProjectPaths.at(root)), out_dir, version)
    console().print(f"exported version {written} to {out_dir}")


@models_app.command("smoke")
def smoke(
    bundle_dir: Path,
{%- if cookiecutter.serving == "fastapi" %}
    url: Annotated[
        str | None, typer.Option(help="Test the service at this URL serving the bundle instead")
    ] = None,
{%- endif %}
) -> None:
    """Check an exported model: its hash, and that it reproduces its recorded predictions."""
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
    console().print(f"smoke test passed: {summary}")
