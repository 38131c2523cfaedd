"""The model card: one page per model saying what it is for, what it learned from, how
well it did on the holdout rows and where it may fail, in the project's language.

`evaluate` writes it for the candidate beside metrics.json; `register` stores it with
the version it registers, `models card N` prints it and the service links it from
/metadata.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.dataset import PreparedData
from ..core.evaluation import INTERVAL_LEVEL, Evaluation, SliceScore, TestLevels
from ..core.goal import BusinessGoal, is_better
from ..core.texts import text
from .markdown import render_markdown
from .test_report import evaluation_context

WORST_SLICES = 3  # the slices the card names; the test report lists them all
TOP_FEATURES = 5
LOW_RECALL = 0.5  # a class the model finds less often than this is a limitation


@dataclass(frozen=True)
class MetricRow:
    metric: str
    holdout: float
    baseline: float
    cv_mean: float | None
    cv_std: float | None


def intended_use(goal_document: Path) -> str:
    """The business goal document's first section as the team wrote it (the user story
    in the sample): the text under its first `## ` heading. Empty when there is none."""
    if not goal_document.is_file():
        return ""
    body = goal_document.read_text(encoding="utf-8")
    sections = re.split(r"^## .*$", body, flags=re.MULTILINE)
    return sections[1].strip() if len(sections) > 1 else ""


def metric_rows(evaluation: Evaluation) -> list[MetricRow]:
    return [
        MetricRow(
            metric=metric,
            holdout=value,
            baseline=evaluation.baseline[metric],
            cv_mean=evaluation.cv.get(metric, {}).get("mean"),
            cv_std=evaluation.cv.get(metric, {}).get("std"),
        )
        for metric, value in evaluation.holdout.items()
    ]


def worst_slices(levels: TestLevels, goal: BusinessGoal) -> list[SliceScore]:
    """The scored slices furthest on the wrong side of the goal, worst first."""
    scored = [entry for entry in levels.slices if not math.isnan(entry.value)]
    worst_first = sorted(
        scored, key=lambda entry: entry.value, reverse=goal.direction == "minimize"
    )
    return worst_first[:WORST_SLICES]


def short_of(value: float, goal: BusinessGoal) -> bool:
    """Whether a score misses the goal's threshold (meeting it exactly passes, as in the
    gate: core/goal.py, judge)."""
    return value != goal.threshold and not is_better(value, goal.threshold, goal.direction)


def limitations(
    evaluation: Evaluation, goal: BusinessGoal, levels: TestLevels, prepared: PreparedData
) -> list[str]:
    """What a user of the model should know before trusting an answer, from the numbers
    on this page: each sentence names what it is drawn from."""
    schema = prepared.schema
    notes = [text("card.limit.data", source=schema.source, rows=len(prepared.train))]
    if evaluation.interval is not None:
        low, high = evaluation.interval
        reaches = high if goal.direction == "minimize" else low
        if short_of(reaches, goal):
            notes.append(
                text(
                    "card.limit.interval",
                    percent=round(INTERVAL_LEVEL * 100),
                    bound=reaches,
                    threshold=goal.threshold,
                )
            )
    missed = [
        entry
        for entry in levels.slices
        if not math.isnan(entry.value) and short_of(entry.value, goal)
    ]
    for entry in missed[:WORST_SLICES]:
        notes.append(
            text("card.limit.slice", column=entry.column, group=entry.group, value=entry.value)
        )
    for score in levels.classes:
        if score.recall < LOW_RECALL:
            notes.append(text("card.limit.recall", label=score.label, recall=score.recall))
    if schema.dates:
        notes.append(text("card.limit.dates"))
    notes.append(text("card.limit.missing"))
    return notes


def render_model_card(
    evaluation: Evaluation,
    goal: BusinessGoal,
    prepared: PreparedData,
    levels: TestLevels,
    use: str,
) -> str:
    """The card's Markdown, laid out by templates/model_card.md.j2."""
    importances = sorted(levels.importances, key=lambda entry: -entry.drop)[:TOP_FEATURES]
    return render_markdown(
        "model_card.md.j2",
        **evaluation_context(evaluation, goal, prepared),
        use=use,
        metrics=metric_rows(evaluation),
        worst=worst_slices(levels, goal),
        importances=importances,
        importance_metric=levels.importance_metric,
        limitations=limitations(evaluation, goal, levels, prepared),
    )
