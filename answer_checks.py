"""The template's rules for the answers, in one place, used twice: while cookiecutter
asks (local_extensions.refuse_bad_answers, so a refused answer ends the bake with one
line, before cookiecutter's hook machinery could add its own traceback) and by
hooks/pre_gen_project.py (answers from --replay, which asks nothing).

The rules' data is declared in cookiecutter.json: `_validators` (free-text answer ->
the kind of check), `_requires` (option -> value -> the answers that value needs),
`_reserved_modules` and `_max_name_length`.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# PEP 508 distribution names: letters, digits and . _ - inside, alphanumeric at the ends.
DISTRIBUTION_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s\"'\\<>(),;:]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Control, surrogate, unassigned and line/paragraph-separator characters would need a
# different escape in each of TOML, YAML and Python; everything else renders verbatim.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Cn", "Zl", "Zp"})


@dataclass(frozen=True)
class NameRules:
    # Imports of the generated project and its tooling, which a package of that name would
    # shadow (the standard library is checked through sys.stdlib_module_names).
    reserved_modules: frozenset[str]
    # Long enough for any real name; keeps generated import lines within the line length.
    max_length: int

    @classmethod
    def declared(cls, context: Mapping[str, Any]) -> NameRules:
        return cls(frozenset(context["_reserved_modules"]), int(context["_max_name_length"]))


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


def module_problem(name: str, rules: NameRules) -> str | None:
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
    if name.lower() in rules.reserved_modules:
        return f"{name!r} shadows a dependency of the generated project"
    if name != name.lower():
        return f"{name!r} must be lower case (PEP 8 package names)"
    if len(name) > rules.max_length:
        return f"{name!r} is longer than {rules.max_length} characters"
    return None


def distribution_problem(slug: str, rules: NameRules) -> str | None:
    if not slug:
        return "is empty (the project name has no letters or digits to build it from)"
    if not DISTRIBUTION_NAME.match(slug):
        return f"{slug!r} is not a valid distribution name: ASCII letters, digits, '.', '_' and '-'"
    if len(slug) > rules.max_length:
        return f"{slug!r} is longer than {rules.max_length} characters"
    return None


def email_problem(value: str) -> str | None:
    return None if EMAIL.match(value) else f"{value!r} is not an e-mail address"


# The kinds `_validators` may name. A free-text option declares one of these there. In
# the order answers derive from each other (name -> slug -> module), so the first error
# is the one to fix first.
CHECKS: dict[str, Callable[[str, NameRules], str | None]] = {
    "name": lambda value, _: name_problem(value),
    "distribution": distribution_problem,
    "module": module_problem,
    "text": lambda value, _: text_problem(value),
    "email": lambda value, _: email_problem(value),
}


def combination_problems(
    chosen: Mapping[str, str], requires: Mapping[str, Mapping[str, Mapping[str, str]]]
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


def problems(
    answers: Mapping[str, str], declared: Mapping[str, str], rules: NameRules
) -> list[str]:
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
        elif (problem := check(answers[key], rules)) is not None:
            found.append(f"{key} {problem}")
    return found


def first_problem(context: Mapping[str, Any]) -> str | None:
    """The first answer at fault in a cookiecutter context (fixing it may change the
    answers derived from it), or None."""
    answers = {key: str(value) for key, value in context.items() if not key.startswith("_")}
    found = problems(answers, context["_validators"], NameRules.declared(context))
    found += combination_problems(answers, context["_requires"])
    return found[0] if found else None
