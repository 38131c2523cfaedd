"""Deep tier: a pairwise covering set of variants, each installed and run as a user would.

The variants come from cookiecutter.json through covertable, so a new option is covered
without new test code. Each variant is baked, installed into its own fresh virtual
environment as its README says (uv, or pip: pip itself in one variant, its steps through
uv's pip interface in the others), linted, type-checked, tested and trained; the default
variant goes through its own nox sessions, pre-commit hooks and deploy session, has its
Dockerfile's commands replayed, then has defects planted that its tests must catch.
compute=azureml variants run their Azure ML jobs (pipeline, sweep, one-stage jobs) in
their own generated tests.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from covertable import criteria
from covertable.main import Controller
from packaging.specifiers import SpecifierSet

from .conftest import (
    CHOICES,
    DEFAULTS,
    EACH_VALUE_ONCE,
    REQUIRES,
    allowed,
    bake,
    variant_id,
)
from .dockerfile_replay import replay_dockerfile
from .monitoring_check import check_monitoring, check_scheduled_monitoring
from .mypy_caches import MypyCaches
from .own_data import CLASSES as OWN_CLASSES
from .own_data import switch_to_own_data, write_table
from .shell import clean_env, sh, system_python

pytestmark = pytest.mark.deep


# cookiecutter.json's `_each_value_once` options (a license, the CI provider's files):
# the fast tier checks every combination of their files with the other options (parse,
# schema, zizmor, hadolint, mypy on each noxfile, every CI step calling a session), so
# pairing them here would add variants of minutes each that run nothing new (the CI
# provider alone, 4 values x 2 of another option, needs 8).
SPREAD = EACH_VALUE_ONCE


def uncovered_pairs(variants: list[dict[str, str]], keys: list[str]) -> list[dict[str, str]]:
    """Allowed pairs of values of two options that no variant contains."""
    return [
        {first: one, second: other}
        for first, second in itertools.combinations(keys, 2)
        for one in CHOICES[first]
        for other in CHOICES[second]
        if allowed({first: one, second: other})
        and not any(v[first] == one and v[second] == other for v in variants)
    ]


def requirement_constraints(keys: list[str]) -> list[dict[str, Any]]:
    """cookiecutter.json's `_requires` in covertable's terms: a value of an option comes
    only with the values it needs (compute=azureml only with tracking=mlflow)."""
    return [
        {
            "operator": "or",
            "conditions": [
                {"operator": "ne", "left": option, "value": value},
                {"operator": "eq", "left": needed_option, "value": needed},
            ],
        }
        for option, by_value in REQUIRES.items()
        if option in keys
        for value, needs in by_value.items()
        for needed_option, needed in needs.items()
    ]


def covering_rows(keys: list[str], salt: str) -> list[dict[str, str]]:
    """covertable's covering rows for the options in `keys`, the default bake first; the
    salt reorders its greedy choices, so each salt may need another number of rows."""
    controller = Controller(
        {key: CHOICES[key] for key in keys},
        presets=[{key: DEFAULTS[key] for key in keys}],
        constraints=requirement_constraints(keys),
        # "simple" takes the first row that covers a new pair; here it needs fewer rows
        # than the default greedy criterion (6 against 7 at best over the same salts).
        criterion=criteria.simple,
        salt=salt,
    )
    return [{**DEFAULTS, **row} for row in controller.make()]


def pairwise_variants(salts: int = 100) -> list[dict[str, str]]:
    """The smallest covering set covertable finds over `salts` seeds: every allowed pair
    of values of any two behavioural options appears in a variant. Each seed orders its
    choices differently, so each needs another number of rows (6 to 8 here; 6 is the
    least that seven options of two values can take); each row is a deep-tier variant of
    minutes, so a second of search pays for itself. Among the smallest, the cheapest
    (fewest estimated seconds: Azure ML, notebook and MLflow variants). Deterministic:
    every worker collects the same variants."""
    keys = [key for key in CHOICES if key not in SPREAD]
    found = [covering_rows(keys, str(salt)) for salt in range(salts)]
    complete = [rows for rows in found if not uncovered_pairs(rows, keys)]
    assert complete, f"covertable left pairs uncovered with every salt: {found[0]}"
    best = min(complete, key=lambda rows: (len(rows), sum(map(estimated_seconds, rows))))
    # The default variant first (it also goes through the generated nox sessions), then
    # the costliest; which worker runs which is lanes()' choice.
    ordered = sorted(best, key=lambda variant: (variant != DEFAULTS, -estimated_seconds(variant)))
    # covertable drops a preset row that breaks a constraint without a word.
    assert ordered[0] == DEFAULTS, "the default bake is not among the deep-tier variants"
    return spread_values(ordered)


def spread_values(variants: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each value of the SPREAD options in some variant: the default variant keeps the
    defaults, the others take the remaining values in turn."""
    spread = [dict(variant) for variant in variants]
    for option in SPREAD:
        others = [value for value in CHOICES[option] if value != DEFAULTS[option]]
        others += [DEFAULTS[option]]
        assert len(spread) > len(others) - 1, f"too few variants to bake each {option} once"
        for index, variant in enumerate(spread[1:]):
            variant[option] = others[index % len(others)]
    assert all(allowed(variant) for variant in spread), "_requires names a spread option"
    return spread


