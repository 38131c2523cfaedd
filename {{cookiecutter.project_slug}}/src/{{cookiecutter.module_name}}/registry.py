"""Reading the local model registry: its index and the hash-checked champion model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

from .artifacts import read_json
from .train import MODEL_FILE, load_verified_model

INDEX_FILE = "registry.json"
CHAMPION = "champion"


@dataclass(frozen=True)
class Champion:
    version: int
    model: Pipeline


def read_index(registry_dir: Path) -> dict[str, Any]:
    index_path = registry_dir / INDEX_FILE
    if not index_path.is_file():
        return {"versions": [], "aliases": {}}
    index: dict[str, Any] = read_json(index_path)
    return index


def load_champion(registry_dir: Path) -> Champion | None:
    """The model the `champion` alias names, refused if its file does not match its hash."""
    index = read_index(registry_dir)
    version = index["aliases"].get(CHAMPION)
    if version is None:
        return None
    entry = next(item for item in index["versions"] if item["version"] == version)
    model_path = registry_dir / f"v{version}" / MODEL_FILE
    model = load_verified_model(model_path, entry["sha256"], registry_dir / INDEX_FILE)
    return Champion(version=version, model=model)
