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

# The answers as JSON. tojson escapes every single quote, so nothing inside can close
# this raw string early; json.loads undoes the escapes (surrogate pairs included).
# fmt: off
ANSWERS: dict[str, str] = json.loads(
    r'''{{ {
        "project_name": cookiecutter.project_name,
        "project_slug": cookiecutter.project_slug,
        "module_name": cookiecutter.module_name,
        "description": cookiecutter.description,
        "author_name": cookiecutter.author_name,
        "author_email": cookiecutter.author_email,
    } | tojson }}'''
)
CHOSEN: dict[str, str] = json.loads(
    r'''{{ {"tracking": cookiecutter.tracking, "compute": cookiecutter.compute} | tojson }}'''
)
# cookiecutter.json's `_requires`: option -> value -> the answers that value needs.
REQUIRES: dict[str, dict[str, dict[str, str]]] = json.loads(
    r'''{{ cookiecutter._requires | tojson }}'''
)
# fmt: on

# Imports of the generated project and its tooling: a package with one of these names
# would shadow it (the standard library is checked through sys.stdlib_module_names).
DEPENDENCY_MODULES = frozenset(
    {
        "joblib",
        "matplotlib",
        "mypy",
        "nox",
        "numpy",
        "pandas",
        "pyarrow",
        "pydantic",
        "pytest",
        "rich",
        "ruff",
        "scipy",
        "sklearn",
        "typer",
        "yaml",
        "click",
        "skops",
        "mlflow",
        "fastapi",
        "uvicorn",
        "httpx",
        "hypothesis",
        "setuptools",
        "hatchling",
        "test",
        "tests",
        "src",
    }
)
# Long enough for any real name; keeps generated import lines within the line length.
MAX_NAME_LENGTH = 40
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


def module_problem(name: str) -> str | None:
    if not name:
        return "must not be empty"
    if not name.isascii() or not name.isidentifier():
        return "must be a Python identifier: ASCII letters, digits and underscores"
    if name[0].isdigit():
        return "must not start with a digit"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return "is a Python keyword"
    if name in sys.stdlib_module_names:
        return "shadows a module of the Python standard library"
    if name.lower() in DEPENDENCY_MODULES:
        return "shadows a dependency of the generated project"
    if name != name.lower():
        return "must be lower case (PEP 8 package names)"
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    return None


def slug_problem(slug: str) -> str | None:
    if not slug:
        return "is empty (the project name has no letters or digits to build it from)"
    if not DISTRIBUTION_NAME.match(slug):
        return "is not a valid distribution name: ASCII letters, digits, '.', '_' and '-'"
    if len(slug) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    return None


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


def problems(answers: dict[str, str]) -> list[str]:
    found = []
    for key in ("project_name", "description", "author_name"):
        problem = text_problem(answers[key])
        if problem:
            found.append(f"{key} {problem}")
    if not any(char.isalnum() for char in answers["project_name"]):
        found.append(f"project_name {answers['project_name']!r} has no letter or digit")
    checks = (
        ("project_slug", slug_problem),
        ("module_name", module_problem),
    )
    for key, check in checks:
        problem = check(answers[key])
        if problem:
            found.append(f"{key} {answers[key]!r} {problem}")
    if not EMAIL.match(answers["author_email"]):
        found.append(f"author_email {answers['author_email']!r} is not an e-mail address")
    return found


def main() -> int:
    found = problems(ANSWERS) + combination_problems(CHOSEN, REQUIRES)
    if not found:
        return 0
    # One line: the first answer at fault (fixing it may change the derived ones).
    print(f"error: {found[0]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
