"""Figures are labelled in the project's language on any machine: a Japanese project
brings its own font (matplotlib-fontja), and says so when it is missing."""

from __future__ import annotations

import io
import re
import sys
import warnings
from collections.abc import Iterator

import pytest

from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.texts import LANGUAGE, text
from {{ cookiecutter.module_name }}.reports import figures

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def fresh_language() -> Iterator[None]:
    figures.figure_language.cache_clear()
    yield
    figures.figure_language.cache_clear()


def test_labels_are_in_the_projects_language_and_every_glyph_is_drawn(
    fresh_language: None,
) -> None:
    label = figures.figure_text("plot.residuals")
    assert label == text("plot.residuals", LANGUAGE)
    assert bool(JAPANESE.search(label)) == (LANGUAGE == "ja")
    figure, axes = figures.new_figure()
    axes.set_title(label)
    with warnings.catch_warnings():
        # matplotlib warns once per glyph its font cannot draw, then draws a box.
        warnings.filterwarnings("error", message=".*missing from font")
        figure.savefig(io.BytesIO(), format="png")


def test_a_japanese_project_without_its_font_package_says_so(
    fresh_language: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures, "LANGUAGE", "ja")
    monkeypatch.setitem(sys.modules, figures.JAPANESE_FONT_PACKAGE, None)  # import fails
    with pytest.raises(PipelineError, match="matplotlib-fontja"):
        figures.figure_text("plot.residuals")
