"""What every command shares: the console, the --root option and one-line user errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ..core.errors import PipelineError
from ..core.texts import plain, text

if TYPE_CHECKING:
    from rich.console import Console

# Plain help (no rich panels): rendering it with rich doubles the time `--help` takes.
HELP_MARKUP = None


@cache
def console() -> Console:
    """Where progress and messages go: stderr, so stdout carries only data (tables, JSON).
    Made on first use, so commands that print nothing do not load rich. A message is
    one line however narrow the terminal: scripts and tests read whole lines."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


Root = Annotated[Path, typer.Option("--root", help=plain("help.option.root"))]
# A sentence ends at "。" or at a period before a space.
FIRST_SENTENCE = re.compile(r"^.*?(?:。|\.(?=\s)|$)", re.DOTALL)


Command = TypeVar("Command", bound=Callable[..., Any])


def command(app: typer.Typer, key: str, name: str | None = None) -> Callable[[Command], Command]:
    """`app.command` with its help from the catalogue, and the first sentence of it as
    the short help the command list shows (click looks for an ASCII period only, and
    cuts Japanese mid-word)."""
    full = plain(key)
    match = FIRST_SENTENCE.match(full)
    return app.command(name, help=full, short_help=match.group(0) if match else full)


def print_error(message: str) -> None:
    """One problem, one line, however narrow the terminal; brackets in it (a list, a
    default) are printed as they are, not read as console markup."""
    from rich.markup import escape

    console().print(f"[bold red]{plain('cli.error')}[/] {escape(message)}", highlight=False)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a PipelineError, or the filesystem refusing a path (not writable, a file
    where a folder should be, a full disk), as one line and exit 1; real bugs keep
    their traceback."""
    try:
        yield
    except (PipelineError, OSError) as error:
        message = filesystem_problem(error) if isinstance(error, OSError) else str(error)
        print_error(message)
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
            return text("cli.file_in_the_way", path=blocking)
    return str(error)
