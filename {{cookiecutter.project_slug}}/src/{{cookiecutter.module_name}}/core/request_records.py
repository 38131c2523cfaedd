"""The service's request log: what its files are named and how they read back.
serving/request_log.py writes them; the monitor stage reads them, from the folder the
service wrote or from the copy a team keeps in object storage (a URL: s3://, az://,
gs://, read by fsspec through that storage's package: s3fs, adlfs or gcsfs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .texts import text

FILE_PATTERN = "requests-*.jsonl*"  # the current files and their rotated copies


def file_name(started: str, process: int) -> str:
    """One process's file: when it started (UTC, compact ISO) and its process id."""
    return f"requests-{started}-{process}.jsonl"


@dataclass(frozen=True)
class RecordedRequests:
    """The lines of every file in a folder."""

    lines: list[dict[str, Any]]
    places: list[str]  # each line's file:line, to name one that turns out unusable
    # Lines that are not JSON (a process killed mid-line): how many, and the first one.
    unreadable: int = 0
    first_unreadable: str | None = None


def is_url(location: str) -> bool:
    """A folder in object storage (scheme://...) rather than one on this machine."""
    return "://" in location


def local_files(folder: Path) -> list[tuple[str, str]]:
    """(name, content) of each log file in a folder here, oldest first. Bytes that are
    not UTF-8 (a process killed mid-character) spoil only their line, which is then
    counted as unreadable."""
    paths = sorted(folder.glob(FILE_PATTERN), key=lambda path: path.stat().st_mtime)
    return [(str(path), path.read_bytes().decode("utf-8", errors="replace")) for path in paths]


def remote_files(url: str) -> list[tuple[str, str]]:
    """(name, content) of each log file under a URL; a folder holding none is refused,
    as a mistyped prefix in object storage reads as an empty folder."""
    import fsspec  # imported here: only a folder in object storage needs it

    try:
        filesystem, folder = fsspec.core.url_to_fs(url)
        names = sorted(filesystem.glob(f"{folder.rstrip('/')}/{FILE_PATTERN}"))
        files = [(filesystem.unstrip_protocol(name), filesystem.cat_file(name)) for name in names]
    # Each storage package raises its own errors (credentials, network, a missing
    # package or an unknown scheme): all of them mean "cannot read this URL".
    except Exception as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PipelineError(text("error.requests_url", url=url, reason=reason)) from error
    if not files:
        raise PipelineError(text("error.no_requests", path=url))
    return [(name, content.decode("utf-8", errors="replace")) for name, content in files]


def read_recorded(location: Path | str) -> RecordedRequests:
    """Every record in a folder of request logs, here or at a URL in object storage."""
    place = str(location)
    files = remote_files(place) if is_url(place) else local_files(Path(place))
    lines: list[dict[str, Any]] = []
    places: list[str] = []
    unreadable, first_unreadable = 0, None
    for name, content in files:
        for number, line in enumerate(content.splitlines(), 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict) and isinstance(record.get("features"), dict):
                lines.append(record)
                places.append(f"{name}:{number}")
            elif line.strip():
                unreadable += 1
                first_unreadable = first_unreadable or f"{name}:{number}"
    return RecordedRequests(lines, places, unreadable, first_unreadable)
