#!/usr/bin/env -S uv run --script
{% set moves_registry = cookiecutter.ci in ["github", "gitlab"] and cookiecutter.compute != "azureml" -%}
{% set shows_pages = cookiecutter.ci in ["github", "azure-devops"] -%}
# /// script
# dependencies = ["nox>=2025.2.9"]
# ///
"""Developer tasks. CI calls these sessions, so what passes here passes there."""

from __future__ import annotations

import json
import os
{%- if cookiecutter.package_manager == "pip" %}
import platform
{%- endif %}
{%- if cookiecutter.serving == "fastapi" or cookiecutter.package_manager == "pip" %}
import shutil
{%- endif %}
{%- if cookiecutter.serving == "fastapi" %}
import subprocess
{%- endif %}
{%- if cookiecutter.package_manager == "pip" %}
import sys
{%- endif %}
{%- if moves_registry %}
import tarfile
{%- endif %}
{%- if cookiecutter.package_manager == "pip" %}
import tomllib
{%- endif %}
{%- if cookiecutter.ci == "azure-devops" and cookiecutter.compute != "azureml" %}
import urllib.request
{%- endif %}
from pathlib import Path
{%- if cookiecutter.ci == "azure-devops" and cookiecutter.compute != "azureml" %}
from typing import Any
{%- endif %}

import nox
{%- if cookiecutter.package_manager == "pip" %}
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
{%- endif %}

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"

PYPROJECT = nox.project.load_toml("pyproject.toml")
{%- if cookiecutter.package_manager == "uv" %}
LOCK = Path("uv.lock")  # written by `uv sync`; commit it
{%- else %}
LOCK = Path("pylock.toml")  # `nox -s lock`: the dependencies, for the image and pipeline
DEV_LOCK = Path("pylock.dev.toml")  # the same plus the dev group, for lint and tests
# pip's locks hold the wheels of one platform and Python: those of the image (built for
# linux/amd64) and of CI's first Python. Elsewhere (another OS or processor, CI's newer
# Python) the sessions use ranges.
LOCKED_ON = ("linux", "x86_64", "3.11")
{%- endif %}
{%- if cookiecutter.serving == "fastapi" %}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
{%- endif %}
CLI = "{{ cookiecutter.project_slug }}"
RETRAIN_STATUS = 3  # `monitor`'s exit status when retraining is due (cli/app.py)
COVERAGE_XML = "build/coverage.xml"  # Cobertura, for CI's coverage views
{%- if shows_pages %}
COVERAGE_PAGE = Path("build/coverage.md")  # the table, shown on the CI run
{%- endif %}
MONITORING_RESULT = Path("reports/monitoring.json")
# Where a scheduled job reads the service's records: the folder in object storage they
# are copied to (monitoring/README.md), e.g. s3://bucket/requests.
REQUESTS_URL = "MONITORING_REQUESTS_URL"
# The fsspec package that reads each kind of object storage.
STORAGE_PACKAGES = {
    "s3": "s3fs>=2024.2",
    "az": "adlfs>=2024.2",
    "abfs": "adlfs>=2024.2",
    "abfss": "adlfs>=2024.2",
    "gs": "gcsfs>=2024.2",
    "gcs": "gcsfs>=2024.2",
}
{%- if cookiecutter.data_versioning == "dvc" %}
# The plugin DVC needs to reach each kind of remote (a folder or HTTP needs none).
DVC_PLUGINS = {
    "s3": "dvc-s3>=3",
    "azure": "dvc-azure>=3",
    "gs": "dvc-gs>=3",
    "ssh": "dvc-ssh>=4",
}
# Prints [name, url] of the default remote, or [null, null].
DEFAULT_REMOTE = """
import json
from dvc.repo import Repo

config = Repo().config
name = config["core"].get("remote")
url = config["remote"].get(name, {}).get("url") if name else None
print(json.dumps([name, None if url is None else str(url)]))
"""
{%- endif %}
{%- if moves_registry %}
REGISTRY = Path("models/registry")
ARCHIVE = Path("build/registry.tar.gz")
{%- endif %}
{%- if cookiecutter.ci == "gitlab" and cookiecutter.compute != "azureml" %}
PACKAGE = "model-registry"
{%- endif %}


