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

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    select_autoescape,
)

from .errors import PipelineError

Language = Literal["en", "ja"]
LANGUAGES: tuple[Language, ...] = ("en", "ja")
LANGUAGE: Language = "{{ cookiecutter.docs_language }}"
PACKAGE = __name__.rsplit(".", 2)[0]


def catalogue_name(language: Language) -> str:
    return f"src/{PACKAGE}/messages/{language}.toml"


@cache
def catalogue(language: Language = LANGUAGE) -> dict[str, str]:
    """Every sentence of one language, by key; each value is a Jinja snippet."""
    source = files(PACKAGE).joinpath("messages", f"{language}.toml")
    try:
        sentences = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PipelineError(f"{catalogue_name(language)} is not valid TOML: {error}") from None
    for key, sentence in sentences.items():
        if not isinstance(sentence, str):
            raise PipelineError(f"{catalogue_name(language)}, {key!r}: not a quoted sentence")
    return sentences


def format_value(value: object, spec: str) -> str:
    """The `fmt` filter of the sentences and templates: a Python format spec, e.g. ".0%"."""
    return format(value, spec)


# Sentences are filled in unescaped: the page templates escape what they insert.
SENTENCES = Environment(undefined=StrictUndefined, autoescape=False)
SENTENCES.filters["fmt"] = format_value


@cache
def compiled(language: Language, key: str) -> Template:
    """A sentence ready to fill in; an edit that broke it is named, file and key."""
    where = f"{catalogue_name(language)}, {key!r}"
    sentences = catalogue(language)
    if key not in sentences:
        raise PipelineError(f"{where}: no such sentence (en.toml and ja.toml hold the same keys)")
    try:
        return SENTENCES.from_string(sentences[key])
    except TemplateSyntaxError as error:
        raise PipelineError(f"{where}: {error.message}") from None


def text(key: str, language: Language = LANGUAGE, **values: object) -> str:
    """The sentence `key` in `language`, with `values` filled in."""
    template = compiled(language, key)
    where = f"{catalogue_name(language)}, {key!r}"
    try:
        return template.render(values)
    except UndefinedError as error:
        raise PipelineError(f"{where}: {error.message} (given: {', '.join(values)})") from None
    except (ValueError, TypeError) as error:  # e.g. fmt('.2q'), or fmt('.2f') on a word
        raise PipelineError(f"{where}: {error}") from None


@cache
def environment(layer: str) -> Environment:
    """The Jinja environment of one layer's templates folder (reports, serving). HTML is
    escaped, Markdown is not; a missing value is an error rather than an empty string."""
    rendering = Environment(
        loader=PackageLoader(f"{PACKAGE}.{layer}", "templates"),
        # Names end in .html.j2: the extension that decides escaping is the one before .j2.
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    rendering.filters["fmt"] = format_value
    rendering.globals["t"] = text
    rendering.globals["language"] = LANGUAGE
    return rendering


def render_template(layer: Environment, name: str, context: dict[str, object]) -> str:
    """One of a layer's templates filled in; a broken edit is named, file and line."""
    try:
        return layer.get_template(name).render(context)
    except TemplateSyntaxError as error:
        where = f"{error.filename or name}:{error.lineno}"
        raise PipelineError(f"{where}: {error.message}") from None
    except TemplateNotFound as error:
        raise PipelineError(f"{name}: the template {error.name!r} it uses is missing") from None
    except UndefinedError as error:
        raise PipelineError(f"{name}: {error.message}") from None
    except (ValueError, TypeError) as error:
        raise PipelineError(f"{name}: {error}") from None
