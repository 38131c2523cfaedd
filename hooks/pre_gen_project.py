"""Validate the answers before cookiecutter writes a single file.

The rules are answer_checks.py's, beside cookiecutter.json. They already ran while
cookiecutter asked (local_extensions.refuse_bad_answers); this runs them again for
answers nobody was asked for (`cookiecutter --replay`). A rejected answer gets one line
on stderr naming the question at fault, and exit status 1, which makes cookiecutter
remove the project folder it had created.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# The whole context as JSON. tojson escapes every single quote, so nothing inside can
# close this raw string early; json.loads undoes the escapes (surrogate pairs included).
# fmt: off
CONTEXT: dict[str, Any] = json.loads(r'''{{ cookiecutter | tojson }}''')
# fmt: on

# The template's folder (cookiecutter's own clone of it, for a remote template). cruft
# does not pass it; cruft always asks first (without input for `cruft update`), so the
# rules have run.
TEMPLATE_FOLDER: str | None = CONTEXT.get("_repo_dir")


def main() -> int:
    if TEMPLATE_FOLDER is None:
        return 0
    sys.path.insert(0, TEMPLATE_FOLDER)
    from answer_checks import first_problem

    problem = first_problem(CONTEXT)
    if problem is None:
        return 0
    print(f"error: {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
