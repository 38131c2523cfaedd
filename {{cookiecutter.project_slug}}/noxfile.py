"""Developer tasks. CI calls these sessions, so what passes here passes there."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session: nox.Session, *groups: str) -> None:
    """The project in editable mode plus the named dependency groups."""
    requirements = [
        req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)
    ]
    session.install("-e", ".", *requirements)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy."""
    install(session, "lint", "test")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The project's unit and end-to-end tests."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def pipeline(session: nox.Session) -> None:
    """Every stage in order, in a fresh environment: prepare ... register."""
    install(session)
    session.run("{{ cookiecutter.project_slug }}", "run")
