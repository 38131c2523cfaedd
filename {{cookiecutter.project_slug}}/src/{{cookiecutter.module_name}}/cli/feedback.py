"""The stages' feedback on the console: notes as lines, and a large file's reading as a
progress bar (in the pipeline's display during `run`: rich shows one display at a
time)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import BinaryIO

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ..core.feedback import LARGE_FILE_BYTES
from ..core.texts import text
from .support import console

PROGRESS_COLUMNS = (
    TextColumn("{task.description}"),
    BarColumn(),
    TaskProgressColumn(),
    TimeElapsedColumn(),
)


def progress_display() -> Progress:
    """A display for the command's progress bars, gone from the terminal once done; none
    in a log or a pipe, where it would only add blank lines to what scripts read."""
    shown_on = console()
    return Progress(
        *PROGRESS_COLUMNS, console=shown_on, transient=True, disable=not shown_on.is_terminal
    )


class ConsoleFeedback:
    """Notes and reading bars on the console: bars in `shown_in` (the pipeline's display
    during `run`), else in a display of their own while the file is read."""

    def __init__(self, shown_in: Progress | None = None) -> None:
        self.shown_in = shown_in

    def note(self, line: str) -> None:
        console().print(line, highlight=False)

    @contextmanager
    def reading(self, path: Path) -> Iterator[BinaryIO]:
        size = path.stat().st_size
        if size < LARGE_FILE_BYTES:  # read before a bar could be drawn
            with path.open("rb") as handle:
                yield handle
            return
        display = nullcontext(self.shown_in) if self.shown_in else progress_display()
        with display as progress:
            task = progress.add_task(text("cli.reading", name=path.name), total=size)
            try:
                with progress.open(path, "rb", task_id=task) as handle:
                    yield handle
            finally:
                progress.remove_task(task)

    @contextmanager
    def steps(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        display = nullcontext(self.shown_in) if self.shown_in else progress_display()
        with display as progress:
            task = progress.add_task(description, total=total)
            try:
                yield lambda: progress.advance(task)
            finally:
                progress.remove_task(task)
