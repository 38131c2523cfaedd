"""What every command shares: the console, the --root option and one-line user errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import PipelineError

# Progress and messages go to stderr, so stdout carries only data (tables, JSON).
console = Console(stderr=True)

Root = Annotated[Path, typer.Option("--root", help="Project root: where params.yaml lives.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a PipelineError as one line and exit 1; real bugs keep their traceback."""
    try:
        yield
    except PipelineError as error:
        console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
