"""The project's sentences as the tests expect them: read from its catalogue in the
project's language, so a test holds in a Japanese project as in an English one."""

from __future__ import annotations

import re

from jinja2 import meta

from {{ cookiecutter.module_name }}.core import texts


def says(key: str, **known: object) -> str:
    """A regular expression for sentence `key`: the `known` values as given (a compiled
    pattern as a pattern), any other value as anything."""
    names = meta.find_undeclared_variables(texts.sentences().parse(texts.plain(key)))
    holes: dict[str, str] = {}
    values: dict[str, object] = {}
    for index, name in enumerate(sorted(names)):
        given = known.get(name)
        if name in known and not isinstance(given, re.Pattern):
            values[name] = given
            continue
        hole = f"\x00{index}\x00"  # a stand-in no sentence contains
        holes[re.escape(hole)] = given.pattern if isinstance(given, re.Pattern) else ".*"
        values[name] = hole
    pattern = re.escape(texts.text(key, texts.LANGUAGE, **values))
    for hole, replacement in holes.items():
        pattern = pattern.replace(hole, replacement)
    return pattern


def ending(name: str) -> re.Pattern[str]:
    """A path that ends in `name`, wherever the test put it."""
    return re.compile(".*" + re.escape(name))
