"""The business goal: the YAML front matter of docs/01_business_understanding.md is
the acceptance gate."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import describe_validation_error, read_yaml_mapping
from .errors import PipelineError
from .texts import text

Direction = Literal["minimize", "maximize"]

DIRECTIONS: dict[str, dict[str, Direction]] = {
    # value: the expected value of one prediction, from the goal's `value` block.
    "regression": {"rmse": "minimize", "mae": "minimize", "r2": "maximize", "value": "maximize"},
    # f1 is the positive class's F1 for two classes and the macro average for more;
    # f1_macro and balanced_accuracy weigh every class alike, for imbalanced targets.
    "classification": {
        "roc_auc": "maximize",
        "f1": "maximize",
        "f1_macro": "maximize",
        "balanced_accuracy": "maximize",
        "accuracy": "maximize",
        "value": "maximize",
    },
}
# The `value` block's keys each task reads (the others are kept for a switch of task).
VALUE_KEYS = {
    "regression": ("per_unit_under", "per_unit_over"),
    "classification": ("true_positive", "false_negative", "false_positive", "true_negative"),
}

# What importances, tuning and a sweep measure when the gate's metric has no scorer (value).
SCORER_FALLBACK = {"regression": "rmse", "classification": "roc_auc"}


def scorer_metric(metric: str, task: str) -> str:
    """`metric`, or the task's stand-in when no scikit-learn scorer computes it."""
    return SCORER_FALLBACK[task] if metric == "value" else metric


def is_better(value: float, reference: float, direction: Direction, margin: float = 0.0) -> bool:
    """True when `value` beats `reference` by more than `margin` in the metric's direction."""
    if direction == "minimize":
        return value < reference - margin
    return value > reference + margin


class OutcomeValues(BaseModel):
    """What one prediction is worth to the business, by how it turns out (a cost is a
    negative value). Regression: per unit of error below and above the outcome.
    Classification of two classes (the positive one is the last in sorted order: 1, above
    the threshold, for a target cut by data.class_threshold): per kind of answer. A key
    left out is worth 0."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_unit_under: float | None = None
    per_unit_over: float | None = None
    true_positive: float | None = None
    false_negative: float | None = None
    false_positive: float | None = None
    true_negative: float | None = None

    def for_task(self, task: str) -> dict[str, float] | None:
        """The values the task reads, a missing one as 0; None when it gives none."""
        given = {key: getattr(self, key) for key in VALUE_KEYS[task]}
        if all(value is None for value in given.values()):
            return None
        return {key: value or 0.0 for key, value in given.items()}


class MonitoringThresholds(BaseModel):
    """When `monitor` calls for retraining: at least `min_rows` recent rows (fewer are
    too few to judge), and a population stability index above `drift_psi` for a
    feature, the predictions or the arriving labels (or the live metric missing the
    gate's threshold)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_rows: Annotated[int, Field(ge=20)] = 200
    drift_psi: Annotated[float, Field(gt=0)] = 0.25


class BusinessGoal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    direction: Direction
    threshold: float
    must_beat: Literal["dummy"] | None = "dummy"
    min_improvement: Annotated[float, Field(ge=0)] = 0.0
    value: OutcomeValues | None = None
    monitoring: MonitoringThresholds = MonitoringThresholds()

    def values_for(self, task: str) -> dict[str, float] | None:
        return self.value.for_task(task) if self.value is not None else None


def gate_problem(goal: BusinessGoal, task: str) -> str | None:
    """What is wrong with the gate for this task: an unknown metric, the wrong direction,
    or `metric: value` without the values the task reads. None when it fits."""
    metrics = DIRECTIONS[task]
    if goal.metric not in metrics:
        return text(
            "error.not_a_metric", metric=repr(goal.metric), task=task, choices=", ".join(metrics)
        )
    if goal.direction != metrics[goal.metric]:
        return text("error.direction", direction=repr(metrics[goal.metric]), metric=goal.metric)
    if goal.metric == "value" and goal.values_for(task) is None:
        return text("error.value_block", keys=", ".join(VALUE_KEYS[task]))
    return None


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
        raise PipelineError(text("error.goal_not_found", path=path))
    front_matter = split_front_matter(path.read_text(encoding="utf-8"))
    if not front_matter:
        raise PipelineError(text("error.no_front_matter", path=path))
    raw = read_yaml_mapping(path, front_matter)
    try:
        goal = BusinessGoal.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(describe_validation_error(path, exc)) from exc
    problem = gate_problem(goal, task)
    if problem:
        raise PipelineError(f"{path}: {problem}")
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
