"""Jinja extensions for the template (cookiecutter puts this folder on sys.path)."""

from __future__ import annotations

import re

from cookiecutter.utils import simple_filter
from jinja2 import Environment, TemplateSyntaxError
from jinja2.ext import Extension

# Azure ML endpoint names are unique per region and limited to 32 characters.
ENDPOINT_NAME_LENGTH = 32


@simple_filter
def quoted(value: object) -> str:
    """Render an answer as one double-quoted string literal.

    The result is valid in TOML basic strings, YAML double-quoted scalars and Python, so a
    name with quotes, backslashes or non-ASCII letters cannot break a generated file. The
    pre-generation hook has already rejected control characters, the only thing that would
    need a different escape in each of those languages.
    """
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@simple_filter
def azure_name(value: object, suffix: str) -> str:
    """An Azure ML endpoint name from the project slug: lower-case letters, digits and
    hyphens, starting with a letter, at most 32 characters, ending in `suffix`."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    if not cleaned[:1].isalpha():
        cleaned = f"ml-{cleaned}"
    stem = cleaned[: ENDPOINT_NAME_LENGTH - len(suffix) - 1].rstrip("-")
    return f"{stem}-{suffix}"


class LiteralAnswers(Extension):
    """Keep an answer that is not valid Jinja as literal text.

    cookiecutter renders every answer as a Jinja template before any hook runs (so that
    defaults can refer to other answers). A name such as "{% draft" would otherwise stop
    the bake with a Jinja traceback; kept literally, the hooks judge it like any other
    text. Template files are loaded by name and never pass through here.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._checking = False

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is not None or self._checking:
            return source
        self._checking = True  # parse() preprocesses too: do not recurse
        try:
            self.environment.parse(source)
        except TemplateSyntaxError:
            # repr() is a string literal Jinja reads back unchanged.
            return "{{ " + repr(source) + " }}"
        finally:
            self._checking = False
        return source
