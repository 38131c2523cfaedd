"""The monitor stage: recent rows against the training split. No alarm for rows drawn
from the training distribution (at most 5 % over repeated samples); a shifted feature, a
new category and shifted outcomes are each found and named; the exit status tells CI."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import RETRAIN_STATUS, app
from {{ cookiecutter.module_name }}.core.dataset import PreparedData, load_prepared
from {{ cookiecutter.module_name }}.core.goal import BusinessGoal, load_goal
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.request_records import file_name, read_recorded
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.bundle import (
    LoadedBundle,
    load_champion_bundle,
)
from {{ cookiecutter.module_name }}.stages.monitor import RESULT_FILE, Window, monitor
from {{ cookiecutter.module_name }}.stages.pipeline import run_all

from .conftest import PROJECT_ROOT, ProjectFactory, write_patients_csv
from .messages import says

runner = CliRunner()
Watched = tuple[ProjectPaths, PreparedData, LoadedBundle, BusinessGoal]


def trained(paths: ProjectPaths) -> Watched:
    for _ in run_all(paths):
        pass
    prepared = load_prepared(paths.interim)
    bundle = load_champion_bundle(open_registry(paths))
    return paths, prepared, bundle, load_goal(paths.business_goal, bundle.schema.task)


@pytest.fixture(scope="module")
def sample(make_project: ProjectFactory) -> Watched:
    """The bundled sample, trained and registered once for the module."""
    return trained(make_project())


@pytest.fixture(scope="module")
def patients(make_project: ProjectFactory) -> Watched:
    """A team's own table (categories, dates, gaps), as regression on `outcome`."""
    paths = make_project()
    write_patients_csv(paths.root / "data/raw/patients.csv", rows=600)
    params = yaml.safe_load(paths.params.read_text())
    params["data"].update(source="data/raw/patients.csv", target="outcome", class_threshold=None)
    params.update(task="regression", model={"name": "ridge", "params": {"alpha": 1.0}})
    paths.params.write_text(yaml.safe_dump(params))
    goal = "---\nmetric: rmse\ndirection: minimize\nthreshold: 30\n---\n# Goal\n"
    paths.business_goal.write_text(goal)
    return trained(paths)


def window(watched: Watched, rows: pd.DataFrame) -> Window:
    return Window(watched[1].features(rows).reset_index(drop=True), "test rows")


def test_rows_from_the_training_distribution_raise_no_alarm(sample: Watched) -> None:
    """Bootstrap samples of the training split, each the size the goal judges from: the
    share that calls for retraining is the false-alarm rate."""
    _, prepared, bundle, goal = sample
    size = goal.monitoring.min_rows
    samples = 40
    alarms = sum(
        monitor(
            window(sample, prepared.train.sample(size, replace=True, random_state=seed)),
            prepared,
            bundle,
            goal,
        ).retrain
        for seed in range(samples)
    )
    assert alarms / samples <= 0.05, f"{alarms} false alarms in {samples} samples"


def test_a_shifted_feature_is_found_and_named(sample: Watched) -> None:
    _, prepared, bundle, goal = sample
    rows = prepared.train.sample(300, replace=True, random_state=1)
    shifted = bundle.schema.numeric[2]
    rows[shifted] = rows[shifted] * 1.5
    result = monitor(window(sample, rows), prepared, bundle, goal)
    assert [column.column for column in result.drifted] == [shifted]
    assert result.retrain
    assert any(f"`{shifted}`" in reason for reason in result.reasons)


def test_a_new_category_is_found_and_named(patients: Watched) -> None:
    _, prepared, bundle, goal = patients
    rows = prepared.train.sample(300, replace=True, random_state=2).reset_index(drop=True)
    rows.loc[rows.index[:120], "region"] = "mars"
    result = monitor(window(patients, rows), prepared, bundle, goal)
    (region,) = [column for column in result.features if column.column == "region"]
    assert region.new_categories == {"mars": 120}
    assert region.drifted
    assert "region" in [column.column for column in result.drifted]