def install(session: nox.Session, *groups: str) -> None:
    """The project in editable mode plus the named dependency groups: the exact versions
    of the lock file when the project has one, else pyproject.toml's ranges."""
{%- if cookiecutter.package_manager == "uv" %}
    if LOCK.is_file():
        # --locked: a uv.lock older than pyproject.toml fails here instead of drifting.
        selected = [f"--group={group}" for group in groups]
        session.run_install(
            "uv", "sync", "--locked", "--no-default-groups", *selected,
            f"--python={session.virtualenv.location}",
            env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
            external=True,
        )  # fmt: skip
        return
{%- else %}
    lock = DEV_LOCK if groups else LOCK  # the dev lock holds every group's tools
    if lock.is_file() and not on_locked_platform(session):
        session.log(f"{lock} holds wheels for {LOCKED_ON}: installing pyproject.toml's ranges")
    elif lock.is_file():
        problems = lock_problems(lock, locked_requirements(lock))
        if problems:  # a dependency added or a bound raised since the lock was written
            session.error(f"{lock} no longer fits pyproject.toml ({problems[0]}): nox -s lock")
        if session.venv_backend != "uv":
            session.install("pip>=26.1")  # the first pip that reads pylock.toml
        session.install("--requirement", str(lock))
        session.install("--no-deps", "-e", ".")
        return
{%- endif %}
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install("-e", ".", *requirements)


def in_ci() -> bool:
    """On a CI runner: GitHub Actions and GitLab CI set CI, Azure Pipelines TF_BUILD."""
    return bool(os.environ.get("CI") or os.environ.get("TF_BUILD"))
{%- if shows_pages %}


def show_in_ci(page: Path) -> None:
{%- if cookiecutter.ci == "github" %}
    """A Markdown page (a report, the coverage table) shown on the CI run: appended to
    the workflow run's summary page. Outside CI, nothing."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as stream:
            stream.write(page.read_text(encoding="utf-8"))
{%- else %}
    """A Markdown page (a report, the coverage table) shown on the CI run, as a tab of
    the pipeline run. Outside CI, nothing."""
    if os.environ.get("TF_BUILD"):
        print(f"##vso[task.uploadsummary]{page.resolve()}")
{%- endif %}
{%- endif %}


{% if cookiecutter.package_manager == "pip" -%}
def on_locked_platform(session: nox.Session) -> bool:
    """Whether the session's environment is the one pip's locks were made for: this
    machine, with nox's own Python unless --force-python names another."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    python = session.python if isinstance(session.python, str) else running
    return (sys.platform, platform.machine(), python) == LOCKED_ON


def locked_requirements(lock: Path) -> list[str]:
    """What pyproject.toml asks of a lock: the dependencies, plus the dev group's tools
    for the dev lock."""
    dependencies: list[str] = PYPROJECT["project"]["dependencies"]
    if lock == DEV_LOCK:
        return [*dependencies, *nox.project.dependency_groups(PYPROJECT, "dev")]
    return dependencies


def lock_problems(lock: Path, requirements: list[str]) -> list[str]:
    """The requirements (those whose markers hold here) that the versions in `lock` miss,
    one line each."""
    packages = tomllib.loads(lock.read_text(encoding="utf-8")).get("packages", [])
    locked = {canonicalize_name(item["name"]): item["version"] for item in packages
              if "version" in item}  # fmt: skip
    problems = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in {lock.name}")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name} {version} is outside {requirement.specifier}")
    return problems


