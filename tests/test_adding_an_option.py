"""Fast tier: the README's "Adding an option", followed literally on a throw-away copy of
the template, gives an option the fast tier covers with no other edit: a new choice with
a conditional file and a `_requires`, and a new free-text answer."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

from .combinations import all_renders
from .conftest import TEMPLATE
from .expected_files import expected_files
from .option_table import render_readme
from .test_render import check_parses, rendered_files

MODEL_CARD = "docs/model_card.md"


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template with a `model_card` option added as the README's steps say."""
    copy = tmp_path_factory.mktemp("fork") / "template"
    ignore = shutil.ignore_patterns(".git", ".nox", "build", "__pycache__", ".venv*")
    shutil.copytree(TEMPLATE, copy, ignore=ignore)
    steps = (TEMPLATE / "README.md").read_text(encoding="utf-8").split("## Adding an option")[1]
    for needle in ("__prompts__", "_validators", "_conditional_paths", "_requires", "nox -s docs"):
        assert needle in steps, f"the README's steps no longer mention {needle}"

    # Step 1: declared in cookiecutter.json, with a prompt; a free-text answer names its
    # check.
    options: dict[str, Any] = json.loads((copy / "cookiecutter.json").read_text())
    options = {
        **{key: value for key, value in options.items() if not key.startswith("_")},
        "model_card": ["no", "yes"],
        "card_owner": "Model risk team",
        **{key: value for key, value in options.items() if key.startswith("_")},
    }
    options["__prompts__"]["model_card"] = "Write a model card with each registration"
    options["__prompts__"]["card_owner"] = "Who signs the model card off"
    options["_validators"]["card_owner"] = "text"
    # Step 2: a conditional file, and a value that needs another option's value.
    options["_conditional_paths"]["model_card"] = {"yes": [MODEL_CARD], "no": []}
    options["_requires"]["model_card"] = {"yes": {"tracking": "mlflow"}}
    (copy / "cookiecutter.json").write_text(json.dumps(options, indent=2, ensure_ascii=False))
    (copy / "{{cookiecutter.project_slug}}" / MODEL_CARD).write_text(
        "# Model card: {{ cookiecutter.project_name }}\n\nSigned off by "
        "{{ cookiecutter.card_owner }}.\n",
        encoding="utf-8",
    )
    # Step 3: the option table.
    readme = copy / "README.md"
    readme.write_text(render_readme(readme.read_text(encoding="utf-8"), options))
    return copy


def bake_copy(template: Path, output: Path, **answers: str) -> Path:
    cookiecutter(str(template), no_input=True, extra_context=answers, output_dir=str(output))
    (project,) = output.iterdir()
    return project


@pytest.mark.parametrize("value", ["no", "yes"])
def test_each_value_bakes_exactly_its_files(extended: Path, tmp_path: Path, value: str) -> None:
    answers = {"model_card": value, **({"tracking": "mlflow"} if value == "yes" else {})}
    project = bake_copy(extended, tmp_path, **answers)
    context = {"module_name": project.name.replace("-", "_"), "model_card": value}
    expected = expected_files({**json_defaults(extended), **answers, **context}, extended)
    assert rendered_files(project) == expected
    assert (MODEL_CARD in expected) == (value == "yes")
    check_parses(project)


def json_defaults(template: Path) -> dict[str, str]:
    options = json.loads((template / "cookiecutter.json").read_text())
    return {key: value[0] for key, value in options.items() if isinstance(value, list)}


def test_the_requirement_is_enforced_in_one_line(extended: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="1"):
        bake_copy(extended, tmp_path, model_card="yes", tracking="local")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_free_text_answer_is_refused(extended: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="1"):
        bake_copy(extended, tmp_path, card_owner=" ")
    assert list(tmp_path.iterdir()) == []


def test_every_combination_renders_the_new_file(extended: Path) -> None:
    cards = [render for render in all_renders(extended) if render.path == MODEL_CARD]
    assert cards
    assert all("card_owner" not in render.text for render in cards)


def test_the_option_table_lists_it(extended: Path) -> None:
    table = (extended / "README.md").read_text(encoding="utf-8")
    assert re.search(r"\| `model_card` \| `no` / `yes` \|", table)
