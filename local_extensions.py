"""Jinja extensions for the template (cookiecutter puts this folder on sys.path)."""

from __future__ import annotations

from cookiecutter.utils import simple_filter
from jinja2 import Environment, TemplateSyntaxError
from jinja2.ext import Extension


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
