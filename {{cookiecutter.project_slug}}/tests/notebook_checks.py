"""Checks of the executed notebooks, which `nox -s notebooks` runs first: each ran every
code cell without an error, shows the figure each figure cell draws, has its programming
exercise (the explanation and the cells a participant edits) and its communication
exercise, speaks the project's language, and registers a model only in its one explicit
cell, which is off as shipped.

Not part of `nox -s tests` (it needs the notebooks run); the notebooks session names
the notebooks it ran in NOTEBOOKS.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest

from {{ cookiecutter.module_name }}.core.texts import LANGUAGE

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CHOSEN = [Path(name).resolve() for name in os.environ.get("NOTEBOOKS", "").split()]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


Cell = dict[str, Any]  # a cell as nbformat 4 writes it


def text(value: str | list[str]) -> str:
    """A cell's source or an output's text: one string, or the lines of one."""
    return value if isinstance(value, str) else "".join(value)


def tagged(cells: list[Cell], tag: str, kind: str | None = None) -> list[Cell]:
    return [
        cell
        for cell in cells
        if tag in cell["metadata"].get("tags", []) and kind in (None, cell["cell_type"])
    ]


@pytest.fixture(params=CHOSEN or sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda path: path.stem)
def cells(request: pytest.FixtureRequest) -> list[Cell]:
    notebook: dict[str, list[Cell]] = json.loads(request.param.read_text(encoding="utf-8"))
    return notebook["cells"]


def test_every_code_cell_ran_without_an_error(cells: list[Cell]) -> None:
    for cell in cells:
        if cell["cell_type"] == "code":
            source = text(cell["source"])
            assert cell["execution_count"] is not None, source[:80]
            errors = [output for output in cell["outputs"] if output["output_type"] == "error"]
            assert not errors, f"{source[:80]}: {errors[0].get('ename')}"


def coloured_share(png: str) -> float:
    """The share of a PNG's pixels in colour. Axes, ticks and labels are black and grey;
    what a figure shows (lines, bars, cells) is drawn in colour: an empty figure has none."""
    pixels = matplotlib.image.imread(io.BytesIO(base64.b64decode(png)), format="png")[..., :3]
    chroma = pixels.max(axis=2) - pixels.min(axis=2)
    return float((chroma > 0.2).mean())


def test_each_figure_cell_shows_its_figure(cells: list[Cell]) -> None:
    figures = tagged(cells, "figure", "code")
    assert figures, "a notebook that teaches shows at least one figure"
    for cell in figures:
        images = [output["data"]["image/png"] for output in cell["outputs"]
                  if "image/png" in output.get("data", {})]  # fmt: skip
        assert images, f"no figure from: {text(cell['source'])[:80]}"
        # One line is a few pixels wide: 0.1% of them in colour is a figure with data.
        assert all(coloured_share(text(png)) > 0.001 for png in images), (
            f"an empty figure from: {text(cell['source'])[:80]}"
        )


def test_it_has_a_programming_and_a_communication_exercise(cells: list[Cell]) -> None:
    assert tagged(cells, "exercise", "markdown"), "no exercise to read"
    assert tagged(cells, "exercise", "code"), "no cell for the participant to edit"
    assert tagged(cells, "communication"), "no communication exercise"
    for cell in tagged(cells, "communication", "code"):
        shown = [output.get("data", {}).get("text/markdown", "") for output in cell["outputs"]]
        assert any("| " in text(markdown) for markdown in shown), "the questions were not shown"


def test_it_registers_nothing_unless_a_cell_says_so(cells: list[Cell]) -> None:
    for cell in cells:
        source = text(cell["source"])
        if cell["cell_type"] == "code" and "run_register" in source:
            assert "registry" in cell["metadata"].get("tags", []), source[:80]
            assert source.startswith("REGISTER = False"), source[:80]


def test_its_prose_is_in_the_projects_language(cells: list[Cell]) -> None:
    for cell in cells:
        if cell["cell_type"] == "markdown":
            source = text(cell["source"])
            assert bool(JAPANESE.search(source)) == (LANGUAGE == "ja"), source[:80]
