"""Which version of the source file DVC keeps, for a registered model's lineage.

DVC names a file's version by its MD5 (its object in the cache and every remote) and
records it in a .dvc file (`dvc add`) or in dvc.lock (a stage's output). The lineage
keeps that MD5 and the file that records it: `git checkout <git_commit> -- <dvc_file>`
then `dvc pull <dvc_file>` brings the exact data back. A source edited since DVC
recorded it is not that version, and the lineage says so (`current: false`) instead of
naming it; a file DVC does not track has no DVC file (`current: null`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from .errors import PipelineError
from .paths import absolute
from .texts import text

LOCK_FILE = "dvc.lock"
CACHE = Path(".dvc", "cache", "files", "md5")  # DVC 3's cache layout
CHUNK = 1 << 20


def data_version(root: Path, source: str) -> dict[str, Any] | None:
    """The source's MD5, the DVC file that records a version of it, and whether the
    source is that version; None for data a library ships (its version is the
    library's, which the lineage records)."""
    path = root / source
    if not path.is_file():
        return None
    md5 = file_md5(path)
    recorded = dvc_record(root, path)
    if recorded is None:  # DVC does not track it: there is no version to compare with
        return {"md5": md5, "dvc_file": None, "recorded_md5": None, "current": None}
    dvc_file, recorded_md5 = recorded
    return {
        "md5": md5,
        "dvc_file": dvc_file,
        "recorded_md5": recorded_md5,
        # None: the tracked folder's listing is not in the local cache to compare with.
        "current": None if recorded_md5 is None else recorded_md5 == md5,
    }


def file_md5(path: Path) -> str:
    """The file's MD5 as DVC 3 computes it: of its bytes, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def dvc_record(root: Path, path: Path) -> tuple[str, str | None] | None:
    """The DVC file that tracks `path` and the MD5 it records for it: `<file>.dvc`, a
    stage's output in dvc.lock, or a tracked folder around it (its listing read from the
    local cache; None as the MD5 when the cache lacks it). None: DVC does not track it,
    or the file lies outside the project (a cluster job's mounted input)."""
    # With DVC's symlink cache the file is a link into .dvc/cache: DVC tracks its own place.
    root, path = absolute(root), absolute(path)
    if not path.is_relative_to(root):
        return None
    own = dvc_file_of(path)
    if own.is_file():
        return relative(own, root), single_output_md5(own)
    relative_path = relative(path, root)
    locked = root / LOCK_FILE
    if locked.is_file():
        for output in locked_outputs(locked):
            if output.get("path") == relative_path:
                return LOCK_FILE, output.get("md5")
    for folder in path.parents:
        if folder == root or not folder.is_relative_to(root):
            break
        tracking = dvc_file_of(folder)
        if tracking.is_file():
            listing = single_output_md5(tracking)
            inside = path.relative_to(folder).as_posix()
            return relative(tracking, root), listed_md5(root, listing, inside)
    return None


def dvc_file_of(path: Path) -> Path:
    """Where `dvc add <path>` records it: `<path>.dvc` beside it."""
    return path.with_name(f"{path.name}.dvc")


def locked_outputs(lock: Path) -> list[dict[str, Any]]:
    """Every stage's outputs as dvc.lock records them."""
    stages = read_yaml(lock).get("stages") or {}
    try:
        return [dict(output) for stage in stages.values() for output in stage.get("outs", [])]
    except (AttributeError, TypeError, ValueError) as exc:
        raise PipelineError(text("error.dvc_file", path=lock, reason=str(exc))) from exc


def single_output_md5(dvc_file: Path) -> str | None:
    outputs = read_yaml(dvc_file).get("outs") or [{}]
    first = outputs[0] if isinstance(outputs, list) else None
    if not isinstance(first, dict):
        raise PipelineError(text("error.dvc_file", path=dvc_file, reason="outs is not a list"))
    md5 = first.get("md5")
    return str(md5) if md5 is not None else None


def listed_md5(root: Path, listing: str | None, inside: str) -> str | None:
    """A file's MD5 in a tracked folder's listing (`<md5>.dir` in the cache)."""
    if listing is None:
        return None
    cached = root / CACHE / listing[:2] / listing[2:]
    if not cached.is_file():
        return None
    try:
        entries: list[dict[str, str]] = json.loads(cached.read_text(encoding="utf-8"))
        return next((entry["md5"] for entry in entries if entry.get("relpath") == inside), None)
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, KeyError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PipelineError(text("error.dvc_file", path=cached, reason=reason)) from exc


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0]
        raise PipelineError(text("error.dvc_file", path=path, reason=reason)) from exc
    return loaded if isinstance(loaded, dict) else {}


def relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
