"""Markdown pieces the reports share: tables, links, the communication exercise."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .texts import text


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        return shown.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
        *("| " + " | ".join(cell(value) for value in row) + " |" for row in rows),
    ]
    return "\n".join(lines)


def exercise_section(questions: Sequence[tuple[str, str]]) -> list[str]:
    """The closing "communication exercise": whom to ask what, before acting on a report."""
    return [
        f"## {text('exercise')}",
        "",
        text("exercise.intro"),
        "",
        markdown_table(
            [text("role"), text("question")], [[text(role), text(ask)] for role, ask in questions]
        ),
    ]


def relative_link(target: Path, document: Path) -> str:
    """A Markdown link path from a document to a file, with forward slashes."""
    return Path(os.path.relpath(target.resolve(), document.parent.resolve())).as_posix()
