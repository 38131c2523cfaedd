"""Fast tier: every CI provider's files are valid for that provider and audited.

Schemas come bundled with check-jsonschema and zizmor runs offline, so this tier needs
no network. Each pipeline step must call a nox session the generated noxfile defines,
so whatever CI runs, a user can run locally.
"""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from .combinations import (
    Render,
    all_renders,
    combinations_for,
    default_context,
    render_with,
    values_keeping,
)
from .conftest import TEMPLATE, allowed, bake, installed_tool

# Files each provider renders, and the check-jsonschema schema for each.
SCHEMAS = {
    "github": {
        ".github/workflows/*.yml": "vendor.github-workflows",
        ".github/dependabot.yml": "vendor.dependabot",
    },
    "gitlab": {".gitlab-ci.yml": "vendor.gitlab-ci", "renovate.json": "vendor.renovate"},
    "azure-devops": {
        ".azure-pipelines/*.yml": "vendor.azure-pipelines",
        ".azure-pipelines/steps/*.yml": "vendor.azure-pipelines",
        "renovate.json": "vendor.renovate",
    },
    "none": {},
}
# Installing nox itself (and, in GitLab's docker image, the Python to run it).
INSTALLING_NOX = ("python -m pip install", "python3 -m pip install", "uv tool install", "apk add")
NOX_CALL = re.compile(r"^nox -s ([\w ]+?)(?: -- .*)?$")


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def check_schema(project: Path, pattern: str, schema: str) -> None:
    files = sorted(str(path.relative_to(project)) for path in project.glob(pattern))
    assert files, f"{pattern}: no files rendered"
    # The Azure Pipelines schema uses regular expressions only Python's engine accepts.
    regex = ["--regex-variant", "python"] if schema == "vendor.azure-pipelines" else []
    result = run(
        sys.executable, "-m", "check_jsonschema", *regex, "--builtin-schema", schema, *files,
        cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    """zizmor --offline on a project folder or one workflow file, from the environment
    running the tests (the PyPI package ships the binary)."""
    binary = installed_tool("zizmor", "zizmor")
    folder, name = (target, ".") if target.is_dir() else (target.parent, target.name)
    return run(binary, "--offline", "--quiet", name, cwd=folder)


def commands(node: Any) -> list[str]:
    """Every shell command in a CI file: run/script/bash/inlineScript values, however
    nested."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"run", "script", "bash", "before_script", "inlineScript"}:
                lines = value if isinstance(value, list) else str(value).splitlines()
                found += [line.strip() for line in lines if line.strip()]
            else:
                found += commands(value)
    elif isinstance(node, list):
        for item in node:
            found += commands(item)
    return found


@cache
def nox_sessions(answers: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """Names of the sessions the noxfile rendered with these answers defines."""
    source = render_with("noxfile.py", dict(answers))
    return frozenset(
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
        and any("nox.session" in ast.unparse(decorator) for decorator in node.decorator_list)
    )


def noxfile_answers(render: Render) -> list[tuple[tuple[str, str], ...]]:
    """Every combination of the options the noxfile reads under which `render` is part of
    the project: its own answers, and a value of each option that keeps the file."""
    source = (TEMPLATE / "{{cookiecutter.project_slug}}" / "noxfile.py").read_text()
    keeping = values_keeping(render.path, default_context()["cookiecutter"]["module_name"])
    rows = [
        {**row, **dict(render.answers), **dict(zip(keeping, kept, strict=True))}
        for row in combinations_for(source + " ".join(f"cookiecutter.{k}" for k in keeping))
        for kept in itertools.product(*keeping.values())
    ]
    return sorted({tuple(sorted(row.items())) for row in rows if allowed(row)})


def test_every_ci_file_calls_only_nox_sessions_in_every_combination() -> None:
    """Whatever CI runs, a user can run: each step of every rendering of every provider's
    files installs nox or calls sessions that the noxfile of the same answers defines.
    (Their schemas and zizmor: tests/test_combinations.py.)"""
    problems = []
    for render in all_renders():
        if not re.match(r"^(\.github/workflows/|\.gitlab-ci\.yml|\.azure-pipelines/)", render.path):
            continue
        for answers in noxfile_answers(render):
            sessions = nox_sessions(answers)
            for command in commands(yaml.safe_load(render.text)):
                if command.startswith(INSTALLING_NOX):
                    continue
                match = NOX_CALL.match(command)
                if not match or not set(match.group(1).split()) <= sessions:
                    problems.append(f"{render.where()} with {answers}: {command!r}")
    assert problems == []


def test_workflow_checks_catch_a_broken_file(cookies: Any, tmp_path: Path) -> None:
    """The checks above can fail: a misspelt key and an inline untrusted input."""
    project, _ = bake(cookies, ci="github")
    workflow = project / ".github/workflows/deploy.yml"
    text = workflow.read_text()
    workflow.write_text(text.replace("runs-on:", "run-on:", 1))
    with pytest.raises(AssertionError, match="run-on"):
        check_schema(project, ".github/workflows/deploy.yml", "vendor.github-workflows")
    injected = text.replace('"$VERSION"', "${{ inputs.version }}")
    assert injected != text
    workflow.write_text(injected)
    result = zizmor(project)
    assert result.returncode != 0
    assert "template-injection" in result.stdout + result.stderr


def test_template_workflow_is_valid_pinned_and_audited() -> None:
    check_schema(TEMPLATE, ".github/workflows/template.yml", "vendor.github-workflows")
    result = zizmor(TEMPLATE / ".github" / "workflows" / "template.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load((TEMPLATE / ".github/workflows/template.yml").read_text())
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert "permissions" not in job
        for command in commands(job):
            assert command == "uv tool install nox" or NOX_CALL.match(command), command
