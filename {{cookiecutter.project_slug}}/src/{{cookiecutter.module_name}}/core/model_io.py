"""Saving and loading model files with skops, which does not run code on load.

A pickle (joblib) file executes whatever it contains when loaded; a skops file only
rebuilds objects of types we allow (this package's own, scikit-learn's, numpy's and
scipy's). We load a file only after its SHA-256 matches the one recorded when it was
written.
"""

from __future__ import annotations

import platform
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .artifacts import atomic_path, sha256_file
from .errors import PipelineError
from .texts import text

if TYPE_CHECKING:  # skops and sklearn load only when a model is saved or loaded
    import numpy as np
    from sklearn.base import BaseEstimator
    from sklearn.pipeline import Pipeline

MODEL_FILE = "model.skops"
# Written beside the model: params, schema, CV scores and an input example with the
# predictions recorded for it (the smoke tests compare against those).
TRAINING_FILE = "training.json"
# The model card evaluate writes for the candidate and register keeps with the version.
MODEL_CARD_FILE = "model_card.md"
# Packages whose types a model file may contain: this project's own (core/transformers.py)
# and the scientific stack. Add one here if your estimator needs it (e.g. "lightgbm"),
# after checking that you trust it.
TRUSTED_PACKAGES = (__name__.split(".")[0], "sklearn", "numpy", "scipy")


def library_versions() -> dict[str, str]:
    """The libraries a model file was written with: loading it needs the same ones."""
    names = ("scikit-learn", "pandas", "numpy", "skops")
    return {"python": platform.python_version(), **{name: version(name) for name in names}}


# Libraries whose major.minor must match the model file's: their pickled estimator state
# changes between minor releases, and a model may then load yet predict differently.
MATCHING_LIBRARIES = ("scikit-learn", "skops")


def major_minor(version_text: str) -> str:
    return ".".join(version_text.split(".")[:2])


def library_mismatch(recorded: dict[str, str], where: str) -> str | None:
    """The problem with serving a model written by other releases of the libraries that
    shape its predictions, naming both versions; None when they match."""
    running = library_versions()
    for name in MATCHING_LIBRARIES:
        if name in recorded and major_minor(recorded[name]) != major_minor(running[name]):
            return text(
                "error.library_release",
                where=where,
                library=name,
                recorded=recorded[name],
                running=running[name],
                release=major_minor(recorded[name]),
            )
    return None


def save_model(model: BaseEstimator, path: Path) -> Path:
    import skops.io as sio

    with atomic_path(path) as temporary:
        sio.dump(model, temporary)
    return path


def load_verified_model(path: Path, expected_sha256: str | None, hash_source: str) -> Pipeline:
    """Load a model only when its file matches the hash recorded for it in `hash_source`
    and contains nothing but trusted types."""
    model: Pipeline = load_verified(path, expected_sha256, hash_source)
    return model


def load_verified(path: Path, expected_sha256: str | None, hash_source: str) -> Any:
    """Any estimator saved by save_model (a model, a fitted feature pipeline), on the same
    terms as load_verified_model."""
    import skops.io as sio

    if not path.is_file() or sha256_file(path) != expected_sha256:
        raise PipelineError(text("error.hash", path=path, source=hash_source))
    unknown = sio.get_untrusted_types(file=path)
    untrusted = [name for name in unknown if name.split(".")[0] not in TRUSTED_PACKAGES]
    if untrusted:
        trusted, types = ", ".join(TRUSTED_PACKAGES), ", ".join(untrusted)
        raise PipelineError(text("error.untrusted", path=path, trusted=trusted, types=types))
    return sio.load(path, trusted=unknown)


def reproduces(predicted: np.ndarray, recorded: list[Any]) -> bool:
    """Whether predictions equal the recorded ones (to float tolerance for numbers)."""
    import numpy as np

    expected = np.asarray(recorded)
    if len(predicted) != len(expected):
        return False
    if np.issubdtype(expected.dtype, np.number):
        return bool(np.allclose(predicted, expected))
    return bool((predicted.astype(str) == expected.astype(str)).all())
