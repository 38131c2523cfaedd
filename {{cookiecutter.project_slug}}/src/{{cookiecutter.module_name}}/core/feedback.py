"""What a stage tells the person running it while it works: notes (an estimate, a
warning), how far the reading of a large file has got, and how many of a known number
of steps (tune's trials) are done. The command line shows both
(cli/feedback.py); the default, QUIET, shows nothing, for tests, notebooks and code of
your own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import BinaryIO, Protocol

LARGE_FILE_BYTES = 50 * 2**20  # from this size on, reading shows progress and memory is estimated


class Feedback(Protocol):
    def note(self, line: str) -> None:
        """One line for the person running the stage."""
        ...

    def reading(self, path: Path) -> AbstractContextManager[BinaryIO]:
        """`path` opened for reading in binary, its progress shown while it is read."""
        ...

    def steps(self, description: str, total: int) -> AbstractContextManager[Callable[[], None]]:
        """A counter of `total` steps, shown while open: call it when a step is done."""
        ...


class Quiet:
    def note(self, line: str) -> None:
        """Nothing is shown."""

    def reading(self, path: Path) -> AbstractContextManager[BinaryIO]:
        return path.open("rb")

    def steps(self, description: str, total: int) -> AbstractContextManager[Callable[[], None]]:
        return nullcontext(lambda: None)


QUIET = Quiet()
