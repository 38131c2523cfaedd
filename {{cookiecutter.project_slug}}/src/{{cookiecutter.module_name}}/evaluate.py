"""Stage 5, evaluate (the workshop's Test): judge the candidate on the holdout split.

Scores the candidate and a dummy baseline on the same holdout rows, applies the business
goal's gate, and writes reports/metrics.json and the test report with figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.metrics import RocCurveDisplay
from sklearn.pipeline import Pipeline

from .artifacts import write_json, write_text
from .dataset import PreparedData
from .goal import BusinessGoal, GoalVerdict, judge
from .metrics import is_better, score
from .models import make_baseline
from .registry import ModelRegistry, load_champion
from .report import markdown_table, new_figure, relative_link, save_figure
from .train import load_candidate

METRICS_FILE = "metrics.json"
REPORT_FILE = "test_report.md"


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


def plot_figures(model: Pipeline, prepared: PreparedData, figures_dir: Path) -> dict[str, Path]:
    features = prepared.features(prepared.holdout)
    labels = prepared.labels(prepared.holdout)
    figures: dict[str, Path] = {}
    if prepared.schema.task == "regression":
        predicted = model.predict(features)
        actual = labels.to_numpy(dtype=float)
        figure, axes = new_figure(5, 5)
        axes.scatter(actual, predicted, s=10, alpha=0.7)
        low, high = (
            float(min(actual.min(), predicted.min())),
            float(max(actual.max(), predicted.max())),
        )
        axes.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect")
        axes.set_xlabel(f"actual {prepared.schema.target}")
        axes.set_ylabel(f"predicted {prepared.schema.target}")
        axes.set_title("Predicted vs actual (holdout)")
        axes.legend()
        figures["Predicted vs actual"] = save_figure(
            figure, figures_dir / "predicted_vs_actual.png"
        )
        figure, axes = new_figure()
        axes.scatter(predicted, actual - predicted, s=10, alpha=0.7)
        axes.axhline(0, color="grey", linestyle="--")
        axes.set_xlabel("predicted")
        axes.set_ylabel("residual (actual - predicted)")
        axes.set_title("Residuals (holdout)")
        figures["Residuals"] = save_figure(figure, figures_dir / "residuals.png")
    elif len(prepared.schema.classes or []) == 2:
        figure, axes = new_figure(5, 5)
        RocCurveDisplay.from_estimator(model, features, labels, ax=axes)
        axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance")
        axes.set_title("ROC curve (holdout)")
        figures["ROC curve"] = save_figure(figure, figures_dir / "roc_curve.png")
    return figures


def render_report(
    evaluation: Evaluation,
    goal: BusinessGoal,
    prepared: PreparedData,
    figures: dict[str, Path],
    report_path: Path,
) -> str:
    verdict = evaluation.goal
    metric_rows = [
        [
            f"**{name}**" if name == verdict.metric else name,
            evaluation.cv[name]["mean"],
            evaluation.cv[name]["std"],
            value,
            evaluation.baseline[name],
            *([evaluation.champion[name]] if evaluation.champion else []),
        ]
        for name, value in evaluation.holdout.items()
    ]
    metric_headers = ["metric", "CV mean", "CV std", "holdout", "dummy (holdout)"]
    if evaluation.champion:
        metric_headers.append(f"champion v{evaluation.champion_version} (holdout)")
    decision = "register" if evaluation.decision.register else "do not register"
    sections = [
        "# Test report",
        "",
        f"Written by the `evaluate` stage for model `{evaluation.record['model']}` "
        f"(sha256 `{evaluation.record['sha256'][:12]}`), trained {evaluation.record['trained_at']} "
        f"on data `{prepared.schema.fingerprint[:12]}`. Rerun the stage to refresh it.",
        "",
        "## Verdict",
        "",
        f"**{'PASS' if verdict.met else 'FAIL'}** — {verdict.sentence()}",
        "",
        f"Decision: **{decision}**. " + " ".join(evaluation.decision.reasons[1:]),
        "",
        "## Acceptance gate (from docs/business_goal.md)",
        "",
        markdown_table(
            ["metric", "direction", "threshold", "must beat", "min improvement"],
            [
                [
                    goal.metric,
                    goal.direction,
                    goal.threshold,
                    goal.must_beat or "-",
                    goal.min_improvement,
                ]
            ],
        ),
        "",
        "## Data checks",
        "",
        f"- Training rows: {len(prepared.train)}; holdout rows: {len(prepared.holdout)} "
        "(never used for training or cross-validation).",
        f"- Features: {len(prepared.schema.numeric)} numeric, "
        f"{len(prepared.schema.categorical)} categorical.",
        f"- Rows dropped for a missing target: {prepared.schema.dropped_rows_without_target}.",
        "",
        "## Model metrics",
        "",
        markdown_table(metric_headers, metric_rows),
        "",
        "The dummy ignores every feature (it predicts the training mean or class prior): a "
        "model that cannot beat it has learned nothing useful.",
    ]
    if figures:
        sections += ["", "## Figures", ""]
        sections += [
            f"![{title}]({relative_link(path, report_path)})\n" for title, path in figures.items()
        ]
    return "\n".join(sections).rstrip() + "\n"


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
    write_json(reports_dir / METRICS_FILE, evaluation.to_dict())
    write_text(report_path, render_report(evaluation, goal, prepared, figures, report_path))
    return evaluation
