"""The Azure ML sweep searches what `tune` searches: params.yaml's `tune.space` for the
model it names becomes sweep.yml's `search_space`, the business goal's metric its
objective and `tune.trials` its trial budget, and the trial component gets an optional
input and a `--set` for each searched hyper-parameter.

    {{ cookiecutter.project_slug }} azureml sync-sweep   # after editing tune.space, model.name or the goal

writes them; the specs check (`nox -s tests`) and `azureml submit` refuse a sweep that no
longer matches, naming the key. The timeout and the concurrency stay sweep.yml's own: a
cluster's start-up time has nothing to do with a laptop's search budget.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import FoldedScalarString

from ..core.artifacts import write_text
from ..core.config import (
    Params,
    SearchChoices,
    SearchDimension,
    load_params,
    search_space,
)
from ..core.errors import PipelineError
from ..core.goal import DIRECTIONS, load_goal, scorer_metric
from ..core.params_file import edited_yaml
from .local_runner import OPTIONAL_PART, OPTIONAL_SET, optional_set, read_spec, referenced_file

SYNC_COMMAND = "{{ cookiecutter.project_slug }} azureml sync-sweep"
# Azure ML samples a log range between e^min_value and e^max_value.
EXPONENT_DECIMALS = 6
COMMENT_ABOVE_SEARCHED = (
    "What sweep.yml searches: params.yaml tune.space, written by `azureml sync-sweep`;\n"
    "params.yaml's value when unset."
)


@dataclass(frozen=True)
class SweepSearch:
    """What a sweep job and its trial component must say, from params.yaml and the goal."""

    model: str
    search_space: dict[str, dict[str, Any]]  # hyper-parameter -> Azure ML distribution
    input_types: dict[str, str]  # hyper-parameter -> the trial input's type
    objective: dict[str, str]  # goal (maximize | minimize), primary_metric
    max_total_trials: int


def distribution(where: str, dimension: SearchDimension) -> tuple[dict[str, Any], str]:
    """A tune.space entry as an Azure ML sweep distribution, and its input's type."""
    if isinstance(dimension, SearchChoices):
        if any(choice is None for choice in dimension.choices):
            raise PipelineError(f"{where}: a sweep passes values as text, so null cannot be one")
        numeric = all(
            isinstance(choice, int | float) and not isinstance(choice, bool)
            for choice in dimension.choices
        )
        return {"type": "choice", "values": list(dimension.choices)}, (
            "number" if numeric else "string"
        )
    bounds: dict[str, Any]
    if dimension.log:
        kind = "qloguniform" if dimension.integer else "loguniform"
        bounds = {
            "min_value": round(math.log(dimension.low), EXPONENT_DECIMALS),
            "max_value": round(math.log(dimension.high), EXPONENT_DECIMALS),
        }
    else:
        kind = "quniform" if dimension.integer else "uniform"
        whole = int if dimension.integer else float
        bounds = {"min_value": whole(dimension.low), "max_value": whole(dimension.high)}
    if dimension.integer:
        bounds["q"] = 1  # whole numbers, which train reads back as ints (whole_numbers)
    return {"type": kind, **bounds}, "number"


def sweep_search(params: Params, goal_metric: str) -> SweepSearch:
    space: dict[str, dict[str, Any]] = {}
    types: dict[str, str] = {}
    for name, dimension in search_space(params).items():
        where = f"params.yaml: tune.space.{params.model.name}.{name}"
        space[name], types[name] = distribution(where, dimension)
    metric = scorer_metric(goal_metric, params.task)
    return SweepSearch(
        model=params.model.name,
        search_space=space,
        input_types=types,
        # train logs each cross-validation mean as cv_<metric> to the trial's run.
        objective={"goal": DIRECTIONS[params.task][metric], "primary_metric": f"cv_{metric}"},
        max_total_trials=params.tune.trials,
    )


