"""The model registry: every registered version, its lineage, and the `champion` alias.

Three rules hold whichever backend stores it: a version, once written, is never changed
or removed; a model is loaded only when its file matches the SHA-256 recorded when it
was registered; and every change happens inside `writing()`, one process at a time, so
two runs registering at once get two versions, never one version twice. The champion's
history is kept so `rollback` can step back.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import PipelineError
from ..core.texts import text

if TYPE_CHECKING:  # `models list` reads the index without loading scikit-learn
    from sklearn.pipeline import Pipeline

CHAMPION = "champion"


@dataclass(frozen=True)
class ModelVersion:
    version: int
    sha256: str
    # registered_at, model, params, data fingerprint, git commit, libraries, metrics
    lineage: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "sha256": self.sha256, **self.lineage}


@dataclass(frozen=True)
class Champion:
    version: int
    model: Pipeline


class ModelRegistry(Protocol):
    """What the stages and the `models` commands need from a registry backend."""

    location: str

    def writing(self) -> AbstractContextManager[None]:
        """Hold while reading the registry to change it: one writer at a time across
        processes. Entering also completes or clears what a writer killed midway left."""
        ...

    def versions(self) -> list[ModelVersion]: ...

    def champion_history(self) -> list[int]:
        """Every version that has been champion, oldest first; the last is the current."""
        ...

    def set_champion_history(self, history: list[int]) -> None: ...

    def load(self, version: int) -> Pipeline: ...

    def fetch(self, version: int, destination: Path) -> None:
        """Copy the version's stored files into `destination`, as registered."""
        ...

    def add_champion(self, files: list[Path], sha256: str, lineage: dict[str, Any]) -> ModelVersion:
        """Store the files (the model file among them) as the next version and make it
        the champion: a writer killed midway leaves neither or both once `writing()` is
        next entered. Call inside `writing()`."""
        ...


def champion_version(registry: ModelRegistry) -> int | None:
    history = registry.champion_history()
    return history[-1] if history else None


def get_version(registry: ModelRegistry, version: int) -> ModelVersion:
    for entry in registry.versions():
        if entry.version == version:
            return entry
    known = ", ".join(str(entry.version) for entry in registry.versions()) or "none"
    raise PipelineError(
        text("error.no_version", version=version, location=registry.location, known=known)
    )


def load_champion(registry: ModelRegistry) -> Champion | None:
    """The model the `champion` alias names, refused if its file does not match its hash."""
    version = champion_version(registry)
    return None if version is None else Champion(version, registry.load(version))


def promote(registry: ModelRegistry, version: int) -> None:
    """Point `champion` at a registered version, after checking that it loads."""
    with registry.writing():
        get_version(registry, version)
        registry.load(version)
        history = registry.champion_history()
        if history[-1:] != [version]:
            registry.set_champion_history([*history, version])


def rollback(registry: ModelRegistry) -> int:
    """Point `champion` back at the version that held it before; returns that version."""
    with registry.writing():
        history = registry.champion_history()
        if len(history) < 2:
            raise PipelineError(text("error.no_earlier_champion", location=registry.location))
        registry.load(history[-2])
        registry.set_champion_history(history[:-1])
        return history[-2]
