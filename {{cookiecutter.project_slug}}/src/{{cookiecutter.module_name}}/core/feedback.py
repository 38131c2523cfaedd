"""What a stage tells the person running it while it works: notes (an estimate, a
warning) and how far the reading of a large file has got. The command line shows both
(cli/feedback.py); the default, QUIET, shows nothing, for tests, notebooks and code of
your own."""

from __future__ import annotations

from contextlib import AbstractContextManager
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


class Quiet:
    def note(self, line: str) -> None:
        """Nothing is shown."""

    def reading(self, path: Path) -> AbstractContextManager[BinaryIO]:
        return path.open("rb")


QUIET = Quiet()
