"""Fast tier: the workshop path renders in both languages. Notebooks are valid nbformat
with their outputs stripped, and the Japanese documents hold no English sentences left
over from the English ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from .combinations import render_with
from .conftest import CHOICES, bake

LATIN_WORDS = re.compile(r"[A-Za-z]{3,}(?:\s+[A-Za-z]{2,}){3,}")  # four or more English words
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


# The three parts each notebook opens with, as the workshop's material names them.
SHAPE = {
    "en": ("What.", "Why.", "How."),
    "ja": ("なにをするのか。", "なぜやるのか。", "どうやるのか。"),
}
NEEDED_CELLS = [
    ("exercise", "markdown"),
    ("exercise", "code"),
    ("figure", "code"),
    ("communication", "markdown"),
]


def tags_of(cell: Any) -> list[str]:
    tags: list[str] = cell.metadata.get("tags", [])
    return tags


def prose_lines(markdown: str) -> list[str]:
    """Lines a reader reads: no front matter, code blocks, inline code or link targets."""
    body = markdown.split("---\n", 2)[2] if markdown.startswith("---\n") else markdown
    lines = []
    in_code = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and not line.startswith("    "):
            lines.append(re.sub(r"`[^`]*`|\([^)]*\)", "", line))
    return lines


@pytest.mark.parametrize("language", CHOICES["docs_language"])
def test_notebooks_are_valid_and_stripped(cookies: Any, language: str) -> None:
    project, context = bake(cookies, notebooks="yes", docs_language=language)
    notebooks = sorted((project / "notebooks").glob("*.ipynb"))
    assert [path.name[:2] for path in notebooks] == ["01", "02", "03", "04", "05", "06"]
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(not cell.outputs and cell.execution_count is None for cell in code)
        # They call the package, so notebook and CLI never drift apart; the first code
        # cell finds the project and prepares the data, so each runs on its own.
        assert f"from {context['module_name']}.workshop import open_workshop" in code[0].source
        title = notebook.cells[0].source
        assert bool(JAPANESE.search(title)) == (language == "ja"), path.name
        # The workshop's shape: what / why / how, an exercise to edit and re-run, a figure,
        # and the communication exercise (tests/notebook_checks.py checks the outputs).
        assert all(f"**{part}" in title for part in SHAPE[language]), path.name
        kinds = {(tag, cell.cell_type) for cell in notebook.cells for tag in tags_of(cell)}
        for needed in NEEDED_CELLS:
            assert needed in kinds, f"{path.name}: no {needed[1]} cell tagged {needed[0]}"


def hard_wrapped(markdown: str) -> list[str]:
    """Japanese prose lines that stop mid-sentence: a line break inside a paragraph
    renders as a stray space, so a line of prose ends a sentence (or is a heading, an
    item, a table row, an image or indented code)."""
    return [
        line
        for line in prose_lines(markdown)
        if JAPANESE.search(line[-1:])
        and not line.endswith(("。", "\uff09", "」"))
        and not line.startswith(("|", "#", "-", "![", "    "))
    ]


def test_japanese_documents_have_no_english_sentences(cookies: Any) -> None:
    project, _ = bake(cookies, docs_language="ja", notebooks="yes")
    documents = [*(project / "docs").glob("*.md")]
    assert len(documents) >= 2
    for document in documents:
        for line in prose_lines(document.read_text(encoding="utf-8")):
            assert not LATIN_WORDS.search(line), f"{document.name}: {line}"
        assert not hard_wrapped(document.read_text(encoding="utf-8")), document.name
    for path in (project / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                prose = " ".join(prose_lines(cell.source))
                assert not LATIN_WORDS.search(prose), f"{path.name}: {prose[:80]}"


def test_english_documents_are_english(cookies: Any) -> None:
    project, _ = bake(cookies, docs_language="en")
    for document in [*(project / "docs").glob("*.md"), project / "README.md"]:
        assert not JAPANESE.search(document.read_text(encoding="utf-8")), document.name


# The README's branches: each option that changes its prose, in one of these bakes.
README_VARIANTS = [
    {"notebooks": "yes"},
    {"package_manager": "pip", "ci": "gitlab", "tracking": "mlflow", "task": "classification"},
    {"compute": "azureml", "tracking": "mlflow", "ci": "azure-devops", "serving": "none"},
]


@pytest.mark.parametrize("answers", README_VARIANTS)
def test_the_japanese_readme_is_japanese_all_the_way_through(
    cookies: Any, answers: dict[str, str]
) -> None:
    project, _ = bake(cookies, docs_language="ja", **answers)
    readme = (project / "README.md").read_text(encoding="utf-8")
    for line in prose_lines(readme):
        assert not LATIN_WORDS.search(line), line
    assert not hard_wrapped(readme)


README_TEMPLATES = Path(__file__).parent.parent / "templates" / "readme"
STATEMENT = re.compile(r"{%-?\s*((?:if|elif|else|endif|for|endfor)\b[^%]*?)\s*-?%}")
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
COMMENT = re.compile(r"\s*#(?!!).*$", re.MULTILINE)  # a shell or YAML comment, not a shebang


def test_the_readme_says_the_same_in_both_languages() -> None:
    """The English and Japanese READMEs are one document: the same branches on the
    options, in the same order, and the same commands (only their comments translated)."""
    english, japanese = (
        (README_TEMPLATES / f"{language}.md").read_text(encoding="utf-8")
        for language in CHOICES["docs_language"]
    )
    assert STATEMENT.findall(english) == STATEMENT.findall(japanese)
    commands = [
        [COMMENT.sub("", block).rstrip() for block in FENCE.findall(readme)]
        for readme in (english, japanese)
    ]
    assert commands[0] == commands[1]


def test_readme_opens_with_the_process_map(cookies: Any) -> None:
    project, _ = bake(cookies, notebooks="yes")
    readme = (project / "README.md").read_text(encoding="utf-8")
    map_start = readme.index("## ")
    process_map = readme[map_start : readme.index("## ", map_start + 3)]
    for number, notebook in enumerate(sorted(Path(project / "notebooks").glob("*.ipynb")), 1):
        assert f"notebooks/{notebook.name}" in process_map
        assert f"| 0{number} |" in process_map


@pytest.mark.parametrize("language", CHOICES["docs_language"])
def test_facilitator_guide_maps_each_challenge_to_commands_that_exist(
    cookies: Any, language: str
) -> None:
    project, context = bake(
        cookies,
        docs_language=language,
        notebooks="yes",
        compute="azureml",
        tracking="mlflow",
        ci="github",
    )
    guide = (project / "docs" / "facilitator.md").read_text(encoding="utf-8")
    challenges = [line for line in guide.splitlines() if re.match(r"\| 0[1-7] \| ", line)]
    assert len(challenges) == 7, challenges  # local training ... retraining
    written_by_stages = {"docs/02_analysis_report.md", "docs/06_test_report.md"}
    noxfile = (project / "noxfile.py").read_text(encoding="utf-8")
    sessions = set(re.findall(r"@nox\.session[^\n]*\ndef (\w+)", noxfile))
    for session in re.findall(r"nox -s (\w+)", guide):
        assert session in sessions, f"`nox -s {session}` is not a session of the noxfile"
    for path in re.findall(r"`((?:notebooks|docs|azureml|\.github/workflows)/[^`*]+)`", guide):
        assert path in written_by_stages or (project / path).exists(), path
    module = context["module_name"]
    assert f"python -m {module}.azureml.specs azureml" in guide


@pytest.mark.parametrize(
    "answers",
    [
        {"task": task, "compute": compute}
        for task in CHOICES["task"]
        for compute in CHOICES["compute"]
    ],
)
def test_params_yaml_holds_the_same_settings_in_both_languages(answers: dict[str, str]) -> None:
    """params.yaml is one template per language (templates/params/): the same keys and
    values under every branch, and the Japanese one's comments in Japanese."""
    english = render_with("params.yaml", {**answers, "docs_language": "en"})
    japanese = render_with("params.yaml", {**answers, "docs_language": "ja"})
    assert yaml.safe_load(japanese) == yaml.safe_load(english)
    for comment in re.findall(r"#(.*)$", japanese, re.MULTILINE):
        assert not LATIN_WORDS.search(re.sub(r"`[^`]*`", "", comment)), comment
