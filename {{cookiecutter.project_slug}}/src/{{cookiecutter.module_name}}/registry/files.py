"""The local model registry: a folder per version (v1, v2, ...) and an index naming them.

The index (registry.json) is the registry: a version exists once the index lists it,
and the index is replaced whole in one rename. A writer copies a version's files into a
staging folder of its own, renames it to v<N>, then writes the index naming v<N> and
making it champion; killed before that last write, it leaves files the index does not
name, which the next writer removes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.artifacts import read_json, sha256_file, write_json
from ..core.errors import PipelineError
from ..core.model_io import MODEL_FILE, load_verified_model
from ..core.texts import text
from .base import CHAMPION, ModelVersion, get_version
from .locking import LOCK_FILE, one_writer

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


class FileRegistry:
    """Version folders under `directory`, indexed by registry.json, written atomically."""

    INDEX_FILE = "registry.json"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.location = str(directory)

    @property
    def index_path(self) -> Path:
        return self.directory / self.INDEX_FILE

    def _index(self) -> dict[str, Any]:
        if not self.index_path.is_file():
            return {"versions": [], "aliases": {}, "champion_history": []}
        index: dict[str, Any] = read_json(self.index_path)
        return index

    @contextmanager
    def writing(self) -> Iterator[None]:
        with one_writer(self.directory):
            self._remove_leftovers()
            yield

    def _remove_leftovers(self) -> None:
        """Staging folders, version folders the index does not name and half-written
        index copies: what a killed writer left. Only called holding the lock, when no
        other writer can be using them."""
        indexed = {f"v{entry['version']}" for entry in self._index()["versions"]}
        for path in self.directory.iterdir():
            if path.name in (self.INDEX_FILE, LOCK_FILE) or path.name in indexed:
                continue
            # (.v<N>.partial: the staging folders of this template's earlier releases)
            if path.is_dir() and re.fullmatch(r"\.staging-.*|v\d+|\.v\d+\.partial", path.name):
                shutil.rmtree(path)
            elif path.name.startswith(f".{self.INDEX_FILE}.") and path.suffix == ".tmp":
                path.unlink()

    def versions(self) -> list[ModelVersion]:
        return [
            ModelVersion(entry["version"], entry["sha256"], entry["lineage"])
            for entry in self._index()["versions"]
        ]

    def champion_history(self) -> list[int]:
        return list(self._index()["champion_history"])

    def set_champion_history(self, history: list[int]) -> None:
        index = self._index()
        index["champion_history"] = history
        index["aliases"] = {CHAMPION: history[-1]} if history else {}
        write_json(self.index_path, index)

    def load(self, version: int) -> Pipeline:
        entry = get_version(self, version)
        path = self.directory / f"v{version}" / MODEL_FILE
        return load_verified_model(path, entry.sha256, str(self.index_path))

    def fetch(self, version: int, destination: Path) -> None:
        get_version(self, version)
        shutil.copytree(self.directory / f"v{version}", destination, dirs_exist_ok=True)

    def add_champion(self, files: list[Path], sha256: str, lineage: dict[str, Any]) -> ModelVersion:
        index = self._index()
        version = max((entry["version"] for entry in index["versions"]), default=0) + 1
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.directory))
        for source in files:
            shutil.copy2(source, staging / source.name)
        if sha256_file(staging / MODEL_FILE) != sha256:
            shutil.rmtree(staging)
            raise PipelineError(text("error.changed_while_copied", location=self.location))
        staging.rename(self.directory / f"v{version}")
        index["versions"].append({"version": version, "sha256": sha256, "lineage": lineage})
        index["champion_history"] = [*index["champion_history"], version]
        index["aliases"] = {CHAMPION: version}
        write_json(self.index_path, index)  # the version and its promotion, in one rename
        return ModelVersion(version, sha256, lineage)