# Seconds a variant takes here, in parts, fitted to the variants session's table of
# commands: install, lint and the generated suite; the notebooks; MLflow (mypy checking
# its packages, its store in the suite); the Azure ML tests; pip itself (a fresh venv,
# pip copying every wheel, `nox -s lock` and installing from the locks); the default
# variant's extra steps (its own data, the nox sessions, deploy, the Dockerfile, planted
# defects); DVC (the generated DVC tests, `dvc repro`, `nox -s pull_data`; estimated from
# their parts run alone, 90 + 30 + 30 s).
SECONDS = {
    "base": 100,
    "notebooks": 60,
    "mlflow": 110,
    "azureml": 80,
    "pip": 100,
    "default": 150,
    "dvc": 150,
}


def estimated_seconds(variant: dict[str, str], pip_itself: bool = False) -> int:
    """A variant's seconds by that table; `pip_itself`: installed by pip, not uv."""
    parts = {
        "base": True,
        "notebooks": variant["notebooks"] == "yes",
        "mlflow": variant["tracking"] == "mlflow",
        "azureml": variant["compute"] == "azureml",
        "dvc": variant["data_versioning"] == "dvc",
        "pip": pip_itself,
        "default": variant == DEFAULTS,
    }
    return sum(SECONDS[part] for part, applies in parts.items() if applies)


def lane_seconds(variant: dict[str, str]) -> int:
    """A deep-tier variant's estimated seconds, pip itself for PIP_VARIANT."""
    return estimated_seconds(variant, pip_itself=variant == PIP_VARIANT)


def lanes(variants: list[dict[str, str]], count: int = 2) -> list[int]:
    """A lane (a test class, run by one worker) per variant: the longest first, each to
    the lane with the least work so far. pytest-xdist's load scheduling hands each worker
    two variants at the start, so the default variant and the next costliest shared a
    worker and the deep tier ended 110 s after the other worker had finished (777
    against 666 s)."""
    totals = [0] * count
    chosen = [0] * len(variants)
    for index in sorted(range(len(variants)), key=lambda i: -lane_seconds(variants[i])):
        lane = totals.index(min(totals))
        chosen[index] = lane
        totals[lane] += lane_seconds(variants[index])
    return chosen


VARIANTS = pairwise_variants()
# pip installs one variant as the README says (the one with the fewest dependencies: the
# steps are the same for every dependency set); the Dockerfile is replayed in the first
# variant that serves with FastAPI (the default, which exports a bundle anyway).
PIP_VARIANT = min(
    (variant for variant in VARIANTS if variant["package_manager"] == "pip"),
    key=estimated_seconds,
)
DOCKERFILE_VARIANT = next(variant for variant in VARIANTS if variant["serving"] == "fastapi")


