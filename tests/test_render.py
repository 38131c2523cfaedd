"""Fast tier: every option value renders into a complete, parseable, lint-clean project."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from .conftest import CHOICES, COOKIECUTTER_JSON, DEFAULTS, TEMPLATE, bake
from .expected_files import EMPTY_ON_PURPOSE, expected_files
from .option_table import render_readme
from .test_variants import PLANTED_DEFECTS

UNRENDERED = re.compile(r"\{\{-? *cookiecutter\.|\{%-? *[a-z]+ [^%]*cookiecutter\.|\{#")
# The generated project's own Jinja templates (reports, form page), which cookiecutter.json
# copies without rendering: Jinja of theirs is expected, an answer left in them is not.
OWN_TEMPLATE_SUFFIX = ".j2"


def unrendered(path: str, text: str) -> bool:
    """Whether template code meant for cookiecutter is left in a rendered file."""
    if path.endswith(OWN_TEMPLATE_SUFFIX):
        return "cookiecutter." in text
    return bool(UNRENDERED.search(text))


ONE_VALUE_EACH = [(option, value) for option, values in CHOICES.items() for value in values]


def rendered_files(project: Path) -> set[str]:
    return {path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()}


def front_matter(markdown: str) -> Any:
    _, block, _ = markdown.split("---\n", 2)
    return yaml.safe_load(block)


def check_parses(project: Path, answers: tuple[str, ...] = ()) -> None:
    """Every TOML, YAML, JSON and Python file parses; Markdown front matter too. Braces
    that come from the answers themselves are not leftover template code."""
    for path in project.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        assert text.strip() or path.name in EMPTY_ON_PURPOSE, (
            f"{path} renders empty: declare it in cookiecutter.json's _conditional_paths"
        )
        template_text = text
        for answer in answers:
            template_text = template_text.replace(answer, "")
        assert not unrendered(path.name, template_text), f"unrendered Jinja in {path}"
        # The pre-commit hooks would rewrite such a line on the project's first commit (an
        # answer of the user's own may end in a space: only the template's lines count).
        lines = [] if answers else text.splitlines()
        trailing = [number for number, line in enumerate(lines, 1) if line != line.rstrip()]
        assert not trailing, f"{path}: trailing whitespace on line {trailing[0]}"
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in (".yml", ".yaml"):
            yaml.safe_load(text)
        elif path.suffix in (".json", ".ipynb"):
            json.loads(text)
        elif path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix == ".md" and text.startswith("---\n"):
            assert isinstance(front_matter(text), dict), path


def ruff(project: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    ONE_VALUE_EACH,
    ids=[f"{option}={value}" for option, value in ONE_VALUE_EACH],
)
def test_every_option_value_renders(cookies: Any, option: str, value: str) -> None:
    project, context = bake(cookies, **{option: value})
    assert rendered_files(project) == expected_files(context)
    check_parses(project)
    ruff(project, "check")
    ruff(project, "format", "--check")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    # Whatever Python the answers choose, mypy checks a version the project admits.
    admitted = SpecifierSet(pyproject["project"]["requires-python"])
    assert pyproject["tool"]["mypy"]["python_version"] in admitted
    assert context["project_slug"] in pyproject["project"]["scripts"]
    # A document reads as rendered: no Jinja of any kind, not only cookiecutter's (a
    # variable set to a string that holds `{{ nox }}` once leaked into the README).
    # Azure ML's own ${{inputs.x}} expressions are quoted as they are.
    leftovers = [
        path.relative_to(project).as_posix()
        for path in project.rglob("*.md")
        if re.search(r"(?<!\$)\{\{|\{%", path.read_text(encoding="utf-8"))
    ]
    assert leftovers == []


@pytest.mark.parametrize("task", CHOICES["task"])
def test_task_sets_params_and_gate(cookies: Any, task: str) -> None:
    project, _ = bake(cookies, task=task)
    params = yaml.safe_load((project / "params.yaml").read_text())
    gate = front_matter((project / "docs/01_business_understanding.md").read_text())
    assert params["task"] == task
    assert set(gate) == {
        "metric",
        "direction",
        "threshold",
        "must_beat",
        "min_improvement",
        "value",
        "monitoring",
    }
    assert gate["metric"] == ("rmse" if task == "regression" else "roc_auc")
    # The value block holds the keys its task reads (the generated project's VALUE_KEYS).
    per_task = {
        "regression": {"per_unit_under", "per_unit_over"},
        "classification": {"true_positive", "false_negative", "false_positive", "true_negative"},
    }
    assert set(gate["value"]) == per_task[task]


@pytest.mark.parametrize("manager", CHOICES["package_manager"])
def test_readme_and_ci_use_the_package_manager(cookies: Any, manager: str) -> None:
    project, _ = bake(cookies, package_manager=manager)
    readme = (project / "README.md").read_text()
    workflow = (project / ".github/workflows/ci.yml").read_text()
    if manager == "uv":
        assert "uv sync" in readme
        assert "setup-uv" in workflow
    else:
        assert "pip install -e . --group dev" in readme
        assert "setup-uv" not in workflow


def test_default_project_uses_the_defaults(cookies: Any) -> None:
    project, context = bake(cookies)
    assert project.name == "diabetes-progression"
    assert context["module_name"] == "diabetes_progression"
    assert {key: context[key] for key in DEFAULTS} == DEFAULTS


# The jobs that need to write: train publishes the registry as a release; the deploy
# jobs push the service image when there is one; monitor starts the train workflow;
# docs publishes the site to GitHub Pages.
WRITE_PERMISSIONS = {
    ("train.yml", "train"): {"contents": "write"},
    ("monitor.yml", "monitor"): {"actions": "write"},
    ("docs.yml", "deploy"): {"pages": "write", "id-token": "write"},
    ("deploy.yml", "staging"): {"packages": "write"},
    ("deploy.yml", "production"): {"packages": "write"},
}


@pytest.mark.parametrize("tracking", CHOICES["tracking"])
def test_workflow_actions_are_pinned_with_least_permissions(cookies: Any, tracking: str) -> None:
    project, _ = bake(cookies, ci="github", tracking=tracking)
    for workflow in (project / ".github/workflows").glob("*.yml"):
        loaded = yaml.safe_load(workflow.read_text())
        assert loaded["permissions"] in ({}, {"contents": "read"}), workflow.name
        for name, job in loaded["jobs"].items():
            granted = job.get("permissions", loaded["permissions"])
            writes = {scope: level for scope, level in granted.items() if level == "write"}
            allowed = WRITE_PERMISSIONS.get((workflow.name, name), {})
            assert writes.items() <= allowed.items(), (workflow, name)
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step


def test_licenses_name_the_author(cookies: Any) -> None:
    for license_id in CHOICES["license"]:
        project, _ = bake(cookies, license=license_id, author_name="Ada Lovelace")
        text = (project / "LICENSE").read_text()
        assert "Ada Lovelace" in text
        spdx = tomllib.loads((project / "pyproject.toml").read_text())["project"]["license"]
        assert spdx == (license_id if license_id != "Proprietary" else "LicenseRef-Proprietary")


@pytest.mark.parametrize(
    "answers",
    [
        {"project_name": 'The "Quoted" \\ Backslash Project'},
        {"project_name": "糖尿病 進行度予測", "project_slug": "tonyobyo"},
        {
            "project_name": "Café Prédiction",
            "author_name": 'José "Pepe" O\'Brien',
            "description": 'Says "hi" \\o/ — with émojis 🙂 and 日本語',
        },
        {"project_name": "x" * 40},
    ],
    ids=["quotes-backslash", "japanese", "accents-emoji", "longest-name"],
)
def test_awkward_names_render_valid_files(cookies: Any, answers: dict[str, str]) -> None:
    project, context = bake(cookies, **answers)
    check_parses(project)
    ruff(project, "check")
    ruff(project, "format", "--check")
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == context["description"]
    assert metadata["authors"][0]["name"] == context["author_name"]
    assert context["module_name"].isidentifier()


def test_slug_is_derived_from_a_japanese_name_when_not_given(cookies: Any) -> None:
    project, context = bake(cookies, project_name="糖尿病 予測")
    assert re.fullmatch(r"[a-z0-9-]+", context["project_slug"])
    check_parses(project)


def test_readme_option_table_is_current() -> None:
    readme = (TEMPLATE / "README.md").read_text()
    assert render_readme(readme, COOKIECUTTER_JSON) == readme, "run `nox -s docs`"


def test_planted_defects_name_code_and_tests_the_default_bake_holds(cookies: Any) -> None:
    """The deep tier plants each defect by replacing text in a default bake and runs the
    generated test that must catch it: both must still exist, or the deep tier fails
    only after minutes, in its longest variant."""
    project, context = bake(cookies, **DEFAULTS)
    for relative, text, _, test in PLANTED_DEFECTS:
        source = project / "src" / context["module_name"] / relative
        assert text in source.read_text(encoding="utf-8"), f"{relative} no longer holds {text!r}"
        test_file, test_name = test.split("::")
        assert f"def {test_name}(" in (project / test_file).read_text(encoding="utf-8"), test
