from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import meta

import {{ cookiecutter.module_name }}
from {{ cookiecutter.module_name }}.core import texts
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.texts import Language, catalogue, text

PACKAGE = Path({{ cookiecutter.module_name }}.__file__).parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Keys named literally where a sentence is used: t("key") in templates, text("key") and
# figure_text("key") in Python.
LITERAL_KEY = re.compile(r"""\b(?:t|text|figure_text)\(\s*["']([\w.]+)["']\s*[,)]""")


def variables(snippet: str) -> set[str]:
    return meta.find_undeclared_variables(texts.SENTENCES.parse(snippet))


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_every_sentence_has_both_languages_with_the_same_values(key: str) -> None:
    english, japanese = catalogue("en")[key], catalogue("ja")[key]
    assert variables(english) == variables(japanese)
    # Japanese text, not English left untranslated (symbols like "r" excepted).
    words = re.sub(r"[{][{].*?[}][}]|`[^`]*`", "", english)
    if re.search(r"[A-Za-z]{3,}", words):
        assert JAPANESE.search(japanese), japanese


def test_the_catalogues_hold_the_same_keys() -> None:
    assert set(catalogue("en")) == set(catalogue("ja"))


def test_every_key_the_code_and_templates_name_is_in_the_catalogues() -> None:
    sources = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]
    named = {key for path in sources for key in LITERAL_KEY.findall(path.read_text("utf-8"))}
    assert named, "no sentence keys found: has the pattern above gone stale?"
    for language in texts.LANGUAGES:
        assert named <= set(catalogue(language)), named - set(catalogue(language))


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_english_plurals_and_values_fill_in(language: Language) -> None:
    one = text("finding.missing", language, count=1, worst="bmi", rate=0.25)
    assert "bmi" in one
    assert "25%" in one
    if language == "en":
        assert one.startswith("1 column has missing values")
        assert text("finding.missing", "en", count=3, worst="bmi", rate=0.5).startswith(
            "3 columns have"
        )


@pytest.fixture
def broken_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The project's sentences with a translator's edits in them, undone afterwards."""
    edited = dict(catalogue())
    texts.compiled.cache_clear()
    monkeypatch.setattr(texts, "catalogue", lambda language=texts.LANGUAGE: edited)
    yield edited
    texts.compiled.cache_clear()


# Jinja's delimiters, spelled so that cookiecutter leaves them alone in this file.
OPEN, CLOSE = "{" * 2, "}" * 2


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"finding.no_missing": f"{OPEN} unclosed"}, "finding.no_missing"),
        ({"finding.shape": f"{OPEN} row_count {CLOSE} rows"}, "'row_count' is undefined"),
    ],
)
def test_a_broken_sentence_is_named_in_one_line(
    broken_catalogue: dict[str, str], edit: dict[str, str], expected: str
) -> None:
    broken_catalogue.update(edit)
    (key,) = edit
    with pytest.raises(PipelineError, match=expected) as raised:
        text(key, rows=1, columns=1, numeric=1, categorical=0)
    assert "messages/" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_missing_sentence_is_named(broken_catalogue: dict[str, str]) -> None:
    del broken_catalogue["figures"]
    with pytest.raises(PipelineError, match="'figures': no such sentence"):
        text("figures")
