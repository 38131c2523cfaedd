"""The local model registry: a folder per version (v1, v2, ...) and an index naming them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.artifacts import read_json, write_json
from ..core.model_io import MODEL_FILE, load_verified_model
from .base import CHAMPION, ModelVersion, get_version

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

    def add(self, files: list[Path], sha256: str, lineage: dict[str, Any]) -> ModelVersion:
        index = self._index()
        # A run killed after copying but before the index write leaves a folder behind;
        # numbering past it keeps every version folder written once.
        on_disk = [
            int(path.name[1:]) for path in self.directory.glob("v*") if path.name[1:].isdigit()
        ]
        known = [entry["version"] for entry in index["versions"]]
        version = max([*known, *on_disk], default=0) + 1
        staging = self.directory / f".v{version}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for source in files:
            shutil.copy2(source, staging / source.name)
        staging.rename(self.directory / f"v{version}")  # whole or not at all
        entry = ModelVersion(version, sha256, lineage)
        index["versions"].append({"version": version, "sha256": sha256, "lineage": lineage})
        write_json(self.index_path, index)
        return entry
