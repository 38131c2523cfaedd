"""What evaluate found and decided: the records the test report, metrics.json, MLflow and
register read. Plain data, so the layers above share it without importing each other."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .dataset import FEATURE_KINDS, DatasetSchema
from .goal import BusinessGoal, GoalVerdict, is_better
from .texts import text

# A slice with fewer holdout rows is reported without a score: too noisy to act on.
MIN_SLICE_ROWS = 10


# The share of bootstrap resamples an interval covers.
INTERVAL_LEVEL = 0.95
IMPORTANCE_REPEATS = 5  # shuffles per feature for permutation importance


@dataclass(frozen=True)
class SliceScore:
    column: str
    group: str
    rows: int
    value: float
    interval: tuple[float, float] | None = None  # INTERVAL_LEVEL bootstrap interval


@dataclass(frozen=True)
class ClassScore:
    """How a classifier does on one class of the holdout rows."""

    label: Any
    rows: int  # the class's holdout rows (its support)
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class CalibrationBin:
    """Holdout rows whose predicted probability of the positive class falls in one bin:
    a calibrated model's mean prediction there matches how often the class occurs."""

    rows: int
    predicted: float  # mean predicted probability of the positive class
    observed: float  # share of the rows that are the positive class


@dataclass(frozen=True)
class Calibration:
    """How far a two-class model's probabilities are from the frequencies they claim."""

    positive: Any  # the class the probabilities are for
    brier: float  # mean squared difference of probability and outcome (0 is perfect)
    prior_brier: float  # the Brier score of always predicting the positive class's share
    bins: list[CalibrationBin]


@dataclass(frozen=True)
class Coefficient:
    """A linear model's weight for one of its inputs (after the feature pipeline)."""

    feature: str
    weight: float
    label: Any = None  # more than two classes: the class whose weight is largest


@dataclass(frozen=True)
class RangeError:
    """How a regression errs on the holdout rows whose actual target lies in a range."""

    low: float
    high: float
    rows: int
    bias: float  # mean of prediction - actual: below zero, the model predicts too low
    mae: float


@dataclass(frozen=True)
class FeatureImportance:
    """How much the holdout score drops when one feature's values are shuffled."""

    feature: str
    drop: float  # mean over the shuffles, in the metric's own units; near 0: unused
    spread: float  # standard deviation over the shuffles


@dataclass(frozen=True)
class ServiceCheck:
    step: str  # input, load, predict, output
    passed: bool


@dataclass(frozen=True)
class TestLevels:
    slices: list[SliceScore]
    service: list[ServiceCheck]
    classes: list[ClassScore] = field(default_factory=list)  # classification only
    ranges: list[RangeError] = field(default_factory=list)  # regression only
    importances: list[FeatureImportance] = field(default_factory=list)
    importance_metric: str = ""  # the metric the importances are drops of
    confusion: list[list[int]] = field(default_factory=list)  # rows actual, columns predicted
    calibration: Calibration | None = None  # two classes only
    coefficients: list[Coefficient] = field(default_factory=list)  # linear models only


@dataclass(frozen=True)
class Decision:
    register: bool
    reasons: list[str]


# Names listed when a champion's features differ from the candidate's; more are counted.
LISTED_FEATURES = 5


@dataclass(frozen=True)
class DataChange:
    """How the champion's training data differs from the candidate's, so that the
    champion cannot be scored on the candidate's holdout rows."""

    what: Literal["task", "target", "features"]
    was: str  # the champion's task or target, or its features the candidate lacks
    now: str  # the candidate's, or the features only the candidate has

    def sentence(self) -> str:
        """What differs, in the project's language."""
        return text(f"change.{self.what}", was=self.was or "-", now=self.now or "-")


def listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED_FEATURES])
    return f"{shown} (+{len(names) - LISTED_FEATURES})" if len(names) > LISTED_FEATURES else shown


