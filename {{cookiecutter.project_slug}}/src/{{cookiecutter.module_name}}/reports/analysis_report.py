"""The analysis report: findings in plain sentences, column and target tables, figures,
and the communication exercise. The analyze stage computes the summary it is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from ..core.dataset import FEATURE_KINDS, PreparedData
from ..core.texts import text
from .figures import (
    Margins,
    figure_text,
    new_figure,
    new_figure_grid,
    new_figure_row,
    plotted_positions,
    remove_stale,
    save_figure,
)
from .markdown import Question, figure_links, render_markdown

HIGH_MISSING_RATE = 0.5
HIGH_PAIR_CORRELATION = 0.8
TOP_FEATURES_PLOTTED = 3
# The distributions grid: panels to a row, panels at most (the Columns table lists every
# feature), and bars per categorical panel (its most common values).
GRID_COLUMNS = 4
MAX_DISTRIBUTIONS = 24
TOP_CATEGORIES = 8
# Every file plot_figures may write in its folder; a run deletes those it did not.
FIGURE_FILES = (
    "target_distribution.png",
    "distributions.png",
    "correlation.png",
    "top_features.png",
)


@dataclass(frozen=True)
class ColumnRange:
    """What a feature's values span: numbers and dates as low, median and high; a
    category as its most common value and that value's share of the rows."""

    low: object = None
    middle: object = None
    high: object = None


@dataclass(frozen=True)
class AnalysisSummary:
    rows: int
    columns: int
    missing_rates: dict[str, float]
    target_stats: dict[str, float]
    target_outliers: int
    target_correlations: dict[str, float]
    correlated_pairs: list[tuple[str, str, float]]
    cardinality: dict[str, int]
    class_balance: dict[str, float] = field(default_factory=dict)
    constant: list[str] = field(default_factory=list)  # one value (or none) in training
    # Features that repeat an earlier one value for value: (the copy, the original).
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    target_ranks: dict[str, float] = field(default_factory=dict)  # Spearman, as correlations
    ranges: dict[str, ColumnRange] = field(default_factory=dict)
    near_constant: dict[str, float] = field(default_factory=dict)  # the top value's share
    duplicate_rows: int = 0  # rows repeating an earlier one, features and target alike
    rows_with_missing: int = 0
    # Categorical features' association with the target (eta or Cramér's V).
    associations: dict[str, float] = field(default_factory=dict)
    leakage: list[tuple[str, float]] = field(default_factory=list)
    shifted: dict[str, float] = field(default_factory=dict)  # holdout against training
    distinct: dict[str, int] = field(default_factory=dict)  # values per feature, gaps aside

    @property
    def high_missing(self) -> list[str]:
        return [name for name, rate in self.missing_rates.items() if rate > HIGH_MISSING_RATE]


def code_names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def findings(summary: AnalysisSummary, prepared: PreparedData) -> list[str]:
    """Plain sentences a reader can act on."""
    schema = prepared.schema
    notes = [
        text(
            "finding.shape",
            rows=summary.rows,
            columns=summary.columns,
            numeric=len(schema.numeric),
            categorical=len(schema.categorical),
            dates=len(schema.dates),
        )
    ]
    if schema.identifiers:
        notes.append(
            text(
                "finding.identifiers",
                names=code_names(schema.identifiers),
                count=len(schema.identifiers),
            )
        )
    if schema.dates:
        notes.append(text("finding.dates", names=code_names(schema.dates)))
    if schema.dropped_rows_without_target:
        notes.append(text("finding.dropped", count=schema.dropped_rows_without_target))
    missing = {name: rate for name, rate in summary.missing_rates.items() if rate > 0}
    if missing:
        worst = max(missing, key=lambda name: missing[name])
        notes.append(text("finding.missing", count=len(missing), worst=worst, rate=missing[worst]))
        notes.append(
            text(
                "finding.missing_rows",
                count=summary.rows_with_missing,
                share=summary.rows_with_missing / max(summary.rows, 1),
            )
        )
    else:
        notes.append(text("finding.no_missing"))
    if summary.high_missing:
        notes.append(text("finding.high_missing", names=code_names(summary.high_missing)))
    if summary.target_correlations:
        name, value = next(iter(summary.target_correlations.items()))
        notes.append(text("finding.top_correlation", name=name, value=value))
        weak = [n for n, v in summary.target_correlations.items() if abs(v) < 0.1]
        if weak:
            notes.append(text("finding.weak", count=len(weak), names=code_names(weak)))
    if summary.correlated_pairs:
        left, right, value = summary.correlated_pairs[0]
        notes.append(
            text(
                "finding.pairs",
                count=len(summary.correlated_pairs),
                threshold=HIGH_PAIR_CORRELATION,
                left=left,
                right=right,
                value=value,
            )
        )
    if summary.target_stats:
        stats = summary.target_stats
        notes.append(
            text(
                "finding.target_range",
                low=stats["min"],
                high=stats["max"],
                median=stats["50%"],
                outliers=summary.target_outliers,
            )
        )
    if summary.class_balance:
        smallest = min(summary.class_balance, key=lambda k: summary.class_balance[k])
        notes.append(
            text("finding.rarest", label=repr(smallest), share=summary.class_balance[smallest])
        )
    high_cardinality = [
        name for name in summary.cardinality if schema.listed_categories(name) is None
    ]
    if high_cardinality:
        notes.append(text("finding.cardinality", names=code_names(high_cardinality)))
    if summary.constant:
        constant = summary.constant
        notes.append(text("finding.constant", names=code_names(constant), count=len(constant)))
    for copy, original in summary.duplicates:
        notes.append(text("finding.duplicate", copy=copy, original=original))
    return notes + data_findings(summary)