def interpreter_for(project: Path) -> str:
    """A Python on this machine that the bake's requires-python admits: the one running
    the tests when it does, else the newest admitted `python3.N` on PATH. A variant whose
    Python this machine lacks is skipped, saying which (nothing is downloaded)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    admitted = SpecifierSet(pyproject["project"]["requires-python"])
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if running in admitted:
        return system_python()
    for minor in range(20, 7, -1):
        found = shutil.which(f"python3.{minor}")
        if found and f"3.{minor}" in admitted:
            return found
    pytest.skip(f"no Python on this machine satisfies requires-python {admitted}")


def find_uv(env: dict[str, str]) -> str:
    uv = shutil.which("uv", path=env["PATH"]) or shutil.which("uv")
    assert uv, "the variants session installs uv"
    return uv


def install(project: Path, installer: str, env: dict[str, str]) -> list[str]:
    """Install as the README says for `installer` ("uv", "pip", or "uv-pip": pip's steps
    through uv's pip interface); return the prefix that runs a tool in that environment."""
    uv = find_uv(env)
    python = interpreter_for(project)
    if installer == "uv":
        sh(project, uv, "sync", "--python", python, "--no-python-downloads", env=env)
        return [uv, "run", "--no-sync"]
    venv_python = str(project / ".venv" / "bin" / "python")
    if installer == "uv-pip":
        sh(project, uv, "venv", "--quiet", "--python", python, "--no-python-downloads", env=env)
        command = [
            uv, "pip", "install", "--quiet", "--python", venv_python, "-e", ".", "--group", "dev"
        ]  # fmt: skip
        sh(project, *command, env=env)
        return []
    sh(project, python, "-m", "venv", ".venv", env=env)
    sh(project, venv_python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", env=env)
    # --no-compile: bytecode is written as modules are first imported, as uv installs do by
    # default. Precompiling every module of scikit-learn, SciPy, pandas, MLflow and
    # azure-ai-ml made a compute=azureml install take 149 s here instead of 62 s.
    pip_install = [venv_python, "-m", "pip", "install", "--quiet", "--no-compile"]
    sh(project, *pip_install, "-e", ".", "--group", "dev", env=env)
    # Then the README's "Lock the environment": lock, and install from the locks as the
    # next newcomer does (the generated tests check the locks against pyproject.toml).
    sh(project, venv_python, "-m", "nox", "-s", "lock", env=env)
    sh(project, *pip_install, "--requirement", "pylock.dev.toml", env=env)
    sh(project, *pip_install, "--no-deps", "-e", ".", env=env)
    return []


def installer_for(answers: dict[str, str]) -> str:
    """pip itself in PIP_VARIANT; the other pip variants take the same steps (a venv, then
    `install -e . --group dev`) through uv's pip interface, which links the wheels from
    uv's cache where pip copies them again: 43-53 s per install here against 3-25 s.
    pip's own run checks the README's commands; the others differ only in which
    dependencies pyproject.toml lists, which uv resolves from the same file."""
    if answers["package_manager"] == "pip" and answers != PIP_VARIANT:
        return "uv-pip"
    return answers["package_manager"]


@pytest.fixture(scope="session")
def mypy_caches(tmp_path_factory: pytest.TempPathFactory) -> MypyCaches:
    """This worker's mypy caches, and the folder the workers publish copies to (their
    temporary folders share a parent)."""
    worker = tmp_path_factory.getbasetemp()
    return MypyCaches(own=worker / "mypy-cache", shared=worker.parent / "mypy-cache-shared")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each lane class gets its lane's variants."""
    if metafunc.cls is not None and issubclass(metafunc.cls, Lane):
        chosen = lanes(VARIANTS)
        own = [answers for answers, lane in zip(VARIANTS, chosen, strict=True)
               if lane == metafunc.cls.lane]  # fmt: skip
        metafunc.parametrize("answers", own, ids=[variant_id(answers) for answers in own])


class Lane:
    """One worker's variants, one after another: the variants session runs two workers
    with --dist loadscope, which hands each class to one worker. (xdist_group marks with
    --dist loadgroup split the lanes again in some runs here.)"""

    lane = -1

    def test_variant_installs_lints_tests_and_trains(
        self, cookies: Any, answers: dict[str, str], mypy_caches: MypyCaches, tmp_path: Path
    ) -> None:
        check_variant(cookies, answers, mypy_caches, tmp_path)


class TestLane0(Lane):
    lane = 0


class TestLane1(Lane):
    lane = 1


def check_variant(
    cookies: Any, answers: dict[str, str], mypy_caches: MypyCaches, tmp_path: Path
) -> None:
    project, context = bake(cookies, **answers)
    env = {**clean_env(), "DEEP_TIER_VARIANT": variant_id(answers)}
    prefix = install(project, installer_for(answers), env)
    venv_bin = project / ".venv" / "bin"
    mypy_cache = mypy_caches.for_project(project)
    env = {**env, "PATH": f"{venv_bin}{os.pathsep}{env['PATH']}", "MYPY_CACHE_DIR": str(mypy_cache)}
    slug = context["project_slug"]

    def tool(*command: str, stdout_only: bool = False) -> str:
        return sh(project, *prefix, *command, env=env, stdout_only=stdout_only)

    if answers == DEFAULTS:
        # The default bake goes the way a team goes: the sample first, then its own table
        # ("Bring your own data"), then what its CI runs: the pre-commit hooks, the
        # generated nox sessions (lint is ruff, mypy and lint-imports; the project's tests
        # must pass on the switched project; pipeline is `run`), and the deploy session's
        # export and smoke test of the new champion.
        output = tool(slug, "run")
        assert registered_version(project) == 1, output
        check_trained(project, slug, answers, tool)
        # The loop closed: the service records what it answers, some of it drifted, and
        # monitor names the drifted feature and calls for retraining.
        check_monitoring(project, slug, env)
        check_scheduled_monitoring(project, prefix, env)
        # A short search on the sample: params.yaml's values scored first, then 5 trials.
        output = tool(slug, "tune", "--trials", "5")
        assert "tune: 5 trials; CV rmse" in output, output
        assert len((project / "reports/tuning/trials.csv").read_text().splitlines()) == 7
        check_own_data(project, slug, tool, tmp_path)
        for git in (["init", "-q"], ["add", "-A"]):
            sh(project, "git", *git, env=env)
        # The mypy and import-linter hooks run `mypy` and `lint-imports`, as `nox -s lint`
        # does next in its own environment: once is enough.
        repeated = {**env, "SKIP": "mypy,import-linter"}
        hooks = sh(project, *prefix, "pre-commit", "run", "--all-files", env=repeated)
        assert "Failed" not in hooks, hooks
        output = tool("nox", "-s", "lint", "tests", "pipeline")
        mypy_caches.publish(mypy_cache)
        assert "Session pipeline was successful" in output, output
        output = tool("nox", "-s", "deploy", "--", "staging")
        assert "smoke test passed: version 2 reproduced" in output, output
        # exported from uv.lock for the image, whose replay below installs exactly it
        assert (project / "deploy/staging/pylock.toml").is_file()
        for defect in PLANTED_DEFECTS:
            assert_caught(project, context["module_name"], defect, env)
    else:
        tool("ruff", "check", ".")
        tool("ruff", "format", "--check", ".")
        tool("mypy")
        mypy_caches.publish(mypy_cache)
        tool("lint-imports")
        tool("pytest", "-q", "-p", "no:cacheprovider")
        if answers["notebooks"] == "yes":
            check_notebooks(project, tool)
        if answers["data_versioning"] == "dvc":
            check_dvc_pipeline(project, tool, env)
        else:
            output = tool(slug, "run")
            assert registered_version(project) == 1, output
        check_trained(project, slug, answers, tool)
        if answers["data_versioning"] == "dvc":
            check_pull_data(project, slug, tool, env)
        if answers["docs_site"] == "mkdocs":
            # The site as `nox -s docs` builds it, on the fresh bake after `run`: strict,
            # and not one warning.
            output = tool("mkdocs", "build", "--strict")
            assert "WARNING" not in output, output
            assert (project / "build/site/06_test_report/index.html").is_file()
    if answers == DOCKERFILE_VARIANT:
        if not (project / "deploy/staging").is_dir():
            tool(slug, "models", "export", "deploy/staging")
        replay_dockerfile(project, slug, tmp_path, env, find_uv(env))


def check_notebooks(project: Path, tool: Callable[..., str]) -> None:
    """The notebooks as a workshop runs them (`nox -s notebooks`), each in a fresh kernel,
    the last one first, on a project that has run no stage: each stands on its own, ran
    every cell, shows its figures and has its exercises (the generated
    tests/notebook_checks.py: five checks each), and none registered a model."""
    notebooks = sorted((project / "notebooks").glob("*.ipynb"), reverse=True)
    assert len(notebooks) == 6
    chosen = [str(path.relative_to(project)) for path in notebooks]
    output = tool("nox", "-s", "notebooks", "--", *chosen)
    assert "30 passed" in output, output
    assert not (project / "models").exists(), "a notebook wrote to models/"


# Defects planted one at a time in a default bake, each with the generated test that must
# then fail: the project's own tests can fail, and fail for the right reason.
PLANTED_DEFECTS = [
    # (file under the package, text, replacement, the test that must catch it)
    (
        "cli/app.py",
        '@command(app, "help.train")\ndef train(',
        "def train(",
        "tests/test_cli.py::test_every_stage_and_run_is_a_command",
    ),
    (
        "stages/splitting.py",
        "random_state=params.seed,\n                stratify=",
        "random_state=0,\n                stratify=",
        "tests/test_prepare.py::test_the_same_seed_splits_the_same_rows_and_another_seed_does_not",
    ),
    (
        "core/metrics.py",
        '"rmse": float(root_mean_squared_error(labels, values)),',
        '"rmse": float(mean_absolute_error(labels, values)),',
        "tests/test_evaluate.py::test_metrics_and_report_carry_the_verdict",
    ),
]


def assert_caught(
    project: Path, module: str, defect: tuple[str, str, str, str], env: dict[str, str]
) -> None:
    relative, text, replacement, test = defect
    source = project / "src" / module / relative
    original = source.read_text(encoding="utf-8")
    assert text in original, f"{relative} no longer holds {text!r}: update PLANTED_DEFECTS"
    source.write_text(original.replace(text, replacement, 1), encoding="utf-8")
    try:
        result = subprocess.run(
            [str(project / ".venv/bin/pytest"), "-q", "-p", "no:cacheprovider", test],
            cwd=project, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        source.write_text(original, encoding="utf-8")
    assert result.returncode == 1, f"{test} passed with {replacement!r} planted in {relative}"


def check_own_data(project: Path, slug: str, tool: Callable[..., str], scratch: Path) -> None:
    """Switch the trained sample project to a team's table (tests/own_data.py): a date,
    an id, gaps, a text target of three imbalanced classes. The sample's champion is not
    re-scored on it; the new model replaces it, and `predict` scores new rows."""
    switch_to_own_data(project)
    output = tool(slug, "run")
    assert registered_version(project) == 2, output
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    assert metrics["champion"]["other_data"]["what"] == "task", metrics["champion"]
    assert metrics["holdout"]["f1_macro"] > metrics["baseline"]["f1_macro"] + 0.2
    schema = json.loads((project / "data/interim/schema.json").read_text())
    assert (schema["dates"], schema["identifiers"]) == (["ordered_on"], ["order_id"])
    assert schema["classes"] == sorted(OWN_CLASSES)
    rows = write_table(scratch / "new_orders.csv", 250, seed=8, with_target=False)
    tool(slug, "predict", str(rows), "-o", str(scratch / "scored.csv"))
    with (scratch / "scored.csv").open(encoding="utf-8") as handle:
        scored = list(csv.DictReader(handle))
    with rows.open(encoding="utf-8") as handle:
        sent = [row["order_id"] for row in csv.DictReader(handle)]
    assert [row["order_id"] for row in scored] == sent
    for row in scored:
        assert row["prediction"] in OWN_CLASSES
        total = sum(float(row[f"probability_{label}"]) for label in OWN_CLASSES)
        assert abs(total - 1) < 1e-9, row


def check_dvc_pipeline(project: Path, tool: Callable[..., str], env: dict[str, str]) -> None:
    """The fresh bake trained by `dvc repro` in its own git repository, as the README's
    "Data and pipeline versioning" starts: every stage once, then nothing to run."""
    sh(project, "git", "init", "-q", env=env)
    stages = list(yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"])
    output = tool("dvc", "repro")
    assert re.findall(r"Running stage '(\w+)'", output) == stages, output
    assert registered_version(project) == 1, output
    again = tool("dvc", "repro")
    assert "Running stage" not in again, again
    assert (project / "dvc.lock").is_file()


def check_pull_data(
    project: Path, slug: str, tool: Callable[..., str], env: dict[str, str]
) -> None:
    """CI's `nox -s pull_data`: a data file tracked by `dvc add` and pushed to the local
    remote comes back from it into a workspace that lost it (and its cache)."""
    raw = project / "data" / "raw" / "diabetes.csv"
    tool(slug, "sample-data", str(raw.relative_to(project)))
    tool("dvc", "add", "data/raw/diabetes.csv")
    tool("dvc", "push")
    sh(project, "git", "add", "data/raw/diabetes.csv.dvc", env=env)
    expected = raw.read_bytes()
    raw.unlink()
    shutil.rmtree(project / ".dvc" / "cache")
    output = tool("nox", "-s", "pull_data")
    assert "Session pull_data was successful" in output, output
    assert raw.read_bytes() == expected


def registered_version(project: Path) -> int | None:
    """The version `register` added in the last run, as CI reads it (the console line is
    in the project's language)."""
    registration = json.loads((project / "reports" / "registration.json").read_text())
    return registration["version"] if registration["registered"] else None


def check_trained(
    project: Path, slug: str, answers: dict[str, str], tool: Callable[..., str]
) -> None:
    """metrics.json against the gate, the registered version read back, the reports."""
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    goal = metrics["goal"]
    assert goal["met"] is True
    assert metrics["decision"]["register"] is True
    assert goal["metric"] == ("rmse" if answers["task"] == "regression" else "roc_auc")
    if answers["task"] == "regression":
        assert metrics["cv"]["r2"]["mean"] >= 0.47
        assert goal["value"] <= goal["threshold"] < goal["baseline_value"]
    else:
        assert goal["value"] >= goal["threshold"] > goal["baseline_value"]
    version = json.loads(tool(slug, "models", "show", "1", stdout_only=True))
    assert version["champion"] is True
    assert version["sha256"] == metrics["model_sha256"]
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert version["params"]["model"]["name"] == params["model"]["name"]
    if answers["tracking"] == "mlflow":
        assert (project / "models/registry/mlflow.db").is_file()
    else:
        assert (project / "models/registry/v1/model.skops").is_file()
    for report in ("02_analysis_report.md", "06_test_report.md"):
        assert (project / "docs" / report).stat().st_size > 500
    title = "# テストレポート" if answers["docs_language"] == "ja" else "# Test report"
    assert (project / "docs/06_test_report.md").read_text(encoding="utf-8").startswith(title)
    figures = sorted((project / "reports" / "figures").glob("*/*.png"))
    assert len(figures) >= 4, figures
    assert all(path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for path in figures)
