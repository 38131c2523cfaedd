"""Stage 2, analyze: describe the training split and write the analysis report.

Only the training split is described, so nothing learned here leaks from the holdout set
that `evaluate` later uses to judge the model; the holdout is read only to say whether
its distributions differ from the training split's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.artifacts import write_text
from ..core.dataset import FEATURE_KINDS, PreparedData
from ..reports.analysis_report import (
    HIGH_PAIR_CORRELATION,
    AnalysisSummary,
    plot_figures,
    render_report,
)
from .data_checks import (
    categorical_associations,
    column_range,
    leakage_suspects,
    near_constant,
    sampled,
    split_shift,
)

REPORT_FILE = "02_analysis_report.md"


def iqr_outliers(values: pd.Series) -> int:
    """Count values beyond 1.5 inter-quartile ranges from the quartiles (Tukey's fences)."""
    numbers = values.dropna().astype(float)
    if numbers.empty:
        return 0
    first, third = np.percentile(numbers, [25, 75])
    spread = 1.5 * (third - first)
    return int(((numbers < first - spread) | (numbers > third + spread)).sum())


def repeated_columns(frame: pd.DataFrame, names: list[str]) -> list[tuple[str, str]]:
    """Columns equal value for value (missing cells alike) to an earlier one."""
    # Columns are compared by a hash of their values first, and in full only on a match.
    seen: dict[int, list[str]] = {}
    repeats: list[tuple[str, str]] = []
    for name in names:
        hashed = int(pd.util.hash_pandas_object(frame[name], index=False).sum())
        same = [other for other in seen.get(hashed, []) if frame[name].equals(frame[other])]
        if same:
            repeats.append((name, same[0]))
        else:
            seen.setdefault(hashed, []).append(name)
    return repeats


def repeated_rows(frame: pd.DataFrame) -> int:
    """Rows equal to an earlier one in every column, found by a 64-bit hash of each row:
    a third of the time of comparing the columns on a million rows, and a collision as
    unlikely as one in tens of millions there."""
    return int(pd.util.hash_pandas_object(frame, index=False).duplicated().sum())


def summarize(prepared: PreparedData) -> AnalysisSummary:
    """The numbers the report is written from, all computed on the training split."""
    schema = prepared.schema
    frame = prepared.train
    target = frame[schema.target].astype(float) if schema.task == "regression" else None
    numeric = frame[schema.numeric].astype(float)

    correlations: dict[str, float] = {}
    ranks: dict[str, float] = {}
    if schema.numeric and (target is not None or len(schema.classes or []) == 2):
        label = (
            target
            if target is not None
            else frame[schema.target].eq((schema.classes or [None])[-1]).astype(float)
        )
        some = sampled(numeric.assign(__label__=label))
        with np.errstate(invalid="ignore", divide="ignore"):
            correlations = numeric.corrwith(label).dropna().to_dict()
            # Spearman's rho is Pearson's r of the ranks (pandas' own method imports
            # SciPy's statistics, a second of a one-stage command).
            ranked = some.rank()
            ranks = ranked[schema.numeric].corrwith(ranked["__label__"]).dropna().to_dict()
    correlations = dict(sorted(correlations.items(), key=lambda item: -abs(item[1])))
    # The rows the association and leakage measures read (all of them up to SAMPLE_ROWS).
    some_rows = sampled(frame)
    associations = categorical_associations(some_rows, schema)

    pairs: list[tuple[str, str, float]] = []
    if len(schema.numeric) > 1:
        matrix = numeric.corr()
        for i, left in enumerate(schema.numeric):
            for right in schema.numeric[i + 1 :]:
                value = matrix.loc[left, right]
                if pd.notna(value) and abs(value) > HIGH_PAIR_CORRELATION:
                    pairs.append((left, right, float(value)))

    balance: dict[str, float] = {}
    if target is None:
        balance = {
            str(k): float(v)
            for k, v in frame[schema.target].value_counts(normalize=True).sort_index().items()
        }
    # Each feature's values counted once (gaps as a value): distinct values, constant and
    # near-constant columns all read them.
    counts = {name: frame[name].value_counts(dropna=False) for name in schema.features}
    distinct = {name: int(counts[name].index.notna().sum()) for name in schema.features}
    return AnalysisSummary(
        rows=len(frame),
        columns=len(schema.features),
        missing_rates={name: float(frame[name].isna().mean()) for name in schema.features},
        target_stats=(
            {key: float(value) for key, value in target.describe().items()}
            if target is not None
            else {}
        ),
        target_outliers=iqr_outliers(target) if target is not None else 0,
        target_correlations={name: float(value) for name, value in correlations.items()},
        correlated_pairs=pairs,
        cardinality={name: distinct[name] for name in schema.categorical},
        class_balance=balance,
        constant=[name for name in schema.features if distinct[name] <= 1],
        duplicates=repeated_columns(frame, schema.features),
        target_ranks={name: float(ranks[name]) for name in correlations if name in ranks},
        ranges={
            name: column_range(frame[name], kind)
            for kind in FEATURE_KINDS
            for name in getattr(schema, kind)
        },
        near_constant={
            name: share
            for name in schema.features
            if (share := near_constant(counts[name])) is not None
        },
        distinct=distinct,
        duplicate_rows=repeated_rows(frame[[*schema.features, schema.target]]),
        rows_with_missing=int(frame[schema.features].isna().any(axis=1).sum()),
        associations=associations,
        leakage=leakage_suspects(correlations, ranks, associations, some_rows),
        shifted=split_shift(frame, prepared.holdout, schema),
    )


def analyze(prepared: PreparedData, report_path: Path, figures_dir: Path) -> AnalysisSummary:
    """Summarize the training split, draw the figures and write the report."""
    summary = summarize(prepared)
    figures = plot_figures(prepared, summary, figures_dir)
    write_text(report_path, render_report(summary, prepared, figures, report_path))
    return summary