def data_change(champion: dict[str, Any], candidate: DatasetSchema) -> DataChange | None:
    """What differs between the champion's schema (as registered) and the candidate's:
    the task, the target, or a feature's presence or kind. None when the champion can
    be scored on the candidate's rows."""
    if champion["task"] != candidate.task:
        return DataChange("task", champion["task"], candidate.task)
    if champion["target"] != candidate.target:
        return DataChange("target", champion["target"], candidate.target)
    # A champion registered before a kind existed has no list for it.
    before = {(name, kind) for kind in FEATURE_KINDS for name in champion.get(kind, [])}
    after = {(name, kind) for kind in FEATURE_KINDS for name in getattr(candidate, kind)}
    if before == after:
        return None
    gone = sorted(f"{name} ({kind})" for name, kind in before - after)
    new = sorted(f"{name} ({kind})" for name, kind in after - before)
    return DataChange("features", listed(gone), listed(new))


def verdict_sentence(verdict: GoalVerdict) -> str:
    """The gate's verdict in the project's language, as the test report states it."""
    bound = "at_most" if verdict.direction == "minimize" else "at_least"
    return text(
        "verdict.met" if verdict.met else "verdict.missed",
        metric=verdict.metric,
        value=verdict.value,
        comparison=text(bound),
        threshold=verdict.threshold,
        baseline=verdict.baseline_value,
    )


def decide(
    goal: BusinessGoal,
    verdict: GoalVerdict,
    champion: dict[str, float] | None,
    change: DataChange | None = None,
    champion_version: int | None = None,
) -> Decision:
    """Register when the goal is met and, if a champion exists, the challenger beats it
    on the same holdout rows by at least `min_improvement`. A champion trained on other
    data (`change` says what differs) cannot be scored on these rows: the challenger
    then replaces it when it meets the goal. The reasons are sentences in the project's
    language (metrics.json keeps its keys in English for scripts)."""
    reasons = [verdict_sentence(verdict)]
    if not verdict.met:
        return Decision(False, reasons)
    if change is not None:
        other = text("decision.other_data", version=champion_version, change=change.sentence())
        return Decision(True, [*reasons, other])
    if champion is None:
        return Decision(True, [*reasons, text("decision.first")])
    value, incumbent = verdict.value, champion[goal.metric]
    better = is_better(value, incumbent, goal.direction, goal.min_improvement)
    reasons.append(
        text(
            "decision.beats" if better else "decision.does_not_beat",
            metric=goal.metric,
            value=value,
            incumbent=incumbent,
            version=champion_version,
            margin=goal.min_improvement,
        )
    )
    return Decision(better, reasons)


@dataclass(frozen=True)
class DecisionThreshold:
    """The probability of the positive class a two-class model predicts it from."""

    threshold: float
    chosen_for_value: bool  # by cross-validation, for the goal's values; else params.yaml's
    # The holdout's value of one answer at this threshold and at the default 0.5, when
    # the goal gives values.
    value: float | None = None
    value_at_half: float | None = None


@dataclass(frozen=True)
class Evaluation:
    holdout: dict[str, float]
    baseline: dict[str, float]
    cv: dict[str, dict[str, float]]
    goal: GoalVerdict
    record: dict[str, Any]
    champion_version: int | None
    champion: dict[str, float] | None  # its holdout scores; None when it has none
    decision: Decision
    champion_change: DataChange | None = None  # set when the champion saw other data
    # The goal metric's INTERVAL_LEVEL bootstrap interval on the holdout, if it has one.
    interval: tuple[float, float] | None = None
    threshold: DecisionThreshold | None = None  # a two-class model's, when not 0.5

    def interval_dict(self) -> dict[str, Any] | None:
        if self.interval is None:
            return None
        low, high = self.interval
        return {"metric": self.goal.metric, "level": INTERVAL_LEVEL, "low": low, "high": high}

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.record["schema"]["task"],
            "model": self.record["model"],
            "model_sha256": self.record["sha256"],
            "data_fingerprint": self.record["schema"]["fingerprint"],
            "cv": self.cv,
            "holdout": self.holdout,
            "holdout_interval": self.interval_dict(),
            "baseline": self.baseline,
            "goal": self.goal.to_dict(),
            "champion": (
                {
                    "version": self.champion_version,
                    "holdout": self.champion,
                    "other_data": asdict(self.champion_change) if self.champion_change else None,
                }
                if self.champion_version is not None
                else None
            ),
            "decision": {"register": self.decision.register, "reasons": self.decision.reasons},
            "decision_threshold": asdict(self.threshold) if self.threshold else None,
        }
