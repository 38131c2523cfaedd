"""A deployable bundle of one registered version, and the smoke test that checks it.

The bundle holds the model file exactly as registered, its training record and its
registry entry. The smoke test loads it the way a service would (hash first) and checks
that it reproduces the predictions recorded for its input example at training time.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .artifacts import read_json, write_json
from .errors import PipelineError
from .model_io import MODEL_FILE, load_verified_model
from .registry import ModelRegistry, champion_version, get_version
from .train import TRAINING_FILE

ENTRY_FILE = "model.json"


def export_bundle(registry: ModelRegistry, out_dir: Path, version: int | None = None) -> int:
    """Write `version` (default: the champion) to out_dir; returns the version written."""
    chosen = version if version is not None else champion_version(registry)
    if chosen is None:
        raise PipelineError(f"{registry.location}: no champion to export; register a model first")
    entry = get_version(registry, chosen)
    staging = out_dir.with_name(f".{out_dir.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    registry.fetch(chosen, staging)
    write_json(staging / ENTRY_FILE, entry.to_dict())
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return chosen


def smoke_test_bundle(bundle_dir: Path) -> str:
    """Load the bundle's model after checking its hash, predict its input example and
    compare with the predictions recorded at training time; returns a summary line."""
    entry_path = bundle_dir / ENTRY_FILE
    if not entry_path.is_file():
        raise PipelineError(f"{entry_path} not found: export a model with `models export` first")
    entry: dict[str, Any] = read_json(entry_path)
    model = load_verified_model(bundle_dir / MODEL_FILE, entry["sha256"], str(entry_path))
    example = read_json(bundle_dir / TRAINING_FILE)["example"]
    features = pd.DataFrame.from_records(example["features"])
    predicted = model.predict(features)
    recorded = np.asarray(example["predictions"])
    same = (
        np.allclose(predicted, recorded)
        if np.issubdtype(recorded.dtype, np.number)
        else bool((predicted.astype(str) == recorded.astype(str)).all())
    )
    if len(predicted) != len(recorded) or not same:
        raise PipelineError(
            f"{bundle_dir}: version {entry['version']} does not reproduce the predictions "
            "recorded at training time (different library versions?)"
        )
    return f"version {entry['version']} reproduced {len(predicted)} recorded predictions"
