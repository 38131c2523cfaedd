"""One writer at a time: a lock file that every registry change holds.

Registering, promoting and rolling back read the registry, decide, then write; two
processes doing that at once would both take the same version number or undo each
other's alias. The operating system releases the lock when its holder dies (even by
SIGKILL), so a crashed run never leaves the registry locked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..core.errors import PipelineError
from ..core.texts import text

LOCK_FILE = ".registry.lock"
# A registration takes seconds; a writer still waiting after this long is stuck behind
# a process that hangs, and says so rather than waiting forever.
WAIT_SECONDS = 600.0


@contextmanager
def one_writer(folder: Path) -> Iterator[None]:
    """Hold the registry lock in `folder` while the block runs. Re-entrant within a
    process: a promote inside a held lock does not wait for itself."""
    folder.mkdir(parents=True, exist_ok=True)
    # One lock object per file in a process (is_singleton): a second object on the same
    # file would wait for the first forever.
    lock = FileLock(folder / LOCK_FILE, timeout=WAIT_SECONDS, is_singleton=True)
    try:
        lock.acquire()
    except Timeout as exc:
        raise PipelineError(
            text("error.registry_busy", path=folder / LOCK_FILE, seconds=WAIT_SECONDS)
        ) from exc
    try:
        yield
    finally:
        lock.release()