{% endif -%}
@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format), mypy and the import layers (lint-imports){% if cookiecutter.ci == "github" %}; zizmor on the
    workflows{% endif %}."""
{%- set checked_groups = ["lint", "test"] + (["azureml"] if cookiecutter.compute == "azureml" else []) + (["docs"] if cookiecutter.docs_site == "mkdocs" else []) %}
    install(session, {{ checked_groups | map("tojson") | join(", ") }})
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("lint-imports")
{%- if cookiecutter.ci == "github" %}
    # The workflows' security audit (template injection, permissions, credentials).
    session.run("zizmor", "--offline", ".github")
{%- endif %}


@nox.session
def tests(session: nox.Session) -> None:
    """The project's unit and end-to-end tests, the slow fuzzing (marked fuzz) included,
    with coverage; `nox -s tests -- tests/test_cli.py` runs a part (no coverage floor)."""
{%- set tested_groups = ["test"] + (["azureml"] if cookiecutter.compute == "azureml" else []) + (["docs"] if cookiecutter.docs_site == "mkdocs" else []) %}
    install(session, {{ tested_groups | map("tojson") | join(", ") }})
    # The floor ([tool.coverage.report]) holds for the whole suite, not for a part of it.
    floor = ["--cov-fail-under=0"] if session.posargs else []
    session.run(
        "pytest", "-m", "fuzz or not fuzz", "--cov", "--cov-report=term",
        f"--cov-report=xml:{COVERAGE_XML}", *floor, *session.posargs,
    )  # fmt: skip
{%- if shows_pages %}
    if in_ci():
        # pytest has already held the run to the floor; the table only shows it.
        table = session.run(
            "coverage", "report", "--format=markdown", "--fail-under=0", silent=True
        )
        COVERAGE_PAGE.write_text(f"# Coverage\n\n{table}\n", encoding="utf-8")
        show_in_ci(COVERAGE_PAGE)
{%- endif %}


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Speed and memory on a synthetic table: `nox -s bench -- ROWS` (default 1,000,000)."""
    install(session)
    session.run("python", "benchmarks/bench.py", *session.posargs)


{% if cookiecutter.package_manager == "pip" -%}
@nox.session(default=False)
def lock(session: nox.Session) -> None:
    """Write pylock.toml (the dependencies) and pylock.dev.toml (plus the dev group) with
    the exact version and hashes of every package; commit both."""
    if not on_locked_platform(session):
        session.error(
            "pip locks for the platform and Python it runs on: run `nox -s lock` on x86-64 "
            "Linux with Python 3.11, as CI and the image run (uv's lock covers every platform)"
        )
    session.install("pip>=26.1")
    for lock in (LOCK, DEV_LOCK):
        requirements = locked_requirements(lock)
        session.run("python", "-m", "pip", "lock", "--quiet", *requirements, f"--output={lock}")


{% endif -%}
@nox.session(default=False)
def pipeline(session: nox.Session) -> None:
    """Every stage in order, in a fresh environment: prepare ... register."""
    install(session)
    session.run(CLI, "run")
{%- if shows_pages %}
    show_in_ci(Path("docs/06_test_report.md"))
{%- endif %}


{% if cookiecutter.data_versioning == "dvc" -%}
@nox.session(default=False)
def pull_data(session: nox.Session) -> None:
    """The data files DVC tracks (the committed .dvc files), from the default DVC remote:
    CI runs this before training and monitoring, and so does a fresh clone. Stage
    outputs are not pulled: `run` or `dvc repro` rebuilds them. The remote's
    credentials come from the environment (AWS_*, AZURE_STORAGE_*, GOOGLE_*)."""
    listed = session.run("git", "ls-files", "--", "*.dvc", silent=True, external=True)
    tracked = str(listed or "").split()
    if not tracked:
        session.log("no data file is tracked by DVC (`dvc add data/raw/<file>`): nothing to pull")
        return
    install(session, "dvc")
    # DVC's own reading of its settings (repository, local and user levels, a folder's
    # path made absolute): `dvc remote list` wraps long URLs at 80 columns in a pipe.
    found = session.run("python", "-c", DEFAULT_REMOTE, silent=True)
    remote, url = json.loads(str(found).strip().splitlines()[-1])
    if not url:
        session.error("DVC has no default remote: dvc remote add -d <name> <url> (README)")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in DVC_PLUGINS:
        session.install(DVC_PLUGINS[scheme])
    elif not scheme and not Path(url).is_dir():
        session.error(
            f"the DVC remote {remote!r} is the folder {url}, which is not on this machine: "
            "share the data through a remote in object storage (README)"
        )
    session.run("dvc", "pull", *tracked)