def data_findings(summary: AnalysisSummary) -> list[str]:
    """Near-constant columns, repeated rows, a categorical feature's association with
    the target, suspected leakage, and holdout distributions unlike the training
    split's."""
    notes = []
    for name, share in summary.near_constant.items():
        notes.append(text("finding.near_constant", name=name, share=share))
    if summary.duplicate_rows:
        notes.append(text("finding.duplicate_rows", count=summary.duplicate_rows))
    if summary.associations:
        name, value = next(iter(summary.associations.items()))
        notes.append(text("finding.top_association", name=name, value=value))
    for name, value in summary.leakage:
        notes.append(text("finding.leakage", name=name, value=value))
    if summary.shifted:
        name, value = next(iter(summary.shifted.items()))
        notes.append(
            text(
                "finding.shift",
                names=code_names(list(summary.shifted)),
                count=len(summary.shifted),
                name=name,
                value=value,
            )
        )
    else:
        notes.append(text("finding.no_shift"))
    return notes


def plot_figures(
    prepared: PreparedData, summary: AnalysisSummary, figures_dir: Path
) -> dict[str, Path]:
    """Target distribution, correlation heatmap and the top features against the target."""
    schema = prepared.schema
    frame = prepared.train
    figures: dict[str, Path] = {}

    figure, axes = new_figure()
    if schema.task == "regression":
        axes.hist(frame[schema.target].astype(float), bins=30, color="#4C72B0")
        axes.set_xlabel(schema.target)
        axes.set_ylabel(figure_text("rows"))
    else:
        counts = frame[schema.target].astype(str).value_counts().sort_index()
        axes.bar(counts.index, counts.to_numpy(), color="#4C72B0")
        axes.set_ylabel(figure_text("rows"))
    axes.set_title(figure_text("plot.distribution", target=schema.target))
    figures[text("figure.target_distribution")] = save_figure(
        figure, figures_dir / "target_distribution.png"
    )

    shown = schema.features[:MAX_DISTRIBUTIONS]
    if shown:
        figure, panels = new_figure_grid(len(shown), GRID_COLUMNS)
        for axes, name in zip(panels, shown, strict=True):
            draw_distribution(axes, frame[name], name in schema.categorical)
            gaps = summary.missing_rates[name]
            shown_gaps = f" ({figure_text('plot.gaps', share=gaps)})" if gaps else ""
            axes.set_title(f"{name}{shown_gaps}", fontsize=9)
        figures[text("figure.distributions")] = save_figure(
            figure, figures_dir / "distributions.png"
        )

    if len(schema.numeric) > 1:
        matrix = frame[schema.numeric].astype(float).corr()
        longest = max(len(name) for name in schema.numeric)
        margins = Margins().for_labels(longest)
        size = max(4.0, 0.45 * len(schema.numeric) + 2) + margins.bottom
        figure, axes = new_figure(size + 1, size, margins)
        image = axes.imshow(matrix.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
        axes.set_xticks(range(len(schema.numeric)), schema.numeric, rotation=90)
        axes.set_yticks(range(len(schema.numeric)), schema.numeric)
        figure.colorbar(image, ax=axes, label=figure_text("pearson"))
        axes.set_title(figure_text("plot.correlation"))
        figures[text("figure.correlation")] = save_figure(figure, figures_dir / "correlation.png")

    top = list(summary.target_correlations)[:TOP_FEATURES_PLOTTED]
    if top:
        points = frame.iloc[plotted_positions(len(frame))]
        # One target scale for every panel: the strongest relation reads at a glance.
        figure, row = new_figure_row(len(top), 4.0 * len(top), 3.5, sharey=True)
        row[0].set_ylabel(schema.target)
        for axes, name in zip(row, top, strict=True):
            axes.scatter(points[name], points[schema.target], s=8, alpha=0.6)
            axes.set_xlabel(name)
            axes.set_title(f"r = {summary.target_correlations[name]:.2f}")
        figures[text("figure.top_features")] = save_figure(figure, figures_dir / "top_features.png")
    remove_stale(figures_dir, FIGURE_FILES, figures)
    return figures


def draw_distribution(axes: Axes, values: pd.Series, categorical: bool) -> None:
    """A histogram of a number or a date, or a category's most common values as bars
    (gaps as a bar of their own, so the panel shows how many there are)."""
    axes.tick_params(labelsize=7)
    if categorical:
        labelled = values.astype(object).fillna(figure_text("plot.gap")).astype(str)
        counts = labelled.value_counts().head(TOP_CATEGORIES)
        axes.barh(counts.index[::-1], counts.to_numpy()[::-1], color="#4C72B0")
        return
    present = values.dropna()
    if pd.api.types.is_datetime64_any_dtype(present):
        if present.dt.tz is not None:
            present = present.dt.tz_localize(None)
        axes.tick_params(axis="x", labelrotation=30)
    # One filled outline per panel, not 30 bars: the grid draws in a fraction of the time.
    axes.hist(present.to_numpy(), bins=30, color="#4C72B0", histtype="stepfilled")


def analysis_questions(summary: AnalysisSummary) -> list[Question]:
    """Whom to ask about what this report found, and only that: the ranges always (the
    domain expert knows which values are impossible), then each kind of finding."""
    questions = [Question("role.domain", "ask.analysis.ranges")]
    for name, _ in summary.leakage:
        questions.append(Question("role.domain", "ask.analysis.leakage", {"name": name}))
    missing = [name for name, rate in summary.missing_rates.items() if rate > 0]
    if missing:
        names = code_names(missing[:3])
        questions.append(Question("role.engineer", "ask.analysis.missing", {"names": names}))
    single = [*summary.constant, *summary.near_constant]
    if single:
        names = code_names(single[:3])
        questions.append(Question("role.engineer", "ask.analysis.single", {"names": names}))
    if summary.duplicate_rows:
        count = summary.duplicate_rows
        questions.append(Question("role.engineer", "ask.analysis.duplicates", {"count": count}))
    if summary.shifted:
        names = code_names(list(summary.shifted)[:3])
        questions.append(Question("role.scientist", "ask.analysis.shift", {"names": names}))
    if summary.correlated_pairs:
        left, right, _ = summary.correlated_pairs[0]
        values = {"left": left, "right": right}
        questions.append(Question("role.scientist", "ask.analysis.pairs", values))
    questions.append(Question("role.product", "ask.analysis.product"))
    return questions


@dataclass(frozen=True)
class ColumnRow:
    name: str
    kind: str  # the catalogue key: one of FEATURE_KINDS
    missing: float
    unique: int
    span: ColumnRange


def render_report(
    summary: AnalysisSummary, prepared: PreparedData, figures: dict[str, Path], report_path: Path
) -> str:
    """The report's Markdown, laid out by templates/analysis_report.md.j2."""
    schema = prepared.schema
    columns = [
        ColumnRow(
            name=name,
            kind=next(kind for kind in FEATURE_KINDS if name in getattr(schema, kind)),
            missing=summary.missing_rates[name],
            unique=summary.distinct[name],
            span=summary.ranges.get(name, ColumnRange()),
        )
        for name in schema.features
    ]
    return render_markdown(
        "analysis_report.md.j2",
        summary=summary,
        schema=schema,
        findings=findings(summary, prepared),
        columns=columns,
        pair_threshold=HIGH_PAIR_CORRELATION,
        figures=figure_links(figures, report_path),
        questions=analysis_questions(summary),
    )
