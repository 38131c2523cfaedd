"""The exact file set a variant renders. Edit this when a variant gains or loses a file."""

from __future__ import annotations

COMMON = {
    ".github/workflows/ci.yml",
    ".gitignore",
    "LICENSE",
    "README.md",
    "data/raw/.gitkeep",
    "docs/business_goal.md",
    "noxfile.py",
    "params.yaml",
    "pyproject.toml",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/test_analyze.py",
    "tests/test_cli.py",
    "tests/test_config.py",
    "tests/test_evaluate.py",
    "tests/test_prepare.py",
    "tests/test_preprocess.py",
    "tests/test_register.py",
    "tests/test_train.py",
}
PACKAGE_MODULES = {
    "__init__.py",
    "__main__.py",
    "analyze.py",
    "artifacts.py",
    "cli.py",
    "config.py",
    "dataset.py",
    "errors.py",
    "evaluate.py",
    "goal.py",
    "metrics.py",
    "models.py",
    "pipeline.py",
    "prepare.py",
    "preprocess.py",
    "py.typed",
    "register.py",
    "registry.py",
    "report.py",
    "train.py",
}


def expected_files(answers: dict[str, str]) -> set[str]:
    """Relative paths (POSIX) for the given answers, with the package under src/."""
    module = answers["module_name"]
    return COMMON | {f"src/{module}/{name}" for name in PACKAGE_MODULES}
