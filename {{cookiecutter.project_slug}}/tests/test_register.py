from __future__ import annotations

import json

import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.evaluation import decide
from {{ cookiecutter.module_name }}.core.goal import BusinessGoal, judge
from {{ cookiecutter.module_name }}.core.model_io import TRAINING_FILE
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.base import (
    ModelRegistry,
    champion_version,
    load_champion,
    promote,
    rollback,
)
from {{ cookiecutter.module_name }}.registry.bundle import export_bundle
from {{ cookiecutter.module_name }}.stages.evaluate import evaluate
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.register import Registration, register
from {{ cookiecutter.module_name }}.stages.train import train

from .conftest import REGRESSION, ParamsFactory
from .messages import ending, says
from .test_evaluate import GOALS

LOOSE_RMSE = BusinessGoal(metric="rmse", direction="minimize", threshold=100)


def evaluate_and_register(
    paths: ProjectPaths, prepared: PreparedData, goal: BusinessGoal, registry: ModelRegistry
) -> Registration:
    report = paths.docs / "06_test_report.md"
    evaluate(prepared, paths.candidate, goal, paths.reports, report, registry)
    return register(paths.candidate, paths.reports / "metrics.json", registry, paths.root)


def train_ridge(paths: ProjectPaths, make_params: ParamsFactory, alpha: float) -> PreparedData:
    params = make_params(**{**REGRESSION, "model": {"name": "ridge", "params": {"alpha": alpha}}})
    prepared = prepare(params, paths.root, paths.interim)
    train(prepared, params, paths.candidate)
    return prepared


def test_first_approved_model_becomes_champion_once(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params, registry: ModelRegistry
) -> None:
    train(prepared, task_params, paths.candidate)
    goal = GOALS[task_params.task]
    unreachable = goal.model_copy(
        update={"threshold": 1.0 if task_params.task == "regression" else 0.999}
    )
    assert not evaluate_and_register(paths, prepared, unreachable, registry).registered
    assert registry.versions() == []

    first = evaluate_and_register(paths, prepared, goal, registry)
    assert (first.registered, first.version) == (True, 1)
    again = register(paths.candidate, paths.reports / "metrics.json", registry, paths.root)
    assert again.reason == text("register.already", version=1)
    # Re-evaluated against itself, the same model is no improvement on the champion.
    rerun = evaluate_and_register(paths, prepared, goal, registry)
    assert not rerun.registered
    metrics = json.loads((paths.reports / "metrics.json").read_text(encoding="utf-8"))
    assert rerun.reason == text(
        "decision.does_not_beat",
        metric=goal.metric,
        value=metrics["holdout"][goal.metric],
        incumbent=metrics["champion"]["holdout"][goal.metric],
        version=1,
        margin=goal.min_improvement,
    )

    assert [entry.version for entry in registry.versions()] == [1]
    assert champion_version(registry) == 1
    entry = registry.versions()[0]
    assert entry.lineage["data_fingerprint"] == prepared.schema.fingerprint
    assert entry.lineage["params"]["model"]["name"] == task_params.model.name
    assert entry.lineage["goal"]["met"] is True
    assert entry.sha256 == json.loads((paths.reports / "metrics.json").read_text())["model_sha256"]
    champion = load_champion(registry)
    assert champion is not None
    features = prepared.features(prepared.holdout)
    assert len(champion.model.predict(features)) == len(prepared.holdout)


def test_better_model_replaces_champion_and_worse_does_not(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry
) -> None:
    def register_ridge(alpha: float) -> Registration:
        prepared = train_ridge(paths, make_params, alpha)
        return evaluate_and_register(paths, prepared, LOOSE_RMSE, registry)

    assert register_ridge(300.0).version == 1
    assert register_ridge(1.0).version == 2
    # Heavier shrinkage than the champion's: still meets the goal, but scores worse.
    assert not register_ridge(1000.0).registered
    assert [entry.version for entry in registry.versions()] == [1, 2]
    assert champion_version(registry) == 2
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    assert metrics["champion"]["version"] == 2
    assert metrics["champion"]["holdout"]["rmse"] < metrics["holdout"]["rmse"]
    assert metrics["decision"]["register"] is False


