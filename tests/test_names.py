"""Fast tier: the names derived from a project name are ones the template accepts. A
Japanese name gives a slug in its Japanese readings, not slugify's Mandarin ones; a name
starting with a digit or matching a module the project imports gets a prefix or suffix.
Only a name the user typed can be refused (tests/test_hooks.py)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import local_extensions

from .conftest import bake

DERIVED = [
    ("Diabetes Progression", "diabetes-progression", "diabetes_progression"),
    ("2024 Forecast", "2024-forecast", "project_2024_forecast"),
    ("Test", "test", "test_project"),
    ("JSON", "json", "json_project"),
    ("Class", "class", "class_project"),
    ("糖尿病 進行予測", "tounyoubyou-shinkou-yosoku", "tounyoubyou_shinkou_yosoku"),
    ("データ分析 Project", "deeta-bunseki-project", "deeta_bunseki_project"),
]


@pytest.mark.parametrize(("name", "slug", "module"), DERIVED)
def test_a_derived_name_is_accepted(cookies: Any, name: str, slug: str, module: str) -> None:
    project, answers = bake(cookies, project_name=name)
    assert (answers["project_slug"], answers["module_name"]) == (slug, module)
    assert (project / "src" / module / "__init__.py").is_file()


def test_without_a_japanese_reader_the_japanese_words_are_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pykakasi is optional beside cookiecutter: without it the default keeps what is not
    Japanese (the prompt shows it for the user to correct), and never reads kanji as
    Mandarin."""
    monkeypatch.setitem(sys.modules, "pykakasi", None)  # import fails
    assert local_extensions.slug_of("データ分析 Project", 40) == "project"
    assert local_extensions.slug_of("糖尿病 進行予測", 40) == "project"


def test_a_long_name_is_cut_at_a_word() -> None:
    name = "A very long project name about forecasting the demand for beds"
    slug = local_extensions.slug_of(name, 40)
    assert slug == "a-very-long-project-name-about"
    module = local_extensions.module_of(slug, [], 40)
    assert module == "a_very_long_project_name_about"
