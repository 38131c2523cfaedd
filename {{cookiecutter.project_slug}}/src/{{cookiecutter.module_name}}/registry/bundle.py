"""A deployable bundle of one registered version, and the smoke test that checks it.

The bundle holds the model file exactly as registered, its training record and its
registry entry. Both files that shape a prediction are checked against the hashes the
registry recorded (the model, and the training record the API's schema is built from)
when a bundle is exported and again when it is loaded, and a model written by another
scikit-learn or skops release is refused. The smoke test loads it the way a service
would and checks that it reproduces the predictions recorded for its input example at
training time.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ..core.artifacts import read_json, sha256_file, write_json
from ..core.dataset import DatasetSchema, records_frame
from ..core.errors import PipelineError
from ..core.model_io import (
    MODEL_FILE,
    TRAINING_FILE,
    library_mismatch,
    load_verified_model,
    reproduces,
)
from ..core.texts import text
from .base import ModelRegistry, champion_version, get_version

ENTRY_FILE = "model.json"


def export_bundle(registry: ModelRegistry, out_dir: Path, version: int | None = None) -> int:
    """Write `version` (default: the champion) to out_dir; returns the version written."""
    chosen = version if version is not None else champion_version(registry)
    if chosen is None:
        raise PipelineError(text("error.no_champion", location=registry.location))
    entry = get_version(registry, chosen)
    staging = out_dir.with_name(f".{out_dir.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        registry.fetch(chosen, staging)
        where = f"{registry.location} version {chosen}"
        check_hash(staging / MODEL_FILE, entry.sha256, where)
        verified_record(staging, entry.to_dict(), where)
        verified_card(staging, entry.to_dict(), where)
    except PipelineError:
        shutil.rmtree(staging)  # the bundle exported before stays as it was
        raise
    write_json(staging / ENTRY_FILE, entry.to_dict())
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return chosen


@dataclass(frozen=True)
class LoadedBundle:
    """A bundle's model, verified against its hash, with what a service needs to know."""

    version: int
    model: Pipeline
    schema: DatasetSchema
    entry: dict[str, Any]  # the registry entry: lineage and holdout metrics
    example: dict[str, Any]  # input example rows and the predictions recorded for them
    # The version's model card (Markdown); None for a version registered without one.
    card: str | None = None

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(features[self.schema.features]))


def check_hash(path: Path, digest: str | None, where: str) -> None:
    """The file as registered, or one line naming it. No digest: a version registered
    before its training record was hashed."""
    if not path.is_file():
        raise PipelineError(text("error.bundle_file_missing", path=path, where=where))
    if digest is not None and sha256_file(path) != digest:
        raise PipelineError(text("error.bundle_hash", path=path, where=where))


def verified_record(bundle_dir: Path, entry: dict[str, Any], where: str) -> dict[str, Any]:
    """The training record the API's schema is built from, as registered and naming the
    entry's model."""
    path = bundle_dir / TRAINING_FILE
    check_hash(path, entry.get("training_sha256"), where)
    record = read_json(path)
    if not isinstance(record, dict) or record.get("sha256") != entry["sha256"]:
        raise PipelineError(text("error.bundle_record", path=path, where=where))
    return record


def load_bundle(bundle_dir: Path) -> LoadedBundle:
    """Load an exported bundle; refused when a file does not match its hash or the model
    was written by another scikit-learn or skops release."""
    entry_path = bundle_dir / ENTRY_FILE
    if not entry_path.is_file():
        raise PipelineError(text("error.no_bundle", path=entry_path))
    entry: dict[str, Any] = read_json(entry_path)
    where = text("bundle.where", version=entry["version"], path=entry_path)
    # The model first: a swapped model file is the fault to name, not the record beside it.
    check_hash(bundle_dir / MODEL_FILE, entry["sha256"], where)
    record = verified_record(bundle_dir, entry, where)
    model_version = text("bundle.model", version=entry["version"])
    mismatch = library_mismatch(record.get("libraries", {}), model_version)
    if mismatch:
        raise PipelineError(mismatch)
    model = load_verified_model(bundle_dir / MODEL_FILE, entry["sha256"], str(entry_path))
    return LoadedBundle(
        version=entry["version"],
        model=model,
        schema=DatasetSchema.from_dict(record["schema"]),
        entry=entry,
        example=record["example"],
        card=verified_card(bundle_dir, entry, where),
    )


def verified_card(bundle_dir: Path, entry: dict[str, Any], where: str) -> str | None:
    """The model card as registered (versions registered before cards existed have none)."""
    name = entry.get("model_card")
    if name is None:
        return None
    check_hash(bundle_dir / name, entry.get("model_card_sha256"), where)
    return (bundle_dir / name).read_text(encoding="utf-8")


def load_champion_bundle(registry: ModelRegistry) -> LoadedBundle:
    """The registry's champion, loaded the same way as a deployed bundle."""
    if champion_version(registry) is None:  # named for what is asked: a model to use
        raise PipelineError(text("error.no_champion_to_use", location=registry.location))
    with tempfile.TemporaryDirectory() as scratch:
        bundle_dir = Path(scratch) / "champion"
        export_bundle(registry, bundle_dir)
        return load_bundle(bundle_dir)


def smoke_test_bundle(bundle_dir: Path) -> str:
    """Load the bundle's model after checking its hash, predict its input example and
    compare with the predictions recorded at training time; returns a summary line."""
    bundle = load_bundle(bundle_dir)
    features = records_frame(bundle.example["features"], bundle.schema)
    if not reproduces(bundle.predict(features), bundle.example["predictions"]):
        raise PipelineError(text("error.not_reproduced", path=bundle_dir, version=bundle.version))
    return text("smoke.bundle", version=bundle.version, count=len(features))
