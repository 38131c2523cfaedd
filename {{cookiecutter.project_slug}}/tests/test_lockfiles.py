"""The committed lock files (`nox -s lock`) still satisfy pyproject.toml: a dependency
added, or a lower bound raised, since the lock was written fails here, before CI or the
image installs versions the project no longer admits."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from dependency_groups import resolve
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PYPROJECT: dict[str, Any] = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
DEPENDENCIES: list[str] = PYPROJECT["project"]["dependencies"]
DEVELOPMENT = list(resolve(PYPROJECT["dependency-groups"], "dev"))


def locked_versions(lock_text: str) -> dict[str, str]:
    """Package name (normalised) -> the version a pylock.toml pins."""
    packages = tomllib.loads(lock_text).get("packages", [])
    return {canonicalize_name(p["name"]): p["version"] for p in packages if "version" in p}


def unmet(requirements: list[str], locked: dict[str, str]) -> list[str]:
    """The requirements (those whose markers hold here) that the locked versions miss."""
    problems = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name} {version} is outside {requirement.specifier}")
    return problems


@pytest.mark.parametrize(
    ("lock_name", "requirements"),
    [("pylock.toml", DEPENDENCIES), ("pylock.dev.toml", DEPENDENCIES + DEVELOPMENT)],
)
def test_the_lock_files_satisfy_pyproject(lock_name: str, requirements: list[str]) -> None:
    lock = PROJECT_ROOT / lock_name
    if not lock.is_file():
        pytest.skip(f"no {lock_name} yet: `nox -s lock` writes it (then commit it)")
    problems = unmet(requirements, locked_versions(lock.read_text(encoding="utf-8")))
    assert not problems, f"{lock_name} is out of date, run `nox -s lock`: {problems}"


def test_an_outdated_lock_is_named_package_by_package() -> None:
    lock_text = """
lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "Scikit_Learn"
version = "1.4.2"

[[packages]]
name = "pandas"
version = "2.2.3"
"""
    requirements = ["scikit-learn>=1.5", "pandas>=2.1", "skops>=0.10", "tzdata; os_name == 'x'"]
    assert unmet(requirements, locked_versions(lock_text)) == [
        "scikit-learn 1.4.2 is outside >=1.5",
        "skops is not in the lock",
    ]
