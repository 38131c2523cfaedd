"""Stage 5, evaluate (the workshop's Test): judge the candidate on the holdout split.

Scores the candidate and a dummy baseline on the same holdout rows, applies the business
goal's gate, and writes reports/metrics.json and the test report with figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .artifacts import write_json, write_text
from .checks import service_checks, slice_scores
from .dataset import PreparedData
from .evaluation_report import TestLevels, plot_figures, render_report
from .goal import BusinessGoal, GoalVerdict, judge
from .metrics import is_better, score
from .models import make_baseline
from .registry import ModelRegistry, load_champion
from .train import load_candidate

METRICS_FILE = "metrics.json"
REPORT_FILE = "06_test_report.md"


@dataclass(frozen=True)
class Decision:
    register: bool
    reasons: list[str]


def decide(goal: BusinessGoal, verdict: GoalVerdict, champion: dict[str, float] | None) -> Decision:
    """Register when the goal is met and, if a champion exists, the challenger beats it
    on the same holdout rows by at least `min_improvement`."""
    reasons = [verdict.sentence()]
    if not verdict.met:
        return Decision(False, reasons)
    if champion is None:
        return Decision(True, [*reasons, "There is no champion yet."])
    value, incumbent = verdict.value, champion[goal.metric]
    better = is_better(value, incumbent, goal.direction, goal.min_improvement)
    comparison = "beats" if better else "does not beat"
    reasons.append(
        f"The challenger's {goal.metric} {value:.4g} {comparison} the champion's "
        f"{incumbent:.4g} by more than {goal.min_improvement:g}."
    )
    return Decision(better, reasons)


@dataclass(frozen=True)
class Evaluation:
    holdout: dict[str, float]
    baseline: dict[str, float]
    cv: dict[str, dict[str, float]]
    goal: GoalVerdict
    record: dict[str, Any]
    champion_version: int | None
    champion: dict[str, float] | None
    decision: Decision

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.record["schema"]["task"],
            "model": self.record["model"],
            "model_sha256": self.record["sha256"],
            "data_fingerprint": self.record["schema"]["fingerprint"],
            "cv": self.cv,
            "holdout": self.holdout,
            "baseline": self.baseline,
            "goal": self.goal.to_dict(),
            "champion": (
                {"version": self.champion_version, "holdout": self.champion}
                if self.champion is not None
                else None
            ),
            "decision": {"register": self.decision.register, "reasons": self.decision.reasons},
        }


def evaluate(
    prepared: PreparedData,
    candidate_dir: Path,
    goal: BusinessGoal,
    reports_dir: Path,
    report_path: Path,
    registry: ModelRegistry,
) -> Evaluation:
    """Score the candidate, the dummy and the champion on the holdout split; decide."""
    model, record = load_candidate(candidate_dir)
    features = prepared.features(prepared.holdout)
    labels = prepared.labels(prepared.holdout)
    holdout = score(model, features, labels, prepared.schema)
    baseline_model = make_baseline(prepared.schema.task).fit(
        prepared.features(prepared.train), prepared.labels(prepared.train)
    )
    baseline = score(baseline_model, features, labels, prepared.schema)
    champion = load_champion(registry)
    # The champion is re-scored on this holdout, so both models face the same rows.
    champion_scores = score(champion.model, features, labels, prepared.schema) if champion else None
    verdict = judge(goal, holdout, baseline)
    evaluation = Evaluation(
        holdout=holdout,
        baseline=baseline,
        cv=record["cv"],
        goal=verdict,
        record=record,
        champion_version=champion.version if champion else None,
        champion=champion_scores,
        decision=decide(goal, verdict, champion_scores),
    )
    figures = plot_figures(model, prepared, reports_dir / "figures")
    checks = TestLevels(
        slices=slice_scores(model, prepared, goal.metric),
        service=service_checks(model, record, prepared),
    )
    write_json(reports_dir / METRICS_FILE, evaluation.to_dict())
    write_text(report_path, render_report(evaluation, goal, prepared, checks, figures, report_path))
    return evaluation
