"""The project's prose, kept out of Python: sentences in `messages/<language>.toml`,
page and report layouts in each layer's `templates/` folder (Jinja2).

LANGUAGE was chosen when the project was generated (docs_language); change it here to
switch the reports, the form page and the command line's help and messages. Keys in
metrics.json and the stage names that open each printed line stay in English, so scripts
can read them. A translator edits the catalogues and templates, never this file.

Jinja is imported on first use: the command line reads its help from the catalogue, and
`--help` should not wait for a template engine it does not need.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Literal

from .errors import PipelineError

if TYPE_CHECKING:
    from jinja2 import Environment, Template

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


def plain(key: str, language: Language = LANGUAGE) -> str:
    """The sentence `key` as the catalogue holds it, read without loading Jinja: what the
    command line's help uses (a test checks those sentences have nothing to fill in)."""
    sentences = catalogue(language)
    if key not in sentences:
        raise PipelineError(
            f"{catalogue_name(language)}, {key!r}: no such sentence "
            "(en.toml and ja.toml hold the same keys)"
        )
    return sentences[key]


@cache
def sentences() -> Environment:
    """The Jinja environment sentences are compiled in. They are filled in unescaped:
    the page templates escape what they insert."""
    from jinja2 import Environment, StrictUndefined

    filling = Environment(undefined=StrictUndefined, autoescape=False)
    filling.filters["fmt"] = format_value
    return filling


@cache
def compiled(language: Language, key: str) -> Template:
    """A sentence ready to fill in; an edit that broke it is named, file and key."""
    from jinja2 import TemplateSyntaxError

    source = plain(key, language)
    try:
        return sentences().from_string(source)
    except TemplateSyntaxError as error:
        raise PipelineError(f"{catalogue_name(language)}, {key!r}: {error.message}") from None


def text(key: str, language: Language = LANGUAGE, **values: object) -> str:
    """The sentence `key` in `language`, with `values` filled in."""
    from jinja2 import UndefinedError

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
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

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
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError

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