def declared_file(sweep_file: Path, spec: dict[str, Any], name: str, fallback: Path) -> Path:
    """The file a pipeline input points at (its `path`, relative to the job file)."""
    declared = (spec.get("inputs") or {}).get(name)
    if isinstance(declared, dict) and isinstance(declared.get("path"), str):
        return (sweep_file.parent / declared["path"]).resolve()
    return fallback


def expected_search(sweep_file: Path, spec: dict[str, Any]) -> SweepSearch:
    """The search the sweep's own params and business_goal inputs declare."""
    root = sweep_file.resolve().parent.parent
    params = load_params(declared_file(sweep_file, spec, "params", root / "params.yaml"))
    goal_file = root / "docs" / "01_business_understanding.md"
    goal = load_goal(declared_file(sweep_file, spec, "business_goal", goal_file), params.task)
    return sweep_search(params, goal.metric)


def sweep_nodes(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    jobs = spec.get("jobs") or {}
    return {
        name: node
        for name, node in jobs.items()
        if isinstance(node, dict) and node.get("type") == "sweep"
    }


def trial_file(sweep_file: Path, node: dict[str, Any]) -> Path:
    return referenced_file(sweep_file, str(node.get("trial", "")))


def same(written: Any, expected: Any) -> bool:
    """Equal as YAML values, numbers to the decimals the writer keeps."""
    if isinstance(expected, dict):
        return (
            isinstance(written, dict)
            and set(written) == set(expected)
            and all(same(written[key], expected[key]) for key in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(written, list)
            and len(written) == len(expected)
            and all(same(a, b) for a, b in zip(written, expected, strict=True))
        )
    numbers = (int, float)
    if isinstance(expected, numbers) and not isinstance(expected, bool):
        return (
            isinstance(written, numbers)
            and not isinstance(written, bool)
            and math.isclose(written, expected, abs_tol=10**-EXPONENT_DECIMALS)
        )
    return bool(written == expected)


def searched_inputs(command: str) -> list[str]:
    return [match["name"] for match in OPTIONAL_SET.finditer(command)]


def differences(sweep_file: Path) -> list[str]:
    """Where sweep.yml and its trial component no longer say what params.yaml and the
    business goal declare; one line each, naming the file and the key."""
    spec = read_spec(sweep_file)
    nodes = sweep_nodes(spec)
    if not nodes:
        return []
    search = expected_search(sweep_file, spec)
    problems = []
    for name, node in nodes.items():
        where = f"{sweep_file}: jobs.{name}"
        if not same(node.get("search_space"), search.search_space):
            problems.append(f"{where}.search_space is not params.yaml tune.space.{search.model}")
        objective = node.get("objective") or {}
        if not same(objective, search.objective):
            problems.append(
                f"{where}.objective is not the business goal's metric "
                f"({search.objective['goal']} {search.objective['primary_metric']})"
            )
        if (node.get("limits") or {}).get("max_total_trials") != search.max_total_trials:
            problems.append(
                f"{where}.limits.max_total_trials is not params.yaml tune.trials "
                f"({search.max_total_trials})"
            )
        trial = trial_file(sweep_file, node)
        component = read_spec(trial)
        inputs = component.get("inputs") or {}
        passed = searched_inputs(str(component.get("command", "")))
        if sorted(passed) != sorted(search.search_space):
            problems.append(
                f"{trial}: command passes --set for {sorted(passed)}, "
                f"not the searched {sorted(search.search_space)}"
            )
        for input_name, input_type in search.input_types.items():
            declared = inputs.get(input_name)
            if not same(declared, {"type": input_type, "optional": True}):
                problems.append(f"{trial}: inputs.{input_name} should be an optional {input_type}")
    return [f"{problem}; run `{SYNC_COMMAND}`" for problem in problems]


def comment_holder(mapping: CommentedMap, key: Any) -> tuple[CommentedMap, Any]:
    """The mapping and key whose line ends `key`'s block: the round-trip editor keeps the
    comment lines after a block with that last line."""
    value = mapping[key]
    if isinstance(value, CommentedMap) and value:
        return comment_holder(value, list(value)[-1])
    return mapping, key


def take_comment_after(mapping: CommentedMap, key: Any) -> Any:
    holder, last = comment_holder(mapping, key)
    entry = holder.ca.items.get(last)
    if not entry or len(entry) < 3 or entry[2] is None:
        return None
    token = entry[2]
    entry[2] = None
    return token


def put_comment_after(mapping: CommentedMap, key: Any, token: Any) -> None:
    if token is not None:
        holder, last = comment_holder(mapping, key)
        holder.ca.items.setdefault(last, [None, None, None, None])[2] = token


def as_commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((key, as_commented(item)) for key, item in value.items())
    return value


def folded_command(words: list[str]) -> FoldedScalarString:
    """The command as a folded block, one flag or optional part per line."""
    lines = re.split(r" (?=--|\$\[\[)", " ".join(words))
    folded = FoldedScalarString(" ".join(lines))
    line_ends = [len(" ".join(lines[: count + 1])) for count in range(len(lines) - 1)]
    folded.fold_pos = line_ends
    return folded


def write_search_to_sweep(document: Any, search: SweepSearch) -> None:
    for node in document["jobs"].values():
        if not isinstance(node, CommentedMap) or node.get("type") != "sweep":
            continue
        after = take_comment_after(node, "search_space") if "search_space" in node else None
        node["search_space"] = as_commented(search.search_space)
        put_comment_after(node, "search_space", after)
        objective = node.setdefault("objective", CommentedMap())
        for key, value in search.objective.items():
            objective[key] = value
        node.setdefault("limits", CommentedMap())["max_total_trials"] = search.max_total_trials


def write_search_to_trial(document: Any, search: SweepSearch) -> None:
    """The searched hyper-parameters as the trial's last inputs and `--set` parts."""
    inputs = document.setdefault("inputs", CommentedMap())
    previous = set(searched_inputs(str(document.get("command", "")))) | set(search.search_space)
    order = list(inputs)
    replaced = [name for name in order if name in previous]
    # The comment above the searched inputs hangs on the input before them, the one
    # below them on the last of them.
    if replaced and order.index(replaced[0]) > 0:
        take_comment_after(inputs, order[order.index(replaced[0]) - 1])
    after = take_comment_after(inputs, replaced[-1]) if replaced else None
    for name in replaced:
        del inputs[name]
    for name, input_type in search.input_types.items():
        inputs[name] = as_commented({"type": input_type, "optional": True})
    inputs.yaml_set_comment_before_after_key(
        next(iter(search.input_types)), before=COMMENT_ABOVE_SEARCHED, indent=2
    )
    put_comment_after(inputs, list(inputs)[-1], after)
    base = OPTIONAL_PART.sub("", str(document.get("command", ""))).split()
    searched = [optional_set(name) for name in search.search_space]
    document["command"] = folded_command(base + searched)


def sync_sweep(sweep_file: Path) -> list[Path]:
    """Write params.yaml's search into the sweep job and its trial component, comments
    kept; returns the files that changed."""
    spec = read_spec(sweep_file)
    nodes = sweep_nodes(spec)
    if not nodes:
        raise PipelineError(f"{sweep_file}: no job of type sweep")
    search = expected_search(sweep_file, spec)
    changed = []
    trials = sorted({trial_file(sweep_file, node) for node in nodes.values()})
    targets = [(sweep_file, partial(write_search_to_sweep, search=search))]
    targets += [(trial, partial(write_search_to_trial, search=search)) for trial in trials]
    for path, write in targets:
        before = path.read_text(encoding="utf-8")
        text, _ = edited_yaml(path, write)
        if yaml.safe_load(text) != yaml.safe_load(before):
            write_text(path, text)  # whole or not at all
            changed.append(path)
    return changed
