"""The registry under two writers, killed writers and repeated trainings: nothing lost,
nothing registered twice, the champion always a registered version."""

from __future__ import annotations

import json
import os
{%- if cookiecutter.tracking == "local" %}
import random
{%- endif %}
import re
{%- if cookiecutter.tracking == "local" %}
import shutil
import signal
{%- endif %}
import subprocess
import sys
import time
{%- if cookiecutter.tracking == "local" %}
from collections.abc import Callable
{%- endif %}
from pathlib import Path
{%- if cookiecutter.tracking == "local" %}
from types import FrameType
from typing import Any
{%- else %}
from typing import Any
{%- endif %}

import pytest

{% if cookiecutter.tracking == "local" -%}
import {{ cookiecutter.module_name }}
{% endif -%}
from {{ cookiecutter.module_name }}.core.artifacts import {% if cookiecutter.tracking == "local" %}read_json, {% endif %}sha256_file
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.base import (
    ModelRegistry,
    champion_version,
    promote,
    rollback,
)
from {{ cookiecutter.module_name }}.stages.evaluate import evaluate
from {{ cookiecutter.module_name }}.stages.register import register

from .conftest import PROJECT_ROOT, ParamsFactory
from .messages import says
from .test_register import LOOSE_RMSE, evaluate_and_register, train_ridge
{% if cookiecutter.tracking == "mlflow" %}
# Each writer process imports MLflow (seconds of CPU each): three writers still contend
# for the lock, and the suite stays quick.
WRITERS = 3
{%- else %}
WRITERS = 20
{%- endif %}
READY_SECONDS = 120  # for every writer to import what it needs


def run_writers(commands: list[list[str]], gate: Path) -> list[dict[str, Any]]:
    """Start every writer, let them all go at once, and return what each printed."""
    gate.mkdir()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.registry_writers", *command, str(gate)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    deadline = time.monotonic() + READY_SECONDS
    while len(list(gate.glob("ready-*"))) < len(writers) and time.monotonic() < deadline:
        if any(writer.poll() is not None for writer in writers):
            break  # one failed before the start: its error is reported below
        time.sleep(0.01)
    (gate / "go").touch()
    outcomes = []
    for writer in writers:
        out, err = writer.communicate(timeout=READY_SECONDS)
        assert writer.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    return outcomes


def copy_candidate(paths: ProjectPaths, folder: Path) -> Path:
    """The candidate and what evaluate wrote for it (metrics.json, the model card), in a
    folder of its own."""
    folder.mkdir()
    evaluated = (paths.reports / "metrics.json", paths.reports / "model_card.md")
    for source in (*paths.candidate.iterdir(), *evaluated):
        (folder / source.name).write_bytes(source.read_bytes())
    return folder


def assert_whole(registry: ModelRegistry) -> list[int]:
    """The registry reads back: versions numbered 1..n, the champion among them."""
    versions = [entry.version for entry in registry.versions()]
    assert versions == list(range(1, len(versions) + 1))
    history = registry.champion_history()
    assert set(history) <= set(versions)
    if versions:
        assert champion_version(registry) in versions
    return versions


def test_the_register_stage_loads_no_scientific_library() -> None:
    """WRITERS processes registering at once each start in a fraction of a second: the
    stage reads JSON and copies files, and leaves pandas and scikit-learn unloaded (the
    model card it stores is written by evaluate)."""
    probe = (
        "import sys, {{ cookiecutter.module_name }}.stages.register\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'sklearn', 'matplotlib') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_concurrent_writers_get_one_version_each(
    paths: ProjectPaths, make_params: ParamsFactory, tmp_path: Path
) -> None:
    train_ridge(paths, make_params, 1.0)
    model = paths.candidate / "model.skops"
    digest = sha256_file(model)
    commands = [
        ["add", str(paths.root), str(model), digest, f"writer-{number}"]
        for number in range(WRITERS)
    ]
    outcomes = run_writers(commands, tmp_path / "gate")

    registry = open_registry(paths)
    assert sorted(outcome["version"] for outcome in outcomes) == list(range(1, WRITERS + 1))
    assert assert_whole(registry) == list(range(1, WRITERS + 1))
    by_version = {entry.version: entry.lineage["writer"] for entry in registry.versions()}
    assert by_version == {outcome["version"]: outcome["writer"] for outcome in outcomes}
    # Each writer made its own version champion, one after another.
    assert registry.champion_history() == list(range(1, WRITERS + 1))


