"""The monitoring report (docs/07_monitoring_report.md): each column's drift from the
training split, the predictions' and the live metric's, the verdict on retraining, a
figure, and whom to ask what about it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.artifacts import write_text
from ..core.drift import ColumnDrift, Monitoring
from ..core.texts import text
from .figures import Margins, figure_text, new_figure, remove_stale, save_figure
from .markdown import Question, figure_links, render_markdown

# Every file the report may write in its folder; a run deletes those it did not.
FIGURE_FILES = ("drift.png", "drifted_feature.png")
SHOWN_NEW_CATEGORIES = 5


def plot_drift(columns: list[ColumnDrift], threshold: float, figures_dir: Path) -> Path:
    """A bar per column (features, the predictions, the outcomes): its PSI, and the
    threshold past which it counts as drift."""
    longest = max(len(column.column) for column in columns)
    height = 1.2 + 0.3 * len(columns)
    figure, axes = new_figure(6.5, height, Margins().for_labels(min(longest, 24)))
    names = [column.column for column in columns]
    values = [column.psi for column in columns]
    colours = ["tab:red" if column.drifted else "tab:blue" for column in columns]
    positions = np.arange(len(columns))
    axes.barh(positions, values, color=colours)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()
    axes.axvline(
        threshold, color="grey", linestyle="--", label=figure_text("plot.threshold", psi=threshold)
    )
    axes.set_xlabel(figure_text("plot.psi_axis"))
    axes.set_title(figure_text("plot.drift"))
    axes.legend(loc="lower right")
    return save_figure(figure, figures_dir / "drift.png")


def plot_distribution(
    column: str, reference: pd.Series, current: pd.Series, figures_dir: Path
) -> Path:
    """The most drifted numeric feature: its training and recent distributions."""
    figure, axes = new_figure()
    known = pd.to_numeric(reference, errors="coerce").dropna()
    recent = pd.to_numeric(current, errors="coerce").dropna()
    edges = np.histogram_bin_edges(pd.concat([known, recent]).to_numpy(float), bins=30)
    bins = edges.tolist()
    axes.hist(known, bins=bins, density=True, alpha=0.55, label=figure_text("plot.training"))
    axes.hist(recent, bins=bins, density=True, alpha=0.55, label=figure_text("plot.recent"))
    axes.set_xlabel(column)
    axes.set_ylabel(figure_text("plot.density"))
    axes.set_title(figure_text("plot.recent_distribution", column=column))
    axes.legend()
    return save_figure(figure, figures_dir / "drifted_feature.png")


def questions(result: Monitoring) -> list[Question]:
    """Whom to ask what, from what the stage found."""
    found: list[Question] = []
    drifted = [column.column for column in result.drifted]
    if not result.judged:
        found.append(Question("role.ml", "ask.monitor.window", {"rows": result.rows}))
    if drifted:
        found.append(
            Question("role.engineer", "ask.monitor.drift", {"columns": ", ".join(drifted)})
        )
    for column in result.features:
        if column.new_categories:
            shown = ", ".join(list(column.new_categories)[:SHOWN_NEW_CATEGORIES])
            values = {"column": column.column, "values": shown}
            found.append(Question("role.domain", "ask.monitor.new", values))
    if result.prediction is not None and result.prediction.drifted:
        found.append(
            Question("role.product", "ask.monitor.prediction", {"psi": result.prediction.psi})
        )
    live = result.live
    if live is not None and live.met is False:
        serving = {"metric": live.metric, "version": result.model_version}
        found.append(Question("role.risk", "ask.monitor.metric", serving))
    if live is None:
        found.append(Question("role.engineer", "ask.monitor.no_labels"))
    elif live.value is None:
        found.append(Question("role.engineer", "ask.monitor.labels", {"rows": live.rows}))
    if result.judged and not result.retrain:
        found.append(Question("role.domain", "ask.monitor.quiet", {"rows": result.rows}))
    return found


def write_report(
    result: Monitoring,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    document: Path,
    figures_dir: Path,
) -> Path:
    """docs/07_monitoring_report.md and its figures, from the stage's result and the
    rows it compared (`reference`: the training split's features; `current`: recent)."""
    columns = [*result.features]
    if result.prediction is not None:
        columns.append(result.prediction)
    if result.live is not None and result.live.labels is not None:
        columns.append(result.live.labels)
    figures: dict[str, Path] = {}
    if columns and result.rows:
        threshold = float(result.thresholds["drift_psi"])
        figures[text("plot.drift")] = plot_drift(columns, threshold, figures_dir)
        numeric = [column for column in result.features if column.kind == "numeric"]
        if numeric:
            top = max(numeric, key=lambda column: column.psi)
            figures[text("plot.recent_distribution", column=top.column)] = plot_distribution(
                top.column, reference[top.column], current[top.column], figures_dir
            )
    remove_stale(figures_dir, FIGURE_FILES, figures)
    content = render_markdown(
        "monitoring_report.md.j2",
        result=result,
        figures=figure_links(figures, document),
        questions=questions(result),
        shown_new=SHOWN_NEW_CATEGORIES,
    )
    return write_text(document, content)
