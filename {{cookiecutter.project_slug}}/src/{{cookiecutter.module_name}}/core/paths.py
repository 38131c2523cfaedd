"""Where each stage reads and writes: the project's standard layout, overridable per run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Each stage draws into a folder of its own under reports/: no two stages write the same
# folder, so a pipeline tool (DVC) can own each one as a stage's output.
ANALYSIS_FIGURES = Path("figures", "analysis")
TEST_FIGURES = Path("figures", "test")
MONITORING_FIGURES = Path("figures", "monitoring")
TUNING = Path("tuning")


@dataclass(frozen=True)
class ProjectPaths:
    """Where each stage reads and writes. `at(root)` gives the standard layout; the CLI
    lets each location be overridden, so the same commands run on a cluster's mounts."""

    root: Path
    params: Path
    business_goal: Path
    docs: Path
    interim: Path
    processed: Path
    candidate: Path
    registry: Path
    reports: Path
    # Where register writes registration.json (CI reads it); the reports folder unless a
    # cluster job gives register an output folder of its own.
    registration: Path
    # A data file to use instead of params.yaml's data.source (a cluster job's input).
    source: Path | None = None

    @classmethod
    def at(cls, root: Path) -> ProjectPaths:
        return cls(
            root=root,
            params=root / "params.yaml",
            business_goal=root / "docs" / "01_business_understanding.md",
            docs=root / "docs",
            interim=root / "data" / "interim",
            processed=root / "data" / "processed",
            candidate=root / "models" / "candidate",
            registry=root / "models" / "registry",
            reports=root / "reports",
            registration=root / "reports",
        )

    @property
    def analysis_figures(self) -> Path:
        return self.reports / ANALYSIS_FIGURES

    @property
    def test_figures(self) -> Path:
        return self.reports / TEST_FIGURES

    @property
    def monitoring_figures(self) -> Path:
        return self.reports / MONITORING_FIGURES

    @property
    def tuning(self) -> Path:
        """`tune`'s trials and their figure."""
        return self.reports / TUNING

    @property
    def requests(self) -> Path:
        """Where `serve` records what it answers, and `monitor` reads it."""
        return self.root / "monitoring" / "requests"


def absolute(path: Path) -> Path:
    """`path` absolute with `..` resolved, links not followed: a file that is a link into
    a data cache (DVC's symlink cache) keeps its own place in the project."""
    return Path(os.path.normpath(path.absolute()))
