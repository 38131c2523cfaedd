"""What evaluate found and decided: the records the test report, metrics.json, MLflow and
register read. Plain data, so the layers above share it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .goal import BusinessGoal, GoalVerdict, is_better

# A slice with fewer holdout rows is reported without a score: too noisy to act on.
MIN_SLICE_ROWS = 10


@dataclass(frozen=True)
class SliceScore:
    column: str
    group: str
    rows: int
    value: float | None  # None when the metric is undefined there (one class only)


@dataclass(frozen=True)
class ServiceCheck:
    step: str  # input, load, predict, output
    passed: bool


@dataclass(frozen=True)
class TestLevels:
    slices: list[SliceScore]
    service: list[ServiceCheck]


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
