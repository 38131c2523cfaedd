from __future__ import annotations

import re
import string

import pytest

from {{ cookiecutter.module_name }}.reports.texts import TEXTS

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_has_both_languages_with_the_same_fields(key: str) -> None:
    english, japanese = TEXTS[key]["en"], TEXTS[key]["ja"]
    assert fields(english) == fields(japanese)
    # Japanese text, not English left untranslated (symbols like "r" excepted).
    if re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}|`[^`]*`", "", english)):
        assert JAPANESE.search(japanese), japanese
