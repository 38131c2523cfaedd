"""Property: any Unicode answer is refused in one readable line or renders a valid project.

Hypothesis generates project names, descriptions and author names from all of Unicode
(control characters, line separators, quotes, backslashes, Jinja braces, emoji, scripts
of every kind). No answer may make the bake fail any other way.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .conftest import TEMPLATE
from .test_render import check_parses

DISTRIBUTION_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")
ANSWER = st.text(max_size=40)


@contextmanager
def stderr_captured() -> Iterator[list[str]]:
    """The hooks run as subprocesses, so capture file descriptor 2 itself."""
    lines: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines += sink.read().decode("utf-8", "replace").splitlines()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure reproduces
)
@given(name=ANSWER, description=ANSWER, author=ANSWER)
# Text that is not valid Jinja: cookiecutter renders answers as templates.
@example(name="{% if draft %}", description="a {# b", author="}}{{")
@example(name="x{{'y", description="{% endraw %}", author="Ada")
@example(name="糖尿病 予測 \u2028", description="tab\tin", author='O\'Brien \\ "Q"')
def test_any_answers_are_refused_in_one_line_or_render(
    name: str, description: str, author: str
) -> None:
    answers = {"project_name": name, "description": description, "author_name": author}
    with tempfile.TemporaryDirectory() as output:
        with stderr_captured() as stderr:
            try:
                cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=output)
                refused = False
            except FailedHookException:
                refused = True
        if refused:
            errors = [line for line in stderr if line.startswith("error:")]
            assert len(errors) == 1, stderr
            assert list(Path(output).iterdir()) == []  # nothing left behind
            return
        (project,) = Path(output).iterdir()
        check_parses(project, answers=(name, description, author))
        metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
        assert DISTRIBUTION_NAME.match(metadata["name"]), metadata["name"]
        assert metadata["description"] == description
        (module,) = (project / "src").iterdir()
        assert module.name.isidentifier()
        assert module.name.isascii()
