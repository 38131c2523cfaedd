"""Property: any Unicode answer is refused in one readable line or renders a valid project.

Hypothesis generates every free-text answer cookiecutter.json declares as text or name
(`_validators`) from all of Unicode (control characters, line separators, quotes,
backslashes, Jinja braces, emoji, scripts of every kind). No answer may make the bake
fail any other way. A new free-text option is fuzzed the day it is declared.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path

from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .conftest import COOKIECUTTER_JSON, TEMPLATE
from .test_render import check_parses

DISTRIBUTION_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")
ANSWER = st.text(max_size=40)
# Free text a person types: the answers whose declared check is "text" or "name".
TEXT_ANSWERS = [
    key for key, kind in COOKIECUTTER_JSON["_validators"].items() if kind in ("text", "name")
]


@contextmanager
def stderr_captured() -> Iterator[list[str]]:
    """Refusals print in this process (answer_checks.py, to sys.stderr) or in a hook's
    subprocess (to file descriptor 2): capture both."""
    lines: list[str] = []
    written = io.StringIO()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            with redirect_stderr(written):
                yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines += written.getvalue().splitlines()
            lines += sink.read().decode("utf-8", "replace").splitlines()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure reproduces
)
@given(answers=st.fixed_dictionaries(dict.fromkeys(TEXT_ANSWERS, ANSWER)))
# Text that is not valid Jinja: cookiecutter renders answers as templates.
@example(answers={"project_name": "{% if draft %}", "description": "a {# b", "author_name": "}}{{"})
@example(answers={"project_name": "x{{'y", "description": "{% endraw %}", "author_name": "Ada"})
@example(
    answers={
        "project_name": "糖尿病 予測 \u2028",
        "description": "tab\tin",
        "author_name": 'O\'Brien \\ "Q"',
    }
)
def test_any_answers_are_refused_in_one_line_or_render(answers: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as output:
        with stderr_captured() as stderr:
            try:
                cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=output)
                refused = False
            except SystemExit as refusal:  # answer_checks.py, once every question is answered
                refused = refusal.code == 1
        if refused:
            errors = [line for line in stderr if line.startswith("error:")]
            assert len(errors) == 1, stderr
            assert list(Path(output).iterdir()) == []  # nothing left behind
            return
        (project,) = Path(output).iterdir()
        check_parses(project, answers=tuple(answers.values()))
        metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
        assert DISTRIBUTION_NAME.match(metadata["name"]), metadata["name"]
        assert metadata["description"] == answers["description"]
        (module,) = (project / "src").iterdir()
        assert module.name.isidentifier()
        assert module.name.isascii()


def test_every_free_text_option_declares_its_check() -> None:
    # An option with a text default (not a list of choices) is typed by a person: the
    # answer checks (answer_checks.py) check it only when `_validators` names its kind.
    free_text = {
        key for key, value in COOKIECUTTER_JSON.items() if isinstance(value, str) and key[0] != "_"
    }
    assert free_text == set(COOKIECUTTER_JSON["_validators"])
