from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.module_name }}.core.artifacts import sha256_file
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import TRAINING_FILE
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.bundle import (
    ENTRY_FILE,
    export_bundle,
    load_bundle,
    smoke_test_bundle,
)
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.train import train

from .conftest import TASKS, ProjectFactory, params_for_task
from .messages import ending, says
from .test_evaluate import GOALS
from .test_register import evaluate_and_register


@pytest.fixture(scope="module", params=sorted(TASKS))
def exported(request: pytest.FixtureRequest, make_project: ProjectFactory) -> Path:
    """Each task's champion trained, registered and exported once for the module."""
    paths = make_project()
    params = params_for_task(request.param)
    prepared = prepare(params, paths.root, paths.interim)
    train(prepared, params, paths.candidate)
    registry = open_registry(paths)
    evaluate_and_register(paths, prepared, GOALS[params.task], registry)
    assert export_bundle(registry, paths.root / "deploy") == 1
    return paths.root / "deploy"


@pytest.fixture
def bundle(exported: Path, tmp_path: Path) -> Path:
    """A copy of the exported bundle that a test may tamper with."""
    return Path(shutil.copytree(exported, tmp_path / "deploy"))


def test_exported_champion_passes_the_smoke_test(bundle: Path) -> None:
    summary = smoke_test_bundle(bundle)
    assert summary == text("smoke.bundle", version=1, count=5)


def rewrite_record(bundle: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the bundle's training record as if it had been registered so: its hash in
    the entry follows."""
    record_path = bundle / TRAINING_FILE
    record = json.loads(record_path.read_text())
    change(record)
    record_path.write_text(json.dumps(record))
    entry = json.loads((bundle / ENTRY_FILE).read_text())
    entry["training_sha256"] = sha256_file(record_path)
    (bundle / ENTRY_FILE).write_text(json.dumps(entry))


def test_smoke_test_catches_a_model_that_predicts_differently(bundle: Path) -> None:
    def shift(record: dict[str, Any]) -> None:
        record["example"]["predictions"][0] += 1

    rewrite_record(bundle, shift)
    with pytest.raises(PipelineError, match=says("error.not_reproduced")):
        smoke_test_bundle(bundle)


def test_an_edited_training_record_is_refused(bundle: Path) -> None:
    """The record holds the schema the API is built from: edited, it is refused by name
    rather than served (every /predict used to answer 500)."""
    record_path = bundle / TRAINING_FILE
    record = json.loads(record_path.read_text())
    record["schema"]["numeric"] = record["schema"]["numeric"][:1]
    record_path.write_text(json.dumps(record))
    with pytest.raises(PipelineError, match=says("error.bundle_hash", path=ending(TRAINING_FILE))):
        load_bundle(bundle)


def test_a_model_from_another_scikit_learn_release_is_refused(bundle: Path) -> None:
    def older(record: dict[str, Any]) -> None:
        record["libraries"]["scikit-learn"] = "0.24.2"

    rewrite_record(bundle, older)
    release = says("error.library_release", library="scikit-learn", recorded="0.24.2")
    with pytest.raises(PipelineError, match=release):
        load_bundle(bundle)


def test_smoke_test_refuses_a_swapped_model_file(bundle: Path) -> None:
    entry_path = bundle / ENTRY_FILE
    entry = json.loads(entry_path.read_text())
    entry["sha256"] = "0" * 64
    entry_path.write_text(json.dumps(entry))
    with pytest.raises(PipelineError, match=says("error.bundle_hash")):
        smoke_test_bundle(bundle)


def test_the_model_card_comes_with_the_bundle_and_an_edited_one_is_refused(bundle: Path) -> None:
    loaded = load_bundle(bundle)
    assert loaded.card is not None
    assert loaded.entry["sha256"] in loaded.card
    metric = loaded.entry["goal"]["metric"]
    assert f"| {metric} | {loaded.entry['holdout'][metric]:.4g} |" in loaded.card
    card = bundle / loaded.entry["model_card"]
    card.write_text(card.read_text(encoding="utf-8").replace("|", "/"), encoding="utf-8")
    with pytest.raises(
        PipelineError, match=says("error.bundle_hash", path=ending("model_card.md"))
    ):
        load_bundle(bundle)
