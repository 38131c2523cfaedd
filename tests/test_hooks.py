"""Fast tier: every bad answer is refused with one line naming it, and nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import TEMPLATE

BAD_ANSWERS = [
    ({"module_name": "class"}, "module_name 'class' is a Python keyword"),
    ({"module_name": "match"}, "module_name 'match' is a Python keyword"),
    ({"module_name": "2fast"}, "module_name '2fast'"),
    ({"module_name": "my-model"}, "module_name 'my-model' must be a Python identifier"),
    ({"module_name": "json"}, "module_name 'json' shadows a module of the Python standard"),
    ({"module_name": "os"}, "module_name 'os' shadows a module of the Python standard"),
    ({"module_name": "sklearn"}, "module_name 'sklearn' shadows a dependency"),
    ({"module_name": "pandas"}, "module_name 'pandas' shadows a dependency"),
    ({"module_name": "typer"}, "module_name 'typer' shadows a dependency"),
    ({"module_name": "numpy"}, "module_name 'numpy' shadows a dependency"),
    ({"module_name": "modèle"}, "module_name 'modèle' must be a Python identifier"),
    ({"module_name": "a" * 41}, "is longer than 40 characters"),
    ({"project_name": "!!!"}, "project_name '!!!' has no letter or digit"),
    ({"project_slug": "my project"}, "project_slug 'my project' is not a valid distribution"),
    ({"project_slug": "-leading", "module_name": "leading"}, "project_slug '-leading'"),
    ({"author_email": "not-an-email"}, "author_email 'not-an-email' is not an e-mail"),
    ({"author_email": 'a"b@example.com'}, "author_email"),
    ({"project_name": "Line\nbreak"}, "project_name contains the control character U+000A"),
    ({"description": "tab\there"}, "description contains the control character U+0009"),
    ({"author_name": " "}, "author_name must not be empty"),
    (
        {"compute": "azureml", "tracking": "local"},
        "compute=azureml needs tracking=mlflow (answered tracking=local)",
    ),
]


@pytest.mark.parametrize(
    ("answers", "message"),
    BAD_ANSWERS,
    ids=[next(iter(a)) + ":" + repr(next(iter(a.values())))[:20] for a, _ in BAD_ANSWERS],
)
def test_bad_answer_is_refused_in_one_line(
    cookies: Any, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    result = cookies.bake(extra_context=answers)
    assert result.exit_code != 0
    assert result.project_path is None or not Path(result.project_path).exists()
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, errors
    assert message in errors[0]


def cookiecutter_cli(output: Path, answer: str) -> subprocess.CompletedProcess[str]:
    """Bake as a user would from the shell, with one answer on the command line."""
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output)]
    return subprocess.run(
        [*command, str(TEMPLATE), answer], capture_output=True, text=True, check=False
    )


def test_empty_slug_writes_nothing(tmp_path: Path) -> None:
    # An empty slug names no folder, so cookiecutter itself stops before the hook runs.
    result = cookiecutter_cli(tmp_path, "project_slug=")
    assert result.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_cli_refusal_is_one_line_and_leaves_no_folder(tmp_path: Path) -> None:
    result = cookiecutter_cli(tmp_path, "module_name=sklearn")
    assert result.returncode != 0
    # Refused while cookiecutter asks, not by the hook: no traceback of cookiecutter's.
    assert result.stderr.splitlines() == [
        "error: module_name 'sklearn' shadows a dependency of the generated project"
    ]
    assert list(tmp_path.iterdir()) == []


def test_replayed_answers_are_checked_by_the_hook(tmp_path: Path) -> None:
    """`--replay-file` asks nothing: the pre-generation hook applies the same rules."""
    replay_dir = tmp_path / "replay"
    config = tmp_path / "config.yaml"
    config.write_text(f"replay_dir: {replay_dir}\n")
    command = [sys.executable, "-m", "cookiecutter", "--config-file", str(config)]
    first = subprocess.run(
        [*command, "--no-input", "-o", str(tmp_path / "first"), str(TEMPLATE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    (recorded,) = replay_dir.glob("*.json")
    replay = json.loads(recorded.read_text(encoding="utf-8"))
    replay["cookiecutter"]["module_name"] = "pandas"
    recorded.write_text(json.dumps(replay), encoding="utf-8")
    output = tmp_path / "third"
    result = subprocess.run(
        [*command, "--replay-file", str(recorded), "-o", str(output), str(TEMPLATE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert ours == ["error: module_name 'pandas' shadows a dependency of the generated project"]
    assert not output.exists() or list(output.iterdir()) == []
