"""Validate the answers before cookiecutter writes a single file.

Each rejected answer gets one readable line on stderr naming the question at fault, and
exit status 1, which makes cookiecutter remove the project folder it had created.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

# The whole context as JSON. tojson escapes every single quote, so nothing inside can
# close this raw string early; json.loads undoes the escapes (surrogate pairs included).
# fmt: off
CONTEXT: dict[str, Any] = json.loads(r'''{{ cookiecutter | tojson }}''')
# fmt: on
ANSWERS: dict[str, str] = {
    key: str(value) for key, value in CONTEXT.items() if not key.startswith("_")
}
# cookiecutter.json's `_requires`: option -> value -> the answers that value needs.
REQUIRES: dict[str, dict[str, dict[str, str]]] = CONTEXT["_requires"]
# cookiecutter.json's `_validators`: free-text answer -> the kind of check it gets.
DECLARED: dict[str, str] = CONTEXT["_validators"]

# Imports of the generated project and its tooling, which a package of that name would
# shadow (cookiecutter.json's `_reserved_modules`; the standard library is checked through
# sys.stdlib_module_names).
DEPENDENCY_MODULES = frozenset(CONTEXT["_reserved_modules"])
# Long enough for any real name; keeps generated import lines within the line length.
MAX_NAME_LENGTH: int = CONTEXT["_max_name_length"]
# PEP 508 distribution names: letters, digits and . _ - inside, alphanumeric at the ends.
DISTRIBUTION_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s\"'\\<>(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Control, surrogate, unassigned and line/paragraph-separator characters would need a
# different escape in each of TOML, YAML and Python; everything else renders verbatim.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Cn", "Zl", "Zp"})


def text_problem(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    for char in value:
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            return f"contains the control character U+{ord(char):04X}"
    return None


def name_problem(value: str) -> str | None:
    """Text that slugs and module names are derived from: it needs a letter or digit."""
    problem = text_problem(value)
    if problem is None and not any(char.isalnum() for char in value):
        return f"{value!r} has no letter or digit"
    return problem


def module_problem(name: str) -> str | None:
    if not name:
        return "must not be empty"
    if not name.isascii() or not name.isidentifier():
        return f"{name!r} must be a Python identifier: ASCII letters, digits and underscores"
    if name[0].isdigit():
        return f"{name!r} must not start with a digit"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{name!r} is a Python keyword"
    if name in sys.stdlib_module_names:
        return f"{name!r} shadows a module of the Python standard library"
    if name.lower() in DEPENDENCY_MODULES:
        return f"{name!r} shadows a dependency of the generated project"
    if name != name.lower():
        return f"{name!r} must be lower case (PEP 8 package names)"
    if len(name) > MAX_NAME_LENGTH:
        return f"{name!r} is longer than {MAX_NAME_LENGTH} characters"
    return None


def distribution_problem(slug: str) -> str | None:
    if not slug:
        return "is empty (the project name has no letters or digits to build it from)"
    if not DISTRIBUTION_NAME.match(slug):
        return f"{slug!r} is not a valid distribution name: ASCII letters, digits, '.', '_' and '-'"
    if len(slug) > MAX_NAME_LENGTH:
        return f"{slug!r} is longer than {MAX_NAME_LENGTH} characters"
    return None


def email_problem(value: str) -> str | None:
    return None if EMAIL.match(value) else f"{value!r} is not an e-mail address"


# The kinds `_validators` may name. A free-text option declares one of these there. In
# the order answers derive from each other (name -> slug -> module), so the first error
# is the one to fix first; the context reaches the hook with its keys sorted.
CHECKS: dict[str, Callable[[str], str | None]] = {
    "name": name_problem,
    "distribution": distribution_problem,
    "module": module_problem,
    "text": text_problem,
    "email": email_problem,
}


def combination_problems(
    chosen: dict[str, str], requires: dict[str, dict[str, dict[str, str]]]
) -> list[str]:
    found = []
    for option, values in requires.items():
        for needed_option, needed in values.get(chosen[option], {}).items():
            if chosen[needed_option] != needed:
                found.append(
                    f"{option}={chosen[option]} needs {needed_option}={needed} "
                    f"(answered {needed_option}={chosen[needed_option]})"
                )
    return found


def problems(answers: dict[str, str], declared: dict[str, str]) -> list[str]:
    """Each declared answer through the check its kind names, in the order of CHECKS."""
    kinds = list(CHECKS)
    in_order = sorted(
        declared.items(),
        key=lambda item: (kinds.index(item[1]) if item[1] in CHECKS else len(kinds), item[0]),
    )
    found = []
    for key, kind in in_order:
        check = CHECKS.get(kind)
        if check is None:
            found.append(f"_validators: {key} names {kind!r}; known: {', '.join(CHECKS)}")
        elif (problem := check(answers[key])) is not None:
            found.append(f"{key} {problem}")
    return found


def main() -> int:
    found = problems(ANSWERS, DECLARED) + combination_problems(ANSWERS, REQUIRES)
    if not found:
        return 0
    # One line: the first answer at fault (fixing it may change the derived ones).
    print(f"error: {found[0]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