{% endif -%}
{% if cookiecutter.docs_site == "mkdocs" -%}
@nox.session(default=False)
def docs(session: nox.Session) -> None:
    """The documentation site from docs/ and the reports `run` wrote, into build/site,
    with strict checks (mkdocs.yml). `nox -s docs -- serve` previews it instead; other
    arguments go to `mkdocs build` (CI gives GitLab Pages `--site-dir public`)."""
    install(session, "docs")
    if session.posargs[:1] == ["serve"]:
        # Port 8001: the model's own `serve` takes 8000. Docstrings and reports reload too.
        watched = ["--watch", "src", "--watch", "reports", "--watch", "mkdocs_hooks.py"]
        address = ["--dev-addr", "127.0.0.1:8001"]
        session.run("mkdocs", "serve", *address, *watched, *session.posargs[1:])
        return
    session.run("mkdocs", "build", "--strict", *session.posargs)


{% endif -%}
@nox.session(default=False)
def monitor(session: nox.Session) -> None:
    """Recent rows against the training split: `nox -s monitor -- [monitor's options]`
    (default: the requests `serve` recorded in monitoring/requests/, or the folder at
    MONITORING_REQUESTS_URL when it is set). Prepares the data first, and reads the
    champion from the registry. Retraining due (exit status 3) is an answer, not a
    failure: reports/monitoring.json says which, and `nox -s start_training` acts on it."""
    arguments = list(session.posargs)
    url = os.environ.get(REQUESTS_URL, "")
{%- if cookiecutter.ci == "azure-devops" %}
    if url.startswith("$("):  # Azure Pipelines passes an undefined variable as "$(NAME)"
        url = ""
{%- endif %}
    if not url and not arguments and in_ci():
        session.error(
            f"{REQUESTS_URL} is not set: CI has none of the service's records to monitor "
            "(monitoring/README.md says where to copy them)"
        )
{%- if cookiecutter.compute == "azureml" %}
    install(session, "azureml")
{%- else %}
    install(session)
{%- endif %}
    if url and not {"--requests", "--batch"} & set(arguments):
        scheme = url.split("://", 1)[0].lower()
        if scheme in STORAGE_PACKAGES:
            session.install(STORAGE_PACKAGES[scheme])
        arguments += ["--requests", url]
{%- if cookiecutter.compute == "azureml" %}
    registry = workspace_registry(session)
{%- else %}
    registry: dict[str, str] = {}
{%- endif %}
    # A result left by an earlier run must not pass for this one's if this one fails.
    MONITORING_RESULT.unlink(missing_ok=True)
    session.run(CLI, "prepare")
    session.run(CLI, "monitor", *arguments, success_codes=[0, RETRAIN_STATUS], env=registry)
    retrain = monitoring_result(session)["retrain"]
    session.log("retraining is due" if retrain else "no retraining is due")
{%- if shows_pages %}
    show_in_ci(Path("docs/07_monitoring_report.md"))
{%- endif %}


def monitoring_result(session: nox.Session) -> dict[str, object]:
    """What the last monitor run decided ({"retrain": bool, ...})."""
    if not MONITORING_RESULT.is_file():
        session.error(f"{MONITORING_RESULT} is missing: run `nox -s monitor` first")
    result: dict[str, object] = json.loads(MONITORING_RESULT.read_text(encoding="utf-8"))
    return result


{% if cookiecutter.notebooks == "yes" -%}
@nox.session(default=False)
def notebooks(session: nox.Session) -> None:
    """Run the notebooks, each in a fresh kernel, writing their outputs into them; then
    check each has its exercises and shows its figures. Any error in a cell fails.

    nox -s notebooks -- [NOTEBOOK ...]   default: every notebook, 01 ... 06
    """
    install(session, "notebooks")
    chosen = session.posargs or sorted(str(path) for path in Path("notebooks").glob("*.ipynb"))
    for notebook in chosen:
        session.run("jupyter", "execute", "--inplace", "--timeout=600", notebook)
    ran = {"NOTEBOOKS": " ".join(chosen)}
    session.run("pytest", "tests/notebook_checks.py", "-q", "-p", "no:cacheprovider", env=ran)


