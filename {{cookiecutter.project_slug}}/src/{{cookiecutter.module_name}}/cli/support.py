"""What every command shares: the console, the --root option and one-line user errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import PipelineError

if TYPE_CHECKING:
    from rich.console import Console

# Plain help (no rich panels): rendering it with rich doubles the time `--help` takes.
HELP_MARKUP = None


@cache
def console() -> Console:
    """Where progress and messages go: stderr, so stdout carries only data (tables, JSON).
    Made on first use, so commands that print nothing do not load rich."""
    from rich.console import Console

    return Console(stderr=True)


Root = Annotated[Path, typer.Option("--root", help="Project root: where params.yaml lives.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a PipelineError, or the filesystem refusing a path (not writable, a file
    where a folder should be, a full disk), as one line and exit 1; real bugs keep
    their traceback."""
    try:
        yield
    except (PipelineError, OSError) as error:
        message = filesystem_problem(error) if isinstance(error, OSError) else str(error)
        console().print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def filesystem_problem(error: OSError) -> str:
    """The path and what is wrong with it, in words: making a folder where a file stands
    fails as "File exists" or "Not a directory", which does not say which is which."""
    if isinstance(error, FileExistsError | NotADirectoryError) and error.filename:
        blocking = next(
            (path for path in (Path(error.filename), *Path(error.filename).parents)
             if path.is_file()),
            None,
        )  # fmt: skip
        if blocking is not None:
            return f"{blocking} is a file where a folder is needed; move it away"
    return str(error)
