"""Point the project at a team's own table: the edits "Bring your own data" describes,
made for the user, with a gate proposed from what a dummy model scores on the table.

params.yaml keeps its comments and layout (a round-trip YAML editor): data.source and
data.target are set, the task is inferred from the target (labels or a few numbers:
classification; many numbers: regression), the model follows the task unless the one
named fits it, and column lists naming columns the table lacks are emptied. The business
goal's metric, direction and threshold are replaced in its front matter; its story stays.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.artifacts import write_text
from ..core.config import DataParams, read_yaml_mapping
from ..core.errors import PipelineError
from ..core.goal import DIRECTIONS, split_front_matter
from ..core.models import ESTIMATORS
from ..core.params_file import edited_yaml
from ..core.paths import ProjectPaths
from ..core.texts import text
from .validate import MAX_CLASSES, header_and_target, is_number, target_problems

# The model a task starts with when the one named is of the other task.
STARTING_MODELS = {
    "regression": {"name": "ridge", "params": {"alpha": 1.0}},
    "classification": {"name": "logistic", "params": {"C": 1.0, "max_iter": 1000}},
}
# How much better than the dummy the proposed gate asks a model to be: a starting point
# for the team's decision, not the decision.
ERROR_MARGIN = 0.9  # an error metric at most 90% of the dummy's
SCORE_GAIN = 0.5  # a score at least halfway from the dummy's to perfect


@dataclass(frozen=True)
class Gate:
    metric: str
    direction: str
    threshold: float
    dummy: float  # what a model that ignores every feature scores


@dataclass(frozen=True)
class Adoption:
    """What use-data found and changed."""

    task: str
    model: str
    classes: list[str] | None
    gate: Gate
    emptied: list[str]  # params.yaml keys whose columns the table lacks


def read_target(path: Path, target: str) -> tuple[list[str], list[str]]:
    if not path.is_file():
        raise PipelineError(text("error.data_not_found", path=path))
    header, values = header_and_target(path, target)
    if target not in header:
        columns = ", ".join(header[:12])
        raise PipelineError(
            text("error.no_such_column", path=path, column=repr(target), columns=columns)
        )
    if not values:
        raise PipelineError(text("error.no_values", path=path, column=repr(target)))
    return header, values


def infer_task(values: list[str]) -> str:
    """Labels, or few distinct numbers, are classes; many distinct numbers a quantity."""
    labels = any(not is_number(value) for value in values)
    return "classification" if labels or len(set(values)) <= MAX_CLASSES else "regression"


def propose_gate(task: str, values: list[str]) -> Gate:
    """The task's usual metric and a threshold a margin better than the dummy's score:
    RMSE for regression, ROC AUC for two classes, macro F1 for more (every class counts)."""
    if task == "regression":
        numbers = [float(value) for value in values]
        mean = sum(numbers) / len(numbers)
        dummy = math.sqrt(sum((number - mean) ** 2 for number in numbers) / len(numbers))
        return Gate("rmse", "minimize", float(f"{ERROR_MARGIN * dummy:.3g}"), dummy)
    counts = Counter(values)
    if len(counts) == 2:
        dummy = 0.5  # a constant score ranks no pair of rows right or wrong
        metric = "roc_auc"
    else:
        # The prior's most frequent class, always: F1 2p/(1+p) for it, 0 for the rest.
        share = max(counts.values()) / len(values)
        dummy = 2 * share / (1 + share) / len(counts)
        metric = "f1_macro"
    return Gate(metric, "maximize", float(f"{dummy + SCORE_GAIN * (1 - dummy):.3g}"), dummy)


def edited_params(
    params_path: Path, source: str, target: str, task: str, columns: tuple[list[str], list[str]]
) -> tuple[str, str, list[str]]:
    """params.yaml with the switch made, comments kept; the model it names; the data keys
    emptied because they name columns the table lacks. `columns`: the table's header and
    its target's values."""
    header, values = columns
    emptied: list[str] = []

    def switch(document: Any) -> None:
        data = document["data"]
        data["source"] = source
        data["target"] = target
        document["task"] = task
        # Labels are classes as they are; a quantity made classes splits at its median.
        quantity_as_classes = task == "classification" and infer_task(values) == "regression"
        data["class_threshold"] = "median" if quantity_as_classes else None
        for key in DataParams.model_fields:
            listed = data.get(key)
            if isinstance(listed, list) and any(name not in header for name in listed):
                data[key] = []
                emptied.append(f"data.{key}")
        if data.get("split_column") and data["split_column"] not in header:
            data["split"], data["split_column"] = "random", None
            emptied.append("data.split_column")
        if document["model"]["name"] not in ESTIMATORS[task]:
            document["model"] = STARTING_MODELS[task]

    text, document = edited_yaml(params_path, switch)
    return text, str(document["model"]["name"]), emptied


def with_value(front_matter: str, key: str, value: str, comment: str | None = None) -> str:
    """`key: value` in the front matter with `comment`, or the line's own comment kept
    (the line added if the key is absent)."""
    pattern = re.compile(rf"^{key}:[^#\n]*?(\s*#.*)?$", re.MULTILINE)

    def replaced(match: re.Match[str]) -> str:
        kept = f"  # {comment}" if comment else match.group(1) or ""
        return f"{key}: {value}{kept}"

    edited, count = pattern.subn(replaced, front_matter, count=1)
    return edited if count else f"{front_matter}\n{key}: {value}"


def edited_goal(goal_path: Path, gate: Gate, task: str) -> str:
    """The goal document with the gate's metric, direction and threshold replaced in its
    front matter, each line's comment kept; the rest stays as written."""
    document = goal_path.read_text(encoding="utf-8")
    front_matter = split_front_matter(document)
    if not front_matter:
        raise PipelineError(text("error.no_front_matter", path=goal_path))
    read_yaml_mapping(goal_path, front_matter)  # a broken gate is reported, not rewritten
    edited = front_matter
    values = {
        "metric": gate.metric,
        "direction": gate.direction,
        "threshold": f"{gate.threshold:g}",
    }
    for key, value in values.items():
        # The metric's comment lists the metrics of the task now chosen.
        choices = " | ".join(DIRECTIONS[task]) if key == "metric" else None
        edited = with_value(edited, key, value, choices)
    return document.replace(front_matter, edited, 1)


def use_data(paths: ProjectPaths, source: str, target: str, task: str | None = None) -> Adoption:
    """Point params.yaml at `source` (relative to the project root) with `target`, and
    write the proposed gate into the business goal. Both files are written only when
    both edits could be made."""
    header, values = read_target(paths.root / source, target)
    chosen = task or infer_task(values)
    data = DataParams(source=source, target=target)
    problems = target_problems(str(paths.root / source), data, chosen, values)
    if problems:  # text labels as a quantity, or an id or a date as classes
        raise PipelineError(problems[0])
    gate = propose_gate(chosen, values)
    params_text, model, emptied = edited_params(
        paths.params, source, target, chosen, (header, values)
    )
    goal_text = edited_goal(paths.business_goal, gate, chosen)
    write_text(paths.params, params_text)
    write_text(paths.business_goal, goal_text)
    classes = sorted(set(values)) if chosen == "classification" else None
    return Adoption(task=chosen, model=model, classes=classes, gate=gate, emptied=emptied)
