"""Jinja filters for the template (cookiecutter puts this folder on sys.path)."""

from cookiecutter.utils import simple_filter


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
