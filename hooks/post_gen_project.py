"""Remove the files that belong to option values the user did not choose.

CONDITIONAL_PATHS is the one declaration of which files depend on which answer; the
template's tests read it too, to know the exact file set of every variant. A path is
kept when any chosen value lists it (renovate.json serves two CI providers).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

# fmt: off
CHOSEN: dict[str, str] = json.loads(
    r'''{{ {
        "module_name": cookiecutter.module_name,
        "tracking": cookiecutter.tracking,
        "ci": cookiecutter.ci,
        "serving": cookiecutter.serving,
    } | tojson }}'''
)
# fmt: on

CONDITIONAL_PATHS: dict[str, dict[str, list[str]]] = {
    "tracking": {
        "local": ["src/{module}/file_registry.py"],
        "mlflow": ["src/{module}/mlflow_registry.py", "src/{module}/mlflow_tracking.py"],
    },
    "ci": {
        "github": [".github"],
        "gitlab": [".gitlab-ci.yml", "renovate.json"],
        "azure-devops": [".azure-pipelines", "renovate.json"],
        "none": [],
    },
    "serving": {
        "fastapi": [
            "src/{module}/service.py",
            "src/{module}/service_page.py",
            "src/{module}/service_schema.py",
            "src/{module}/service_smoke.py",
            "tests/test_service.py",
            "tests/browser_form.py",
            "Dockerfile",
            ".dockerignore",
        ],
        "none": [],
    },
}


def unused_paths(chosen: dict[str, str]) -> set[str]:
    kept: set[str] = set()
    dropped: set[str] = set()
    for option, values in CONDITIONAL_PATHS.items():
        for value, paths in values.items():
            (kept if chosen[option] == value else dropped).update(paths)
    return {path.format(module=chosen["module_name"]) for path in dropped - kept}


def main() -> None:
    for relative in sorted(unused_paths(CHOSEN)):
        path = Path(relative)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
