"""The business goal: the YAML front matter of docs/01_business_understanding.md is
the acceptance gate."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import describe_validation_error, read_yaml_mapping
from .errors import PipelineError

Direction = Literal["minimize", "maximize"]

DIRECTIONS: dict[str, dict[str, Direction]] = {
    "regression": {"rmse": "minimize", "mae": "minimize", "r2": "maximize"},
    # f1 is the positive class's F1 for two classes and the macro average for more;
    # f1_macro and balanced_accuracy weigh every class alike, for imbalanced targets.
    "classification": {
        "roc_auc": "maximize",
        "f1": "maximize",
        "f1_macro": "maximize",
        "balanced_accuracy": "maximize",
        "accuracy": "maximize",
    },
}


def is_better(value: float, reference: float, direction: Direction, margin: float = 0.0) -> bool:
    """True when `value` beats `reference` by more than `margin` in the metric's direction."""
    if direction == "minimize":
        return value < reference - margin
    return value > reference + margin


class BusinessGoal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    direction: Direction
    threshold: float
    must_beat: Literal["dummy"] | None = "dummy"
    min_improvement: Annotated[float, Field(ge=0)] = 0.0


@dataclass(frozen=True)
class GoalVerdict:
    metric: str
    direction: str
    threshold: float
    value: float
    baseline_value: float
    meets_threshold: bool
    beats_baseline: bool
    met: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sentence(self) -> str:
        comparison = "at most" if self.direction == "minimize" else "at least"
        outcome = "meets" if self.met else "does not meet"
        reasons = []
        if not self.meets_threshold:
            reasons.append(f"{self.metric} {self.value:.4g} misses the threshold")
        if not self.beats_baseline:
            reasons.append(f"it does not beat the dummy baseline ({self.baseline_value:.4g})")
        why = f": {'; '.join(reasons)}" if reasons else ""
        return (
            f"The model {outcome} the business goal ({self.metric} {comparison} "
            f"{self.threshold:g}; holdout {self.value:.4g}, dummy {self.baseline_value:.4g}){why}."
        )


def split_front_matter(text: str) -> str:
    """The YAML between the leading '---' lines of a Markdown document."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return ""
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index])
    return ""


def load_goal(path: Path, task: str) -> BusinessGoal:
    """Read and validate the gate, checking the metric exists for this task."""
    if not path.is_file():
        raise PipelineError(f"business goal not found: {path}")
    front_matter = split_front_matter(path.read_text(encoding="utf-8"))
    if not front_matter:
        raise PipelineError(f"{path}: no YAML front matter between '---' lines at the top")
    raw = read_yaml_mapping(path, front_matter)
    try:
        goal = BusinessGoal.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(describe_validation_error(path, exc)) from exc
    metrics = DIRECTIONS[task]
    if goal.metric not in metrics:
        raise PipelineError(
            f"{path}: metric {goal.metric!r} is not a {task} metric; "
            f"choose one of {', '.join(metrics)}"
        )
    if goal.direction != metrics[goal.metric]:
        raise PipelineError(f"{path}: direction for {goal.metric} must be {metrics[goal.metric]!r}")
    return goal


def judge(goal: BusinessGoal, holdout: dict[str, float], baseline: dict[str, float]) -> GoalVerdict:
    value = holdout[goal.metric]
    baseline_value = baseline[goal.metric]
    # Meeting the threshold exactly counts as meeting it.
    meets_threshold = value == goal.threshold or is_better(value, goal.threshold, goal.direction)
    beats_baseline = goal.must_beat is None or is_better(value, baseline_value, goal.direction)
    return GoalVerdict(
        metric=goal.metric,
        direction=goal.direction,
        threshold=goal.threshold,
        value=value,
        baseline_value=baseline_value,
        meets_threshold=meets_threshold,
        beats_baseline=beats_baseline,
        met=meets_threshold and beats_baseline,
    )
