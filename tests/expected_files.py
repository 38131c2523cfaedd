"""The exact file set a variant renders: every file of the template, less the paths that
cookiecutter.json's `_conditional_paths` gives only to values not chosen.

The post-generation hook removes files from the same declaration, so a conditional file
is declared once; the fast tier compares every bake with this set, and refuses files
that render empty (a file wrapped in `{% if %}` whose paths were not declared).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import TEMPLATE

PROJECT_FOLDER = "{{cookiecutter.project_slug}}"
MODULE_FOLDER = "{{cookiecutter.module_name}}"
# Files that are empty on purpose: markers, not content.
EMPTY_ON_PURPOSE = {"py.typed", ".gitkeep", "__init__.py"}


def template_files(template: Path) -> set[str]:
    """Paths (POSIX, relative to the project) of every file the template holds."""
    project = template / PROJECT_FOLDER
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def removed_paths(answers: dict[str, str], declared: dict[str, Any]) -> set[str]:
    """Paths that only values other than the chosen ones list."""
    kept: set[str] = set()
    dropped: set[str] = set()
    for option, values in declared["_conditional_paths"].items():
        for value, paths in values.items():
            (kept if answers[option] == value else dropped).update(paths)
    return {path.format(module=answers["module_name"]) for path in dropped - kept}


def expected_files(answers: dict[str, str], template: Path = TEMPLATE) -> set[str]:
    declared = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    removed = removed_paths(answers, declared)
    files = {
        path.replace(MODULE_FOLDER, answers["module_name"]) for path in template_files(template)
    }
    return {
        path
        for path in files
        if not any(path == gone or path.startswith(f"{gone}/") for gone in removed)
    }
