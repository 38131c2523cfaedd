"""Jinja extensions for the template (cookiecutter puts this folder on sys.path)."""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cookiecutter.utils import simple_filter
from jinja2 import Environment, TemplateSyntaxError
from jinja2.ext import Extension
from slugify import slugify

from answer_checks import NameRules, first_problem

# The limits answer_checks.py enforces, declared in cookiecutter.json beside this file:
# a derived name must meet them.
DECLARED = json.loads(Path(__file__).with_name("cookiecutter.json").read_text(encoding="utf-8"))
RULES = NameRules.declared(DECLARED)
# Azure ML endpoint names are unique per region and limited to 32 characters.
ENDPOINT_NAME_LENGTH = 32


def string_literal(value: object) -> str:
    """An answer as one double-quoted string literal.

    The result is valid in TOML basic strings, YAML double-quoted scalars and Python, so a
    name with quotes, backslashes or non-ASCII letters cannot break a generated file.
    answer_checks.py has already rejected control characters, the only thing that would
    need a different escape in each of those languages.
    """
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@simple_filter
def quoted(value: object) -> str:
    """`string_literal` as a filter: {{ cookiecutter.project_name | quoted }}."""
    return string_literal(value)


def display_width(text: str) -> int:
    """Columns a line takes, as ruff counts them: wide (East Asian) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def python_constant_source(value: object, name: str, line_length: int = 100) -> str:
    """`NAME = "value"` as Python that passes ruff's line length and formatter whatever
    the answer's length: on one line when it fits, else split at spaces into adjacent
    string literals inside parentheses (each piece quoted like `quoted`). `fmt: skip`
    keeps the formatter from re-quoting an answer that contains double quotes."""
    single = f"{name} = {string_literal(value)}  # fmt: skip"
    if display_width(single) <= line_length:
        return single
    room = line_length - 4 - 2  # indentation and the two quotes
    pieces: list[str] = []
    current = ""
    for word in re.split(r"(?<= )", str(value)):  # keep each space with its word
        escaped = string_literal(word)[1:-1]
        while display_width(escaped) > room:  # one word longer than a line: cut it
            cut = len(escaped)
            while display_width(escaped[:cut]) > room or escaped[:cut].endswith("\\"):
                cut -= 1
            if current:
                pieces.append(current)
                current = ""
            pieces.append(escaped[:cut])
            escaped = escaped[cut:]
        if current and display_width(current + escaped) > room:
            pieces.append(current)
            current = ""
        current += escaped
    pieces.append(current)
    body = "".join(f'    "{piece}"\n' for piece in pieces if piece)
    return f"{name} = (\n{body})  # fmt: skip"


@simple_filter
def python_constant(value: object, name: str) -> str:
    """`python_constant_source` as a filter: {{ answer | python_constant("NAME") }}."""
    return python_constant_source(value, name)


@simple_filter
def azure_name(value: object, suffix: str) -> str:
    """An Azure ML endpoint name from the project slug: lower-case letters, digits and
    hyphens, starting with a letter, at most 32 characters, ending in `suffix`."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    if not cleaned[:1].isalpha():
        cleaned = f"ml-{cleaned}"
    stem = cleaned[: ENDPOINT_NAME_LENGTH - len(suffix) - 1].rstrip("-")
    return f"{stem}-{suffix}"


# Kana (hiragana, katakana, half-width katakana) and kanji.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def readable_in_latin(name: str) -> str:
    """`name` with its Japanese words in their Hepburn readings, read by pykakasi when it
    is installed beside cookiecutter: slugify's own transliteration reads kanji as
    Mandarin (糖尿病 as tang-niao-bing). Without pykakasi the Japanese words are left out,
    and the prompt's default shows what remains for the user to correct."""
    if not JAPANESE.search(name):
        return name
    try:
        import pykakasi  # optional: only Japanese names need it
    except ImportError:
        return JAPANESE.sub(" ", name)
    return " ".join(part["hepburn"] for part in pykakasi.kakasi().convert(name))


def slug_of(name: str, max_length: int) -> str:
    """A distribution name for a project name, cut at a word, or "project" when the name
    leaves no letter or digit to build one from."""
    slug = slugify(
        readable_in_latin(name), max_length=max_length, word_boundary=True, save_order=True
    )
    return slug or "project"


def module_of(slug: str, reserved: list[str], max_length: int) -> str:
    """A package name derived from the slug that answer_checks.py accepts:
    "project_" before a leading digit (2024-forecast), "_project" after a keyword or a
    module the project imports (test, json, pandas). Only a name the user typed can be
    refused."""
    name = re.sub(r"[^a-z0-9_]+", "_", slug.lower()).strip("_") or "project"
    if name[0].isdigit():
        name = f"project_{name}"
    clashes = set(reserved) | set(sys.stdlib_module_names)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in clashes:
        name = f"{name}_project"
    return name[:max_length].rstrip("_")


@simple_filter
def project_slug(value: object) -> str:
    """`slug_of` as a filter: {{ cookiecutter.project_name | project_slug }}."""
    return slug_of(str(value), RULES.max_length)


@simple_filter
def module_name(value: object) -> str:
    """`module_of` as a filter, on the slug: {{ cookiecutter.project_slug | module_name }}."""
    return module_of(str(value), sorted(RULES.reserved_modules), RULES.max_length)


@simple_filter
def refuse_bad_answers(context: Mapping[str, Any]) -> str:
    """Stop the bake with one line naming the first answer at fault (answer_checks.py);
    nothing when every answer holds. cookiecutter.json's last entry runs it once every
    question is answered, before anything is written: a hook's refusal would come with
    cookiecutter's own traceback."""
    problem = first_problem(context)
    if problem is None:
        return ""
    print(f"error: {problem}", file=sys.stderr, flush=True)
    raise SystemExit(1)


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
