"""Fast tier: Scientific Python's repo-review passes on the bake of every CI provider.

Every check passes, or the generated pyproject.toml declines it in `[tool.repo-review]`
with a comment saying why (for instance, pre-commit hooks that must install from PyPI
alone).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from .conftest import CHOICES, bake, installed_tool


@pytest.mark.parametrize("ci", CHOICES["ci"])
def test_repo_review_passes_or_is_declined_with_a_reason(cookies: Any, ci: str) -> None:
    project, _ = bake(cookies, ci=ci)
    binary = installed_tool("sp-repo-review", "sp-repo-review")
    result = subprocess.run(
        [binary, ".", "--format", "json"], cwd=project, capture_output=True, text=True, check=False
    )
    checks = json.loads(result.stdout)["checks"]
    failed = {
        name: check["description"] for name, check in checks.items() if check["result"] is False
    }
    assert failed == {}
    assert sum(check["result"] is True for check in checks.values()) >= 40