def test_promote_and_rollback_move_only_the_alias(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry
) -> None:
    evaluate_and_register(paths, train_ridge(paths, make_params, 300.0), LOOSE_RMSE, registry)
    evaluate_and_register(paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry)
    assert rollback(registry) == 1
    assert champion_version(registry) == 1
    with pytest.raises(PipelineError, match=says("error.no_earlier_champion")):
        rollback(registry)
    promote(registry, 2)
    assert champion_version(registry) == 2
    with pytest.raises(PipelineError, match=says("error.no_version", version=7, known="1, 2")):
        promote(registry, 7)
    assert champion_version(registry) == 2
    assert [entry.version for entry in registry.versions()] == [1, 2]


def test_min_improvement_is_a_margin() -> None:
    goal = BusinessGoal(metric="rmse", direction="minimize", threshold=60, min_improvement=1.0)
    verdict = judge(goal, {"rmse": 50.0}, {"rmse": 70.0})
    assert decide(goal, verdict, {"rmse": 50.5}).register is False
    assert decide(goal, verdict, {"rmse": 51.5}).register is True
    assert decide(goal, verdict, None).register is True


@pytest.mark.parametrize("damage", ["append", "truncate"])
def test_tampered_champion_is_refused(
    paths: ProjectPaths,
    prepared: PreparedData,
    task_params: Params,
    registry: ModelRegistry,
    damage: str,
) -> None:
    train(prepared, task_params, paths.candidate)
    evaluate_and_register(paths, prepared, GOALS[task_params.task], registry)
    stored = list(paths.registry.rglob("model.skops"))
    assert stored
    for model_file in stored:
        content = model_file.read_bytes()
        model_file.write_bytes(content + b"x" if damage == "append" else content[:-100])
    with pytest.raises(PipelineError, match=says("error.hash")):
        evaluate_and_register(paths, prepared, GOALS[task_params.task], registry)
    with pytest.raises(PipelineError, match=says("error.hash")):
        promote(registry, 1)


def test_export_refuses_an_edited_training_record(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry
) -> None:
    evaluate_and_register(paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry)
    scratch = paths.root / "fetched"
    registry.fetch(1, scratch)
    assert export_bundle(registry, paths.root / "deploy") == 1
{%- if cookiecutter.tracking == "local" %}
    record = paths.registry / "v1" / TRAINING_FILE
{%- else %}
    # MLflow's local artifact store: the registered copy of the record.
    (record,) = (paths.registry / "artifacts").rglob(f"registered/{TRAINING_FILE}")
{%- endif %}
    record.write_text(record.read_text().replace('"ridge"', '"lasso"', 1))
    with pytest.raises(PipelineError, match=says("error.bundle_hash", path=ending(TRAINING_FILE))):
        export_bundle(registry, paths.root / "deploy")
    assert (paths.root / "deploy" / TRAINING_FILE).read_bytes() == (
        scratch / TRAINING_FILE
    ).read_bytes(), "a refused export keeps the bundle exported before"


def test_a_model_card_written_for_another_model_is_refused(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params, registry: ModelRegistry
) -> None:
    train(prepared, task_params, paths.candidate)
    report = paths.docs / "06_test_report.md"
    evaluate(prepared, paths.candidate, GOALS[task_params.task], paths.reports, report, registry)
    card = paths.reports / "model_card.md"
    card.write_text("# Model card: last week's model\n", encoding="utf-8")
    with pytest.raises(
        PipelineError, match=says("error.card_mismatch", card=ending("model_card.md"))
    ):
        register(paths.candidate, paths.reports / "metrics.json", registry, paths.root)
    assert registry.versions() == []
