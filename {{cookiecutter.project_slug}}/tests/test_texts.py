from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import meta, nodes

import {{ cookiecutter.module_name }}
from {{ cookiecutter.module_name }}.core import texts
from {{ cookiecutter.module_name }}.core.dataset import load_prepared
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import MODEL_CARD_FILE
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import LANGUAGE, Language, catalogue, text
from {{ cookiecutter.module_name }}.stages.pipeline import run_all, run_monitor

from .conftest import ProjectFactory

PACKAGE = Path({{ cookiecutter.module_name }}.__file__).parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# The functions that take a catalogue key, and which of their arguments it is.
SENTENCE_CALLS = {"t": 0, "text": 0, "figure_text": 0, "plain": 0, "command": 1}


def strings_in(first_argument: list[str]) -> set[str]:
    """Keys among the strings of a call's first argument: both sides of a conditional
    count; a prefix joined to a value at run time ("service." ~ step) is not a key."""
    return {value for value in first_argument if not value.endswith(".")}


def keys_in_python(source: str, calls: dict[str, int] = SENTENCE_CALLS) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in calls
            and len(node.args) > calls[node.func.id]
        ):
            constants = [
                item.value
                for item in ast.walk(node.args[calls[node.func.id]])
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            ]
            found |= strings_in(constants)
    return found


def keys_in_template(source: str) -> set[str]:
    found: set[str] = set()
    for call in texts.sentences().parse(source).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in SENTENCE_CALLS and call.args:
            first = call.args[0]
            constants = [first, *first.find_all(nodes.Const)]
            found |= strings_in(
                [item.value for item in constants if isinstance(item, nodes.Const)
                 and isinstance(item.value, str)]
            )  # fmt: skip
    return found


def variables(snippet: str) -> set[str]:
    return meta.find_undeclared_variables(texts.sentences().parse(snippet))


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_every_sentence_has_both_languages_with_the_same_values(key: str) -> None:
    english, japanese = catalogue("en")[key], catalogue("ja")[key]
    assert variables(english) == variables(japanese)
    # text(key, language, **values) could not be given these.
    assert not variables(english) & {"key", "language"}, key
    # Japanese text, not English left untranslated (symbols like "r" excepted).
    words = re.sub(r"[{][{].*?[}][}]|`[^`]*`", "", english)
    if re.search(r"[A-Za-z]{3,}", words):
        assert JAPANESE.search(japanese), japanese


def test_the_catalogues_hold_the_same_keys() -> None:
    assert set(catalogue("en")) == set(catalogue("ja"))


def test_every_key_the_code_and_templates_name_is_in_the_catalogues() -> None:
    named: set[str] = set()
    for module in PACKAGE.rglob("*.py"):
        named |= keys_in_python(module.read_text(encoding="utf-8"))
    for template in PACKAGE.rglob("*.j2"):
        named |= keys_in_template(template.read_text(encoding="utf-8"))
    # Both branches of a conditional are seen, not only the one a run takes.
    assert {"decision.beats", "decision.does_not_beat", "verdict.missed"} <= named
    for language in texts.LANGUAGES:
        assert named <= set(catalogue(language)), named - set(catalogue(language))


def test_sentences_read_plain_have_nothing_to_fill_in() -> None:
    """`plain` (the command line's help) shows a sentence as written: markup in it would
    reach the terminal as braces."""
    read_plain: set[str] = set()
    for module in PACKAGE.rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        read_plain |= keys_in_python(source, {"plain": 0, "command": 1})
    assert {"help.app", "help.option.root", "help.train", "cli.error"} <= read_plain
    for language in texts.LANGUAGES:
        for key in sorted(read_plain):
            assert variables(catalogue(language)[key]) == set(), key
            assert text(key, language) == catalogue(language)[key], key


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


# Four English words in a row: a sentence left in English (a name or a metric is one word).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{3,}(?:[\s,/()-]+[A-Za-z]{2,}){3,}")

# Errors that stay in English in every language: the catalogue's own (it cannot report
# itself), the Azure ML layer's and MLflow's (about services documented in English), and
# the API's (clients read them).
ENGLISH_ERRORS = ("core/texts.py", "azureml/", "registry/mlflow_", "serving/schema.py")


def written_words(node: ast.AST) -> Iterator[str]:
    """The text an expression writes itself, not what a call inside it returns (a
    catalogue key is a call's argument)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif not isinstance(node, ast.Call):
        for child in ast.iter_child_nodes(node):
            yield from written_words(child)


def test_errors_are_catalogue_sentences() -> None:
    """A mistake the user can make is told in the project's language: no error message
    is an English sentence written into the code."""
    written_in_code = []
    for module in sorted(PACKAGE.rglob("*.py")):
        relative = module.relative_to(PACKAGE).as_posix()
        if relative.startswith(ENGLISH_ERRORS):
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"PipelineError", "ValueError"}
                and node.args
            ):
                words = " ".join(written_words(node.args[0]))
                if len(re.findall(r"[A-Za-z]{2,}", words)) >= 3:
                    written_in_code.append(f"{relative}:{node.lineno}: {words}")
    assert written_in_code == []


def prose_lines(markdown: str) -> Iterator[str]:
    """What a reader reads as sentences: no front matter, code, inline code or link targets."""
    body = markdown.split("---\n", 2)[2] if markdown.startswith("---\n") else markdown
    in_code = False
    for line in body.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code:
            yield re.sub(r"`[^`]*`|\]\([^)]*\)", "", line)


@pytest.fixture(scope="module")
def written(make_project: ProjectFactory) -> ProjectPaths:
    """The sample through every stage, once for the module: the reports it wrote."""
    paths = make_project()
    for _ in run_all(paths):
        pass
    # And the monitoring report, on recent rows with a feature shifted: every part shows.
    recent = load_prepared(paths.interim).train
    recent[recent.columns[0]] = recent[recent.columns[0]] * 2
    recent.to_csv(paths.root / "recent.csv", index=False)
    run_monitor(paths, batch=paths.root / "recent.csv")
    return paths


def test_the_reports_and_decisions_speak_the_projects_language(written: ProjectPaths) -> None:
    documents = {
        name: path.read_text(encoding="utf-8")
        for name, path in {
            "analysis report": written.docs / "02_analysis_report.md",
            "test report": written.docs / "06_test_report.md",
            "model card": written.reports / MODEL_CARD_FILE,
            "monitoring report": written.docs / "07_monitoring_report.md",
        }.items()
    }
    metrics = json.loads((written.reports / "metrics.json").read_text(encoding="utf-8"))
    documents["decision"] = "\n".join(metrics["decision"]["reasons"])
    for name, document in documents.items():
        for line in prose_lines(document):
            if LANGUAGE == "ja":
                assert not ENGLISH_SENTENCE.search(line), f"{name}: {line}"
            else:
                assert not JAPANESE.search(line), f"{name}: {line}"