@nox.session(default=False)
def lab(session: nox.Session) -> None:
    """JupyterLab on the notebooks, with the project installed."""
    install(session, "lab")
    session.run("jupyter", "lab", "notebooks", *session.posargs)


{% endif -%}
@nox.session(default=False)
def deploy(session: nox.Session) -> None:
    """Export a registered version to deploy/ENVIRONMENT and smoke-test it there.

    nox -s deploy -- ENVIRONMENT [VERSION]   VERSION: 3, model-v3 or champion (default)
    """
    if not session.posargs:
        session.error("usage: nox -s deploy -- ENVIRONMENT [VERSION]")
    environment, *rest = session.posargs
    version = rest[0].removeprefix("model-v") if rest else "champion"
    install(session)
    target = f"deploy/{environment}"
    chosen = [] if version == "champion" else ["--version", version]
    session.run(CLI, "models", "export", target, *chosen)
    bundle_lock(session, Path(target))
    session.run(CLI, "models", "smoke", target)


def bundle_lock(session: nox.Session, bundle: Path) -> None:
    """The exact versions of the dependencies, beside the model as pylock.toml: the image
    installs these, so it serves with the libraries the project was tested with."""
    if not LOCK.is_file():
        session.warn(f"no {LOCK}: the bundle's environment is pyproject.toml's ranges")
        return
{%- if cookiecutter.package_manager == "uv" %}
    session.run(
        "uv", "export", "--locked", "--format", "pylock.toml", "--no-default-groups",
        "--no-emit-project", "--quiet", "--output-file", str(bundle / "pylock.toml"),
        external=True,
    )  # fmt: skip
{%- else %}
    shutil.copy2(LOCK, bundle / "pylock.toml")
{%- endif %}
{%- if cookiecutter.compute == "azureml" %}


@nox.session(default=False)
def azureml(session: nox.Session) -> None:
    """Azure ML through the az CLI, after `az login`; AZUREML_RESOURCE_GROUP and
    AZUREML_WORKSPACE name the workspace.

    nox -s azureml -- submit azureml/pipeline.yml | stage [--version N] | shift | rollback
    """
    if not session.posargs:
        session.error("usage: nox -s azureml -- submit FILE | stage | shift | rollback")
    install(session, "azureml")
    prepare_az(session)
    session.run(CLI, "azureml", *session.posargs)


def prepare_az(session: nox.Session) -> None:
    """Log the az CLI in with OIDC in CI (GitLab id_tokens; on a laptop, `az login`
    beforehand) and add its ml extension."""
    token = os.environ.get("AZURE_FEDERATED_TOKEN")
    if token:
        session.run(
            "az", "login", "--service-principal", "--username", os.environ["AZURE_CLIENT_ID"],
            "--tenant", os.environ["AZURE_TENANT_ID"], "--federated-token", token,
            "--output", "none", external=True,
        )  # fmt: skip
        session.run(
            "az", "account", "set", "--subscription", os.environ["AZURE_SUBSCRIPTION_ID"],
            external=True,
        )  # fmt: skip
    # --upgrade keeps the extension in step with the service.
    session.run("az", "extension", "add", "--name", "ml", "--upgrade", "--yes", external=True)


def workspace_registry(session: nox.Session) -> dict[str, str]:
    """MLFLOW_TRACKING_URI of the workspace named by AZUREML_RESOURCE_GROUP and
    AZUREML_WORKSPACE, where the pipeline registers the champion. Nothing when they are
    not set or MLFLOW_TRACKING_URI already is (then the project's own registry)."""
    if os.environ.get("MLFLOW_TRACKING_URI") or not os.environ.get("AZUREML_WORKSPACE"):
        return {}
    prepare_az(session)
    uri = session.run(
        "az", "ml", "workspace", "show", "--resource-group", os.environ["AZUREML_RESOURCE_GROUP"],
        "--name", os.environ["AZUREML_WORKSPACE"], "--query", "mlflow_tracking_uri",
        "--output", "tsv", silent=True, external=True,
    )  # fmt: skip
    return {"MLFLOW_TRACKING_URI": str(uri).strip()}


