"""Every valid combination of every option, rendered file by file, each distinct text once.

A project has thousands of valid answer combinations, but each template file reads only
a few options: rendering every file under every combination of the options it reads
(and what `_requires` adds to them) covers every combination of every option, and two
combinations that render a file identically are checked once. cookiecutter's own
context and Jinja environment do the rendering, as in a bake.
"""

from __future__ import annotations

import copy
import itertools
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context
from jinja2 import FileSystemLoader

from .conftest import CHOICES, COOKIECUTTER_JSON, TEMPLATE, allowed, compatible

PROJECT_FOLDER = "{{cookiecutter.project_slug}}"
SHARED = "templates"  # what project files include, as cookiecutter names that folder
OPTION_USE = re.compile(r"cookiecutter\.(\w+)")


@dataclass(frozen=True)
class Render:
    path: str  # the rendered path, relative to the project
    text: str
    answers: tuple[tuple[str, str], ...]  # one combination that renders this text

    def where(self) -> str:
        """The file and a combination that renders it, for failure messages."""
        return f"{self.path} ({', '.join(f'{key}={value}' for key, value in self.answers)})"


@cache
def default_context(template: Path = TEMPLATE) -> dict[str, Any]:
    """The context a `--no-input` bake renders with: derived answers included."""
    if str(template) not in sys.path:
        sys.path.insert(0, str(template))  # local_extensions, as cookiecutter does
    generated = generate_context(str(template / "cookiecutter.json"))
    context = {"cookiecutter": generated["cookiecutter"]}
    context["cookiecutter"] = dict(prompt_for_config(context, no_input=True))
    return context


@cache
def environment(template: Path) -> Any:
    """cookiecutter's Jinja environment for the template, loading its project files; one
    per template, so each file is parsed once however often it is rendered."""
    rendering = create_env_with_context(default_context(template))
    # As cookiecutter searches: the project folder, then the shared templates/ beside it.
    rendering.loader = FileSystemLoader([str(template / PROJECT_FOLDER), str(template / SHARED)])
    return rendering


def included_sources(template: Path, source: str) -> str:
    """The shared templates a file includes (their names are built from options, so all
    of them): the options they read are options the including file depends on."""
    if "{% include" not in source:
        return ""
    shared = sorted((template / SHARED).rglob("*"))
    return "".join(path.read_text(encoding="utf-8") for path in shared if path.is_file())


def copied_verbatim(relative: str) -> bool:
    """Files cookiecutter.json's `_copy_without_render` names."""
    patterns = COOKIECUTTER_JSON.get("_copy_without_render", [])
    return any(Path(PROJECT_FOLDER, relative).match(p) for p in patterns)


def combinations_for(text: str) -> list[dict[str, str]]:
    """Every allowed combination of the choice options `text` reads."""
    used = sorted({name for name in OPTION_USE.findall(text) if name in CHOICES})
    rows = [dict(zip(used, values, strict=True)) for values in itertools.product(
        *(CHOICES[name] for name in used)
    )]  # fmt: skip
    return [row for row in rows if allowed(row)]


@cache
def all_renders(template: Path = TEMPLATE) -> tuple[Render, ...]:
    """Each template file under each combination of the options it reads, deduplicated."""
    defaults = default_context(template)["cookiecutter"]
    rendering = environment(template)
    project = template / PROJECT_FOLDER
    seen: set[tuple[str, str]] = set()
    renders: list[Render] = []
    for path in sorted(project.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(project).as_posix()
        source = path.read_text(encoding="utf-8")
        for row in combinations_for(relative + source + included_sources(template, source)):
            values = copy.deepcopy(defaults) | compatible(row)
            rendered_path = rendering.from_string(relative).render(cookiecutter=values)
            text = (
                source
                if copied_verbatim(relative)
                else rendering.get_template(relative).render(cookiecutter=values)
            )
            if (rendered_path, text) not in seen:
                seen.add((rendered_path, text))
                renders.append(Render(rendered_path, text, tuple(sorted(row.items()))))
    return tuple(renders)


def render_with(relative: str, answers: dict[str, str], template: Path = TEMPLATE) -> str:
    """One template file rendered with these answers (the rest at their defaults)."""
    values = copy.deepcopy(default_context(template)["cookiecutter"]) | compatible(answers)
    return str(environment(template).get_template(relative).render(cookiecutter=values))


def write_renders(renders: list[Render], folder: Path) -> dict[Path, Render]:
    """Each render in a folder of its own under `folder`, at its rendered path."""
    written: dict[Path, Render] = {}
    for number, render in enumerate(renders):
        target = folder / f"{number:05d}" / render.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render.text, encoding="utf-8")
        written[target] = render
    return written


def default_render(relative: str, template: Path = TEMPLATE) -> str:
    """One template file as the default bake renders it."""
    return render_with(relative, {}, template)


def values_keeping(rendered_path: str, module: str) -> dict[str, list[str]]:
    """For each option whose `_conditional_paths` list this file (or a folder holding it),
    the values that keep it: a CI file of one provider exists only with that provider."""
    keeping: dict[str, list[str]] = {}
    for option, by_value in COOKIECUTTER_JSON["_conditional_paths"].items():
        values = [
            value
            for value, paths in by_value.items()
            if any(
                rendered_path == path.format(module=module)
                or rendered_path.startswith(path.format(module=module) + "/")
                for path in paths
            )
        ]
        if values:
            keeping[option] = values
    return keeping
