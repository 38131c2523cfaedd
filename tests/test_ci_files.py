"""Fast tier: every CI provider's files are valid for that provider and audited.

Schemas come bundled with check-jsonschema and zizmor runs offline, so this tier needs
no network. Each pipeline step must call a nox session the generated noxfile defines,
so whatever CI runs, a user can run locally.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import CHOICES, TEMPLATE, allowed, bake, installed_tool

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
PROVIDER_CASES = [
    {"ci": ci, "tracking": tracking, "package_manager": manager, "compute": compute}
    for ci in CHOICES["ci"]
    for tracking in CHOICES["tracking"]
    for manager in CHOICES["package_manager"]
    for compute in CHOICES["compute"]
    if allowed({"tracking": tracking, "compute": compute})
]
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


def nox_sessions(project: Path) -> set[str]:
    """Names of the sessions the generated noxfile defines."""
    tree = ast.parse((project / "noxfile.py").read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any("nox.session" in ast.unparse(decorator) for decorator in node.decorator_list)
    }


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


@pytest.mark.parametrize(
    "answers", PROVIDER_CASES, ids=[",".join(case.values()) for case in PROVIDER_CASES]
)
def test_ci_files_are_valid_and_call_only_nox(cookies: Any, answers: dict[str, str]) -> None:
    project, _ = bake(cookies, **answers)
    for pattern, schema in SCHEMAS[answers["ci"]].items():
        check_schema(project, pattern, schema)
    sessions = nox_sessions(project)
    ci_files = [
        path
        for pattern in SCHEMAS[answers["ci"]]
        for path in project.glob(pattern)
        if path.suffix == ".yml" and "dependabot" not in path.name
    ]
    for path in ci_files:
        for command in commands(yaml.safe_load(path.read_text())):
            if command.startswith(INSTALLING_NOX):
                continue
            match = NOX_CALL.match(command)
            assert match, f"{path.name}: {command!r} is not a nox session call"
            assert set(match.group(1).split()) <= sessions, f"{path.name}: {command!r}"


@pytest.mark.parametrize("tracking", CHOICES["tracking"])
def test_github_workflows_pass_zizmor(cookies: Any, tracking: str) -> None:
    project, _ = bake(cookies, ci="github", tracking=tracking)
    result = zizmor(project)
    assert result.returncode == 0, result.stdout + result.stderr


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