@nox.session(default=False)
def azureml_local(session: nox.Session) -> None:
    """Run an Azure ML job file's commands on this machine, no Azure account needed.

    nox -s azureml_local -- [FILE]   default azureml/pipeline.yml; also sweep.yml, jobs/*.yml
    """
    install(session)
    job_files = session.posargs or ["azureml/pipeline.yml"]
    session.run(CLI, "azureml", "run-local", *job_files, "--sample-if-missing")
{%- endif %}
{%- if cookiecutter.serving == "fastapi" %}


@nox.session(default=False)
def browser(session: nox.Session) -> None:
    """Fill and submit the form page in headless Chromium against a live server.

    Uses the system's Chromium (Debian: apt install chromium); downloads no browser.
    """
    chromium = next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)
    if chromium is None:
        session.skip("no Chromium on PATH (Debian: apt install chromium)")
    install(session, "browser")
    if not Path("models/registry").exists():
        session.run(CLI, "run")  # the form needs a champion to serve
    session.run("python", "tests/browser_form.py", chromium)


@nox.session(default=False, venv_backend="none")
def image(session: nox.Session) -> None:
    """Build the service image around deploy/ENVIRONMENT, start it, smoke-test it from
    inside the container, and with --push push it. Needs docker; run `deploy` first.

    nox -s image -- ENVIRONMENT [--push]   IMAGE: the repository [default: the slug]
    """
    if not session.posargs:
        session.error("usage: nox -s image -- ENVIRONMENT [--push]")
    environment = session.posargs[0]
    # Registries want lower-case repository names; GitHub owners may have capitals.
    tag = f"{os.environ.get('IMAGE', CLI).lower()}:{environment}"
    session.run(
        "docker", "build", "--build-arg", f"MODEL_BUNDLE=deploy/{environment}",
        "--tag", tag, ".", external=True,
    )  # fmt: skip
    started = session.run("docker", "run", "--detach", tag, silent=True, external=True)
    container = str(started).strip()
    try:
        session.run(
            "docker", "exec", container, CLI, "models", "smoke", "model",
            "--url", "http://127.0.0.1:8000", external=True,
        )  # fmt: skip
    finally:
        session.run("docker", "rm", "--force", container, silent=True, external=True)
    if "--push" in session.posargs:
        registry = os.environ.get("REGISTRY")
        if registry:  # CI passes credentials by name; nothing is written to disk here
            session.log(f"docker login {registry}")
            subprocess.run(
                ["docker", "login", registry, "--username", os.environ["REGISTRY_USER"],
                 "--password-stdin"],
                input=os.environ["REGISTRY_PASSWORD"], text=True, check=True,
            )  # fmt: skip
        session.run("docker", "push", tag, external=True)
{%- endif %}
{%- if cookiecutter.ci != "none" %}


def registration() -> dict[str, object]:
    """What the last register stage did: {"registered": bool, "version": int | None}."""
    path = Path("reports/registration.json")
    return json.loads(path.read_text()) if path.is_file() else {"registered": False}
{%- endif %}
{%- if moves_registry %}


def pack_registry() -> None:
    ARCHIVE.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(ARCHIVE, "w:gz") as archive:
        archive.add(REGISTRY, arcname=REGISTRY.name)


def unpack_registry() -> None:
    # filter="data": an archive cannot write outside models/ or create device files.
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(REGISTRY.parent, filter="data")
{%- endif %}
{%- if cookiecutter.ci == "github" %}


{% if moves_registry -%}
@nox.session(default=False, venv_backend="none")
def fetch_registry(session: nox.Session) -> None:
    """Restore models/registry from the newest model-v* release (needs gh and GH_TOKEN)."""
    listed = session.run(
        "gh", "release", "list", "--limit", "100", "--json", "tagName", silent=True, external=True
    )
    tags = [item["tagName"] for item in json.loads(str(listed))]
    numbers = [int(tag[7:]) for tag in tags if tag.startswith("model-v") and tag[7:].isdigit()]
    if not numbers:
        session.log("no model release yet: starting with an empty registry")
        return
    ARCHIVE.parent.mkdir(parents=True, exist_ok=True)
    tag = f"model-v{max(numbers)}"
    session.run(
        "gh", "release", "download", tag, "--pattern", ARCHIVE.name,
        "--dir", str(ARCHIVE.parent), "--clobber", external=True,
    )  # fmt: skip
    unpack_registry()
    session.log(f"registry restored from release {tag}")