def test_dates_past_the_training_period_are_reported_not_counted_as_drift(
    patients: Watched,
) -> None:
    _, prepared, bundle, goal = patients
    rows = prepared.train.sample(300, replace=True, random_state=3).reset_index(drop=True)
    later = pd.Timestamp("2030-06-01")
    rows["visit_date"] = later.strftime("%Y-%m-%d")
    result = monitor(window(patients, rows), prepared, bundle, goal)
    assert result.dates_after_training == {"visit_date": 1.0}
    assert "visit_date" not in [column.column for column in result.features]


def record_requests(folder: Path, rows: pd.DataFrame, predictions: np.ndarray) -> list[str]:
    """Lines as the service writes them (serving/request_log.py), one file."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"r{index}" for index in range(len(rows))]
    lines = [
        json.dumps(
            {
                "request_id": request_id,
                "time": "2026-01-05T10:00:00.000+00:00",
                "model_version": 1,
                "features": json.loads(record.to_json(date_format="iso")),
                "prediction": prediction,  # a number or a class label, as answered
                "probability": None,
            }
        )
        for request_id, (_, record), prediction in zip(
            ids, rows.iterrows(), predictions.tolist(), strict=True
        )
    ]
    (folder / file_name("20260105T100000", 1)).write_text("\n".join([*lines, "{cut off"]) + "\n")
    return ids


def test_shifted_outcomes_call_for_retraining_and_ci_hears_it(patients: Watched) -> None:
    """Recorded requests, then their outcomes, much worse than the model's answers: the
    live metric misses the gate and the outcomes have drifted; `monitor` exits with
    RETRAIN_STATUS and says why in monitoring.json and the report."""
    paths, prepared, bundle, _ = patients
    rows = prepared.features(prepared.holdout.sample(250, replace=True, random_state=4))
    ids = record_requests(paths.requests, rows, bundle.predict(rows))
    outcomes = pd.DataFrame({"request_id": ids, "outcome": bundle.predict(rows) + 80})
    outcomes.to_csv(paths.root / "outcomes.csv", index=False)
    result = runner.invoke(app, ["monitor", "--labels", "outcomes.csv", "--root", str(paths.root)])
    assert result.exit_code == RETRAIN_STATUS, result.output
    written = json.loads((paths.reports / RESULT_FILE).read_text(encoding="utf-8"))
    assert written["retrain"] is True
    assert written["unreadable"] == 1  # the line cut off, skipped and counted
    assert written["first_unreadable"].endswith(":251")  # named, to look at it
    assert written["first_unreadable"] in result.output  # and said on the console
    live = written["live"]
    assert (live["rows"], live["met"], live["labels"]["drifted"]) == (250, False, True)
    assert written["features"]
    assert not any(column["drifted"] for column in written["features"])
    report = paths.docs / "07_monitoring_report.md"
    figures = "../reports/figures/monitoring"
    for link in (f"{figures}/drift.png", f"{figures}/drifted_feature.png"):
        assert link in report.read_text(encoding="utf-8")
        assert (report.parent / link).is_file()


def test_records_kept_in_object_storage_are_read_by_url(sample: Watched, tmp_path: Path) -> None:
    """A scheduled job reads the service's records where a team copies them, by URL
    (fsspec's in-memory filesystem stands in for s3://, az:// or gs://): the same records
    as from the folder; a URL holding none, or one nothing can read, is one line."""
    paths, prepared, bundle, _ = sample
    rows = prepared.features(prepared.train.sample(250, replace=True, random_state=6))
    record_requests(tmp_path / "requests", rows, bundle.predict(rows))
    url = f"memory://{tmp_path.name}/requests"
    storage = fsspec.filesystem("memory")
    for path in (tmp_path / "requests").iterdir():
        storage.pipe(f"/{tmp_path.name}/requests/{path.name}", path.read_bytes())
    assert read_recorded(url).lines == read_recorded(tmp_path / "requests").lines
    result = runner.invoke(app, ["monitor", "--requests", url, "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    written = json.loads((paths.reports / RESULT_FILE).read_text(encoding="utf-8"))
    assert (written["rows"], written["source"], written["unreadable"]) == (250, url, 1)
    a_file = next((tmp_path / "requests").iterdir())
    for given, key, named in (
        (f"memory://{tmp_path.name}/nothing", "error.no_requests", "path"),
        ("nosuch://bucket/requests", "error.requests_url", "url"),
        (str(a_file), "error.requests_file", "path"),
    ):
        refused = runner.invoke(app, ["monitor", "--requests", given, "--root", str(paths.root)])
        assert refused.exit_code == 1, refused.output
        assert re.search(says(key, **{named: given}), refused.output), refused.output
        assert "Traceback" not in refused.output


def test_a_record_edited_to_a_wrong_kind_of_value_is_skipped_and_counted(
    sample: Watched, tmp_path: Path
) -> None:
    """The service records only what it accepted: a number edited into text since is
    counted with the unreadable lines, and the other records are judged."""
    paths, prepared, bundle, _ = sample
    rows = prepared.features(prepared.train.sample(250, replace=True, random_state=7))
    folder = tmp_path / "requests"
    record_requests(folder, rows, bundle.predict(rows))
    log = next(folder.iterdir())
    lines = log.read_text(encoding="utf-8").splitlines()
    damaged = json.loads(lines[0])
    damaged["features"][bundle.schema.numeric[0]] = "abc"
    log.write_text("\n".join([json.dumps(damaged), *lines[1:]]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["monitor", "--requests", str(folder), "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    written = json.loads((paths.reports / RESULT_FILE).read_text(encoding="utf-8"))
    assert (written["rows"], written["unreadable"]) == (249, 2)  # and the line cut off


def test_no_recent_row_reports_no_drift(sample: Watched, tmp_path: Path) -> None:
    """Nothing recorded since `--since`: no column is called drifted (an empty column has
    no distribution), nothing is judged, and the report still says so."""
    paths, prepared, bundle, _ = sample
    rows = prepared.features(prepared.train.head(30))
    record_requests(tmp_path / "requests", rows, bundle.predict(rows))
    command = ["monitor", "--requests", str(tmp_path / "requests"), "--since", "2099-01-01"]
    result = runner.invoke(app, [*command, "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    written = json.loads((paths.reports / RESULT_FILE).read_text(encoding="utf-8"))
    assert (written["rows"], written["features"], written["judged"]) == (0, [], False)
    assert (paths.docs / "07_monitoring_report.md").is_file()


def test_too_few_rows_are_not_judged(sample: Watched, tmp_path: Path) -> None:
    paths, prepared, _, _ = sample
    few = tmp_path / "few.csv"
    prepared.train.head(20).to_csv(few, index=False)
    result = runner.invoke(app, ["monitor", "--batch", str(few), "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    written = json.loads((paths.reports / RESULT_FILE).read_text(encoding="utf-8"))
    assert (written["judged"], written["retrain"], written["rows"]) == (False, False, 20)


def test_a_drifted_batch_exits_with_the_retrain_status(sample: Watched, tmp_path: Path) -> None:
    paths, prepared, bundle, _ = sample
    batch = prepared.train.sample(300, replace=True, random_state=5)
    for column in bundle.schema.numeric[:3]:
        batch[column] = batch[column] + 3 * batch[column].std()
    batch.to_csv(tmp_path / "batch.csv", index=False)
    result = runner.invoke(
        app, ["monitor", "--batch", str(tmp_path / "batch.csv"), "--root", str(paths.root)]
    )
    assert result.exit_code == RETRAIN_STATUS, result.output
    assert result.output.startswith("monitor: ")


def test_nox_reads_the_same_retrain_status() -> None:
    """noxfile.py runs outside the project's environment, so it states the status too."""
    noxfile = ast.parse((PROJECT_ROOT / "noxfile.py").read_text(encoding="utf-8"))
    stated = [
        node.value.value
        for node in noxfile.body
        if isinstance(node, ast.Assign)
        and any(isinstance(name, ast.Name) and name.id == "RETRAIN_STATUS" for name in node.targets)
        and isinstance(node.value, ast.Constant)
    ]
    assert stated == [RETRAIN_STATUS]