def test_a_retrained_model_is_not_registered_again_after_a_rollback(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry
) -> None:
    evaluate_and_register(paths, train_ridge(paths, make_params, 300.0), LOOSE_RMSE, registry)
    evaluate_and_register(paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry)
    assert rollback(registry) == 1
    # The same code, data and params.yaml again: another file, byte for byte, the same model.
    retrained = evaluate_and_register(
        paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry
    )
    assert retrained.reason == text("register.already", version=2)
    assert assert_whole(registry) == [1, 2]
    assert champion_version(registry) == 1  # the rollback stands


def test_a_champion_that_changed_since_evaluate_stops_the_registration(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry, tmp_path: Path
) -> None:
    weak = train_ridge(paths, make_params, 300.0)
    evaluate(weak, paths.candidate, LOOSE_RMSE, paths.reports, paths.docs / "06.md", registry)
    stale = copy_candidate(paths, tmp_path / "stale")  # approved against no champion
    # Meanwhile another run registers a better model.
    assert evaluate_and_register(
        paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry
    ).registered

    late = register(stale, stale / "metrics.json", registry, paths.root)
    assert not late.registered
    assert re.fullmatch(says("register.champion_moved"), late.reason), late.reason
    assert assert_whole(registry) == [1]


def test_promote_and_rollback_wait_for_a_writer(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry, tmp_path: Path
) -> None:
    evaluate_and_register(paths, train_ridge(paths, make_params, 300.0), LOOSE_RMSE, registry)
    evaluate_and_register(paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry)
    released = tmp_path / "released"  # the holder's last act before letting go
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from {{ cookiecutter.module_name }}.registry.locking import one_writer\n"
            "from pathlib import Path\n"
            "with one_writer(Path(sys.argv[1])):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(1.0)\n"
            "    Path(sys.argv[2]).touch()\n",
            str(paths.registry),
            str(released),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    assert rollback(registry) == 1
    assert released.exists(), "rollback ran while another process held the lock"
    holder.wait(timeout=30)
    promote(registry, 2)
    assert champion_version(registry) == 2
{%- if cookiecutter.tracking == "local" %}


def test_concurrent_registrations_of_one_model_store_it_once(
    paths: ProjectPaths, make_params: ParamsFactory, tmp_path: Path
) -> None:
    prepared = train_ridge(paths, make_params, 1.0)
    # Evaluated once; every writer then registers its own copy of the approved candidate.
    evaluate(prepared, paths.candidate, LOOSE_RMSE, paths.reports, paths.docs / "06.md",
             open_registry(paths))  # fmt: skip
    copies = [copy_candidate(paths, tmp_path / f"candidate-{number}") for number in range(WRITERS)]
    commands = [["register", str(paths.root), str(copy)] for copy in copies]
    outcomes = run_writers(commands, tmp_path / "gate")

    registered = [outcome for outcome in outcomes if outcome["registered"]]
    assert [outcome["version"] for outcome in registered] == [1]
    others = {outcome["reason"] for outcome in outcomes if not outcome["registered"]}
    assert others == {text("register.already", version=1)}
    assert assert_whole(open_registry(paths)) == [1]