{% endif -%}
@nox.session(default=False, venv_backend="none")
def publish_registry(session: nox.Session) -> None:
{%- if cookiecutter.compute == "azureml" %}
    """After a registration, hand its version to the deploy workflow. Does nothing when
    nothing was registered."""
{%- else %}
    """After a registration, publish models/registry as release model-vN (the deploy
    workflow then rolls that version out). Does nothing when nothing was registered."""
{%- endif %}
    outcome = registration()
    if not outcome["registered"]:
        session.log("nothing registered: no release")
        return
{%- if cookiecutter.compute == "azureml" %}
    # The model lives in the Azure ML workspace's registry; only its version travels on.
{%- else %}
    pack_registry()
    tag = f"model-v{outcome['version']}"
    session.run(
        "gh", "release", "create", tag, str(ARCHIVE), "--title", tag,
        "--notes-file", "docs/06_test_report.md", external=True,
    )  # fmt: skip
{%- endif %}
    if "GITHUB_OUTPUT" in os.environ:  # the train workflow passes this to deploy
        with Path(os.environ["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as stream:
            stream.write(f"version={outcome['version']}\n")


@nox.session(default=False, venv_backend="none")
def start_training(session: nox.Session) -> None:
    """After `nox -s monitor`: start the train workflow when retraining is due (needs gh
    and GH_TOKEN allowed to run workflows). Its champion/challenger gate then decides."""
    if not monitoring_result(session)["retrain"]:
        session.log("no retraining is due: the train workflow is not started")
        return
    session.run("gh", "workflow", "run", "train.yml", external=True)
{%- elif cookiecutter.ci == "gitlab" %}


def gitlab_variable(session: nox.Session, name: str) -> str:
    """A variable the session needs from GitLab; outside GitLab CI, export it yourself
    (the README's Development section names them)."""
    if not os.environ.get(name):
        session.error(f"{name} is not set: outside GitLab CI, export it first")
    return os.environ[name]


def api(session: nox.Session, path: str) -> str:
    base = gitlab_variable(session, "CI_API_V4_URL")
    return f"{base}/projects/{gitlab_variable(session, 'CI_PROJECT_ID')}/{path}"


def auth_header(session: nox.Session) -> str:
    """The job's own token in CI; a personal token (GITLAB_TOKEN) on a laptop."""
    if "CI_JOB_TOKEN" in os.environ:
        return f"JOB-TOKEN: {os.environ['CI_JOB_TOKEN']}"
    return f"PRIVATE-TOKEN: {gitlab_variable(session, 'GITLAB_TOKEN')}"


{% if moves_registry -%}
@nox.session(default=False, venv_backend="none")
def fetch_registry(session: nox.Session) -> None:
    """Restore models/registry from the project's generic package registry."""
    ARCHIVE.parent.mkdir(parents=True, exist_ok=True)
    status = session.run(
        "curl", "--silent", "--show-error", "--location", "--header", auth_header(session),
        "--output", str(ARCHIVE), "--write-out", "%{http_code}",
        api(session, f"packages/generic/{PACKAGE}/latest/{ARCHIVE.name}"),
        silent=True, external=True,
    )  # fmt: skip
    if str(status).strip() == "404":
        session.log("no registry published yet: starting with an empty registry")
        return
    if str(status).strip() != "200":
        session.error(f"downloading the registry failed with HTTP {status}")
    unpack_registry()


{% endif -%}
@nox.session(default=False, venv_backend="none")
def publish_registry(session: nox.Session) -> None:
    """After a registration, upload models/registry and create release model-vN, whose
    tag pipeline deploys that version. Does nothing when nothing was registered."""
    outcome = registration()
    if not outcome["registered"]:
        session.log("nothing registered: no release")
        return
    tag = f"model-v{outcome['version']}"
{%- if cookiecutter.compute != "azureml" %}
    pack_registry()
    for package_version in (tag, "latest"):
        session.run(
            "curl", "--silent", "--show-error", "--fail", "--header", auth_header(session),
            "--upload-file", str(ARCHIVE),
            api(session, f"packages/generic/{PACKAGE}/{package_version}/{ARCHIVE.name}"),
            external=True,
        )  # fmt: skip
{%- endif %}
    release = {"tag_name": tag, "ref": os.environ.get("CI_COMMIT_SHA", "main"), "name": tag}
    session.run(
        "curl", "--silent", "--show-error", "--fail", "--header", auth_header(session),
        "--header", "Content-Type: application/json", "--data", json.dumps(release),
        api(session, "releases"), external=True,
    )  # fmt: skip


@nox.session(default=False, venv_backend="none")
def start_training(session: nox.Session) -> None:
    """After `nox -s monitor`: when retraining is due, run the train job's sessions next
    (in the same nox run); its champion/challenger gate then decides as always."""
    if not monitoring_result(session)["retrain"]:
        session.log("no retraining is due: nothing is trained")
        return
{%- if cookiecutter.compute == "azureml" %}
    session.notify("azureml", ["submit", "azureml/pipeline.yml"])
{%- else %}
    session.notify("pipeline")  # the monitor job has fetched the registry already
{%- endif %}
    session.notify("publish_registry")
{%- elif cookiecutter.ci == "azure-devops" %}
{%- if cookiecutter.compute != "azureml" %}


def azure_devops(session: nox.Session, path: str) -> dict[str, Any]:
    """GET from this project's REST API with the pipeline's own token (sent from here,
    not on a command line that the log would show)."""
    separator = "&" if "?" in path else "?"
    project = f"{os.environ['SYSTEM_COLLECTIONURI']}{os.environ['SYSTEM_TEAMPROJECTID']}"
    url = f"{project}/_apis/{path}{separator}api-version=7.1"
    token = {"Authorization": f"Bearer {os.environ['SYSTEM_ACCESSTOKEN']}"}
    request = urllib.request.Request(url, headers=token)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            answer: dict[str, Any] = json.load(reply)
    except (OSError, ValueError) as error:  # HTTP and network errors, or not JSON
        session.error(f"Azure DevOps REST API {path.split('?')[0]}: {error}")
    return answer


@nox.session(default=False, venv_backend="none")
def previous_registry(session: nox.Session) -> None:
    """Set the pipeline variable registryRun to the newest successful train run on main
    (whose `registry` artifact the next step restores), or to `none` before the first."""
    query = (
        f"build/builds?definitions={os.environ['SYSTEM_DEFINITIONID']}"
        "&branchName=refs/heads/main&resultFilter=succeeded,partiallySucceeded"
        "&queryOrder=finishTimeDescending&$top=1"
    )
    runs = azure_devops(session, query)["value"]
    run = str(runs[0]["id"]) if runs else "none"
    if runs:
        artifacts = azure_devops(session, f"build/builds/{run}/artifacts")["value"]
        if "registry" not in {artifact["name"] for artifact in artifacts}:
            session.error(f"run {run} succeeded without publishing the registry artifact")
    else:
        session.log("no earlier successful run: starting with an empty registry")
    print(f"##vso[task.setvariable variable=registryRun]{run}")
{%- endif %}


@nox.session(default=False, venv_backend="none")
def publish_registry(session: nox.Session) -> None:
    """Tag the pipeline run `registered` and `model-vN` after a registration: the deploy
    pipeline triggers on that tag. (The pipeline publishes models/registry itself.)"""
    outcome = registration()
    if not outcome["registered"]:
        session.log("nothing registered: the deploy pipeline will not run")
        return
    print("##vso[build.addbuildtag]registered")
    print(f"##vso[build.addbuildtag]model-v{outcome['version']}")


@nox.session(default=False, venv_backend="none")
def start_training(session: nox.Session) -> None:
    """After `nox -s monitor`: tag the run `retrain` when retraining is due; the train
    pipeline triggers on that tag, and its champion/challenger gate then decides."""
    if not monitoring_result(session)["retrain"]:
        session.log("no retraining is due: the train pipeline will not run")
        return
    print("##vso[build.addbuildtag]retrain")
{%- endif %}


if __name__ == "__main__":
    nox.main()
