"""Remove the files that belong to option values the user did not choose.

cookiecutter.json's `_conditional_paths` is the one declaration of which files depend on
which answer; the template's tests read it too, to know the exact file set of every
variant. A path is kept when any chosen value lists it (renovate.json serves two CI
providers). Everything this hook knows comes from the rendered context, so a new
option needs no edit here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

# The whole context as JSON: tojson escapes every single quote, so nothing inside can
# close this raw string early.
# fmt: off
CONTEXT: dict[str, Any] = json.loads(r'''{{ cookiecutter | tojson }}''')
# fmt: on
CHOSEN = {key: str(value) for key, value in CONTEXT.items() if not key.startswith("_")}
# option -> value -> the paths only that value keeps ({module} is the package's name).
CONDITIONAL_PATHS: dict[str, dict[str, list[str]]] = CONTEXT["_conditional_paths"]


def unused_paths(chosen: dict[str, str]) -> set[str]:
    kept: set[str] = set()
    dropped: set[str] = set()
    for option, values in CONDITIONAL_PATHS.items():
        for value, paths in values.items():
            (kept if chosen[option] == value else dropped).update(paths)
    return {path.format(module=chosen["module_name"]) for path in dropped - kept}


def normalise_notebooks(folder: Path) -> None:
    """Write notebooks the way nbformat and nbstripout do (sorted keys, one-space indent,
    UTF-8 text), so the pre-commit hook finds nothing to change in a fresh project. The
    template stores them ASCII-escaped: cookiecutter's binary-file sniffing can mistake a
    file that starts with Japanese text for binary and copy it unrendered."""
    for notebook in folder.glob("*.ipynb"):
        content = json.loads(notebook.read_text(encoding="utf-8"))
        text = json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False)
        notebook.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    for relative in sorted(unused_paths(CHOSEN)):
        path = Path(relative)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    normalise_notebooks(Path("notebooks"))


if __name__ == "__main__":
    main()
