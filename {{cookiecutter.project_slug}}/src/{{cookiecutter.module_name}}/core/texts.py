"""The project's prose, kept out of Python: sentences in `messages/<language>.toml`,
page and report layouts in each layer's `templates/` folder (Jinja2).

LANGUAGE was chosen when the project was generated (docs_language); change it here to
switch the reports and the form page. Log lines and metrics.json stay in English, so
scripts can read them. A translator edits the catalogues and templates, never this file.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

Language = Literal["en", "ja"]
LANGUAGES: tuple[Language, ...] = ("en", "ja")
LANGUAGE: Language = "{{ cookiecutter.docs_language }}"
PACKAGE = __name__.rsplit(".", 2)[0]


@cache
def catalogue(language: Language = LANGUAGE) -> dict[str, str]:
    """Every sentence of one language, by key; each value is a Jinja snippet."""
    source = files(PACKAGE).joinpath("messages", f"{language}.toml")
    return tomllib.loads(source.read_text(encoding="utf-8"))


def format_value(value: object, spec: str) -> str:
    """The `fmt` filter of the sentences and templates: a Python format spec, e.g. ".0%"."""
    return format(value, spec)


# Sentences are filled in unescaped: the page templates escape what they insert.
SENTENCES = Environment(undefined=StrictUndefined, autoescape=False)
SENTENCES.filters["fmt"] = format_value


@cache
def compiled(language: Language, key: str) -> Template:
    return SENTENCES.from_string(catalogue(language)[key])


def text(key: str, language: Language = LANGUAGE, **values: object) -> str:
    """The sentence `key` in `language`, with `values` filled in."""
    return compiled(language, key).render(values)


@cache
def environment(layer: str) -> Environment:
    """The Jinja environment of one layer's templates folder (reports, serving). HTML is
    escaped, Markdown is not; a missing value is an error rather than an empty string."""
    rendering = Environment(
        loader=PackageLoader(f"{PACKAGE}.{layer}", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    rendering.filters["fmt"] = format_value
    rendering.globals["t"] = text
    rendering.globals["language"] = LANGUAGE
    return rendering