class KilledAt:
    """A trace function that kills the process (SIGKILL: no cleanup, no finally) at the
    n-th line the package executes."""

    def __init__(self, line: int) -> None:
        self.remaining = line
        self.package = str(Path({{ cookiecutter.module_name }}.__file__).parent)

    def __call__(self, frame: FrameType, event: str, arg: object) -> Any:
        if not frame.f_code.co_filename.startswith(self.package):
            return None
        return self.count

    def count(self, frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            self.remaining -= 1
            if self.remaining == 0:
                os.kill(os.getpid(), signal.SIGKILL)
        return self.count


def in_child(work: Callable[[], object], kill_at_line: int) -> int:
    """Run `work` in a forked process killed at `kill_at_line` (0: never); its status."""
    child = os.fork()
    if child == 0:  # the child: work, then leave without pytest's cleanup
        code = 1
        try:
            if kill_at_line:
                sys.settrace(KilledAt(kill_at_line))
            work()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return status


def lines_run(work: Callable[[], object]) -> int:
    """How many lines of the package `work` executes."""
    counter = KilledAt(-1)
    previous = sys.gettrace()  # coverage's tracer, when the tests are measured
    sys.settrace(counter)
    try:
        work()
    finally:
        sys.settrace(previous)
    return -1 - counter.remaining


def registering(paths: ProjectPaths) -> Callable[[], object]:
    return lambda: register(
        paths.candidate, paths.reports / "metrics.json", open_registry(paths), paths.root
    )


def promoting(paths: ProjectPaths, version: int) -> Callable[[], object]:
    return lambda: promote(open_registry(paths), version)


def assert_killed(status: int, line: int) -> None:
    assert os.WIFSIGNALED(status), line
    assert os.WTERMSIG(status) == signal.SIGKILL, line


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked process")
def test_a_writer_killed_anywhere_leaves_a_whole_registry(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry, tmp_path: Path
) -> None:
    evaluate_and_register(paths, train_ridge(paths, make_params, 300.0), LOOSE_RMSE, registry)
    better = train_ridge(paths, make_params, 1.0)
    evaluate(better, paths.candidate, LOOSE_RMSE, paths.reports, paths.docs / "06.md", registry)
    before = tmp_path / "before"
    shutil.copytree(paths.root, before)
    trial = ProjectPaths.at(tmp_path / "count")
    shutil.copytree(before, trial.root)
    total = lines_run(registering(trial))

    for line in sorted(random.Random(0).sample(range(1, total), min(20, total - 1))):
        shutil.rmtree(trial.root)
        shutil.copytree(before, trial.root)
        assert_killed(in_child(registering(trial), line), line)
        killed = open_registry(trial)
        # Readable, and either as it was or holding the new version whole as champion.
        versions = assert_whole(killed)
        assert (versions, champion_version(killed)) in (([1], 1), ([1, 2], 2)), line
        if versions == [1, 2]:
            killed.load(2)  # its file matches its hash
        # The next run completes the work, and never stores the model twice.
        assert os.WEXITSTATUS(in_child(registering(trial), 0)) == 0
        after = open_registry(trial)
        assert (assert_whole(after), champion_version(after)) == ([1, 2], 2), line
        # What the killed writer left (staging or unindexed folders) is gone.
        assert sorted(path.name for path in trial.registry.iterdir()) == [
            ".registry.lock",
            "registry.json",
            "v1",
            "v2",
        ], line
        assert read_json(trial.registry / "registry.json")["aliases"] == {"champion": 2}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked process")
def test_a_promotion_killed_anywhere_leaves_one_champion(
    paths: ProjectPaths, make_params: ParamsFactory, registry: ModelRegistry, tmp_path: Path
) -> None:
    evaluate_and_register(paths, train_ridge(paths, make_params, 300.0), LOOSE_RMSE, registry)
    evaluate_and_register(paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry)
    before = tmp_path / "before"
    shutil.copytree(paths.root, before)
    trial = ProjectPaths.at(tmp_path / "count")
    shutil.copytree(before, trial.root)
    total = lines_run(promoting(trial, 1))

    for line in sorted(random.Random(1).sample(range(1, total), min(10, total - 1))):
        shutil.rmtree(trial.root)
        shutil.copytree(before, trial.root)
        assert_killed(in_child(promoting(trial, 1), line), line)
        killed = open_registry(trial)
        assert assert_whole(killed) == [1, 2], line
        assert champion_version(killed) in (1, 2), line  # as it was, or promoted
        assert os.WEXITSTATUS(in_child(promoting(trial, 1), 0)) == 0
        assert champion_version(open_registry(trial)) == 1, line
{%- else %}


def test_a_writer_killed_after_creating_the_version_is_completed_by_the_next(
    paths: ProjectPaths,
    make_params: ParamsFactory,
    registry: ModelRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from {{ cookiecutter.module_name }}.registry import mlflow_backend

    evaluate_and_register(paths, train_ridge(paths, make_params, 300.0), LOOSE_RMSE, registry)

    def killed(*_: object) -> None:
        raise KeyboardInterrupt  # the version exists; its promotion never happens

    monkeypatch.setattr(mlflow_backend.MlflowRegistry, "_make_champion", killed)
    better = train_ridge(paths, make_params, 1.0)
    with pytest.raises(KeyboardInterrupt):
        evaluate_and_register(paths, better, LOOSE_RMSE, registry)
    monkeypatch.undo()
    assert champion_version(registry) == 1
    # The next writer finds the version it left and makes it champion; the retried
    # registration then finds the model already stored.
    retried = register(paths.candidate, paths.reports / "metrics.json", registry, paths.root)
    assert retried.reason == text("register.already", version=2)
    assert (assert_whole(registry), champion_version(registry)) == ([1, 2], 2)
{%- endif %}
