"""The service's request log on disk: what its files are named and how they read back.
serving/request_log.py writes them; the monitor stage reads them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_PATTERN = "requests-*.jsonl*"  # the current files and their rotated copies


def file_name(started: str, process: int) -> str:
    """One process's file: when it started (UTC, compact ISO) and its process id."""
    return f"requests-{started}-{process}.jsonl"


@dataclass(frozen=True)
class RecordedRequests:
    """The lines of every file in a folder, oldest file first."""

    lines: list[dict[str, Any]]
    # Lines that are not JSON (a process killed mid-line): how many, and the first one.
    unreadable: int = 0
    first_unreadable: str | None = None


def read_recorded(folder: Path) -> RecordedRequests:
    files = sorted(folder.glob(FILE_PATTERN), key=lambda path: path.stat().st_mtime)
    lines: list[dict[str, Any]] = []
    unreadable, first_unreadable = 0, None
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict) and isinstance(record.get("features"), dict):
                lines.append(record)
            elif line.strip():
                unreadable += 1
                first_unreadable = first_unreadable or f"{path}:{number}"
    return RecordedRequests(lines, unreadable, first_unreadable)
