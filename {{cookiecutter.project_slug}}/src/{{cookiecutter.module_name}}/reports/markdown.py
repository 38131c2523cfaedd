"""Rendering the Markdown report templates: table cells, links to the figures."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment

from ..core.texts import environment, render_template


@dataclass(frozen=True)
class Question:
    """A row of a report's communication exercise: whom to ask (a catalogue key), what
    (a catalogue key) and the values its sentence names."""

    role: str
    ask: str
    values: Mapping[str, object] = field(default_factory=dict)


def markdown_cell(value: object) -> str:
    """A value as one Markdown table cell: floats to four significant digits, and no
    character that would end the cell or the row."""
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    return shown.replace("|", "\\|").replace("\n", " ")


def relative_link(target: Path, document: Path) -> str:
    """A Markdown link path from a document to a file, with forward slashes."""
    return Path(os.path.relpath(target.resolve(), document.parent.resolve())).as_posix()


def figure_links(figures: dict[str, Path], document: Path) -> dict[str, str]:
    """Figure titles with each figure's link relative to the report."""
    return {title: relative_link(path, document) for title, path in figures.items()}


@cache
def markdown_environment() -> Environment:
    """The reports' templates with the `cell` filter for table cells."""
    markdown = environment("reports").overlay()
    markdown.filters["cell"] = markdown_cell
    return markdown


def render_markdown(template: str, **context: object) -> str:
    """One of templates/*.md.j2 rendered with `context`."""
    return render_template(markdown_environment(), template, context)
