"""What a hyper-parameter search tried and scored: plain data, which the tune stage
writes and the tuning figure draws."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .config import HyperParameter
from .goal import DIRECTIONS


@dataclass(frozen=True)
class Trial:
    number: int  # 0 is params.yaml's values as they are
    values: dict[str, HyperParameter]
    score: float  # mean cross-validated metric, in its own units; NaN when it failed
    seconds: float
    error: str = ""  # why the estimator refused the values, when it failed


@dataclass(frozen=True)
class Tuning:
    model: str
    task: str
    metric: str
    trials: list[Trial]

    @property
    def start(self) -> Trial:
        return self.trials[0]

    def oriented(self, score: float) -> float:
        """`score` with greater better, whichever way the metric goes."""
        return score if DIRECTIONS[self.task][self.metric] == "maximize" else -score

    @property
    def failed(self) -> list[Trial]:
        return [trial for trial in self.trials if not math.isfinite(trial.score)]

    def best(self) -> Trial:
        """The best scored trial; the start wins ties, so an equal score changes nothing."""
        scored = [trial for trial in self.trials if math.isfinite(trial.score)]
        return max(scored, key=lambda trial: (self.oriented(trial.score), trial.number == 0))
