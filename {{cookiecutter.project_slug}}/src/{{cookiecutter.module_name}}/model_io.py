"""Saving and loading model files with skops, which does not run code on load.

A pickle (joblib) file executes whatever it contains when loaded; a skops file only
rebuilds objects of types we allow. We allow scikit-learn and numpy types, and load a
file only after its SHA-256 matches the one recorded when it was written.
"""

from __future__ import annotations

from pathlib import Path

import skops.io as sio
from sklearn.pipeline import Pipeline

from .artifacts import atomic_path, sha256_file
from .errors import PipelineError

MODEL_FILE = "model.skops"
# Packages whose types a model file may contain. Add one here if your estimator needs
# it (e.g. "lightgbm"), after checking that you trust it.
TRUSTED_PACKAGES = ("sklearn", "numpy", "scipy")


def save_model(model: Pipeline, path: Path) -> Path:
    with atomic_path(path) as temporary:
        sio.dump(model, temporary)
    return path


def load_verified_model(path: Path, expected_sha256: str | None, hash_source: str) -> Pipeline:
    """Load a model only when its file matches the hash recorded for it in `hash_source`
    and contains nothing but trusted types."""
    if not path.is_file() or sha256_file(path) != expected_sha256:
        raise PipelineError(
            f"{path} is missing or does not match the hash in {hash_source}; refusing to load it"
        )
    unknown = sio.get_untrusted_types(file=path)
    untrusted = [name for name in unknown if name.split(".")[0] not in TRUSTED_PACKAGES]
    if untrusted:
        raise PipelineError(
            f"{path} contains types outside {', '.join(TRUSTED_PACKAGES)}: "
            f"{', '.join(untrusted)}; add their package to model_io.TRUSTED_PACKAGES if you "
            "trust it"
        )
    model: Pipeline = sio.load(path, trusted=unknown)
    return model
