"""The committed lock files (`nox -s lock`) still satisfy pyproject.toml: a dependency
added, or a lower bound raised, since the lock was written fails here, and the nox
sessions (so CI, and the bundle the image installs) refuse such a lock the same way."""

from __future__ import annotations

from pathlib import Path

import noxfile
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("lock", [noxfile.LOCK, noxfile.DEV_LOCK])
def test_the_lock_files_satisfy_pyproject(lock: Path) -> None:
    if not (PROJECT_ROOT / lock).is_file():
        pytest.skip(f"no {lock} yet: `nox -s lock` writes it (then commit it)")
    problems = noxfile.lock_problems(PROJECT_ROOT / lock, noxfile.locked_requirements(lock))
    assert not problems, f"{lock} is out of date, run `nox -s lock`: {problems}"


def test_an_outdated_lock_is_named_package_by_package(tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        """
lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "Scikit_Learn"
version = "1.4.2"

[[packages]]
name = "pandas"
version = "2.2.3"
"""
    )
    requirements = ["scikit-learn>=1.5", "pandas>=2.1", "skops>=0.10", "tzdata; os_name == 'x'"]
    assert noxfile.lock_problems(lock, requirements) == [
        "scikit-learn 1.4.2 is outside >=1.5",
        "skops is not in pylock.toml",
    ]
