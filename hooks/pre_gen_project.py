"""Validate the answers before cookiecutter writes a single file.

The rules are answer_checks.py's, beside cookiecutter.json. They already ran while
cookiecutter asked (local_extensions.refuse_bad_answers); this runs them again for
answers nobody was asked for (`cookiecutter --replay`). A rejected answer gets one line
on stderr naming the question at fault, and exit status 1, which makes cookiecutter
remove the project folder it had created.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

# The whole context as JSON. tojson escapes every single quote, so nothing inside can
# close this raw string early; json.loads undoes the escapes (surrogate pairs included).
# fmt: off
CONTEXT: dict[str, Any] = json.loads(r'''{{ cookiecutter | tojson }}''')
# fmt: on

# The template's folder (cookiecutter's own clone of it, for a remote template), relative
# to where cookiecutter was started when it was given a relative path: this script runs
# in the new project's folder. cruft does not pass it; cruft always asks first (without
# input for `cruft update`), so the rules have run.
TEMPLATE_FOLDER: str | None = CONTEXT.get("_repo_dir")


def main() -> int:
    if TEMPLATE_FOLDER is None:
        return 0
    started_in = Path(os.environ.get("PWD", "."))
    sys.path.insert(0, str(started_in / TEMPLATE_FOLDER))  # an absolute one stays itself
    try:
        from answer_checks import first_problem
    except ImportError:  # the folder could not be found again: the prompt's check ran
        return 0

    problem = first_problem(CONTEXT)
    if problem is None:
        return 0
    print(f"error: {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
