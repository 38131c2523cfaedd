"""The service records what it answers (serving/request_log.py), for `monitor`: a line
per record, the request ids it returns, nothing for a refused request, rotation that
bounds the store, and a switch to turn it off."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.core.request_records import (
    FILE_PATTERN,
    file_name,
    read_recorded,
)
from {{ cookiecutter.module_name }}.registry.bundle import LoadedBundle
from {{ cookiecutter.module_name }}.serving.app import create_app
from {{ cookiecutter.module_name }}.serving.request_log import (
    LOG_VARIABLE,
    RequestLog,
    folder_from_environment,
)

from .messages import says
from .test_service import trained_project


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return trained_project(tmp_path_factory.mktemp("project"))


def recorded(folder: Path) -> list[dict[str, Any]]:
    read = read_recorded(folder)
    assert read.unreadable == 0, read.first_unreadable
    return read.lines


def test_each_answered_record_is_recorded_with_the_id_returned(
    bundle: LoadedBundle, tmp_path: Path
) -> None:
    folder = tmp_path / "requests"
    records = bundle.example["features"]
    with TestClient(create_app(bundle, RequestLog(folder))) as client:
        batch = client.post("/predict", json=records[:3]).json()
        one = client.post("/predict", json=records[3]).json()
    # Leaving the client shut the app down: every queued line is written by then.
    lines = recorded(folder)
    assert [line["request_id"] for line in lines] == batch["request_ids"] + one["request_ids"]
    assert len(set(batch["request_ids"] + one["request_ids"])) == 4
    assert [line["features"] for line in lines] == records[:4]
    assert [line["prediction"] for line in lines] == batch["predictions"] + one["predictions"]
    assert {line["model_version"] for line in lines} == {bundle.version}
    assert all(line["time"].endswith("+00:00") for line in lines)
    if batch["probabilities"] is not None:
        assert [line["probability"] for line in lines[:3]] == batch["probabilities"]


def test_a_refused_request_is_not_recorded(bundle: LoadedBundle, tmp_path: Path) -> None:
    folder = tmp_path / "requests"
    refused = dict(bundle.example["features"][0])
    refused[bundle.schema.numeric[0]] = "not a number"
    with TestClient(create_app(bundle, RequestLog(folder))) as client:
        assert client.post("/predict", json=refused).status_code == 422
        assert client.post("/predict", json=[]).status_code == 422
        answered = client.post("/predict", json=bundle.example["features"][0]).json()
    assert [line["request_id"] for line in recorded(folder)] == answered["request_ids"]


def test_without_a_log_no_ids_are_returned(bundle: LoadedBundle) -> None:
    with TestClient(create_app(bundle)) as client:
        answer = client.post("/predict", json=bundle.example["features"][0]).json()
    assert answer["request_ids"] is None


def test_the_store_rotates_and_keeps_a_bounded_number_of_files(tmp_path: Path) -> None:
    log = RequestLog(tmp_path, max_bytes=2_000, kept_files=2)
    for _ in range(100):
        log.record(1, [{"age": 50, "bmi": 27.5}], [151.0], None)
    log.close()
    log.close()  # a second close (the app's shutdown, then exit) does nothing
    files = sorted(tmp_path.glob(FILE_PATTERN))
    assert len(files) == 3  # the current file and the two kept copies
    assert all(path.stat().st_size <= 2_000 for path in files)
    assert all(line["prediction"] == 151.0 for line in recorded(tmp_path))


def test_the_log_is_switched_off_by_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(LOG_VARIABLE, raising=False)
    assert folder_from_environment(tmp_path) == tmp_path
    monkeypatch.setenv(LOG_VARIABLE, str(tmp_path / "elsewhere"))
    assert folder_from_environment(tmp_path) == tmp_path / "elsewhere"
    monkeypatch.setenv(LOG_VARIABLE, "off")
    assert folder_from_environment(tmp_path) is None


def test_serve_names_a_folder_it_cannot_record_in(tmp_path: Path) -> None:
    trained_project(tmp_path)
    blocked = tmp_path / "requests"
    blocked.write_text("a file where the folder should be")
    result = CliRunner().invoke(
        app, ["serve", "--root", str(tmp_path), "--request-log", str(blocked / "log")]
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(says("cli.file_in_the_way", path=blocked), result.output), result.output


def test_a_line_cut_mid_character_is_skipped_and_counted(tmp_path: Path) -> None:
    """A process killed while writing a Japanese value leaves bytes that are not UTF-8:
    that line is counted as unreadable, the others are read."""
    folder = tmp_path / "requests"
    folder.mkdir()
    whole = json.dumps({"request_id": "a", "features": {"city": "東京"}}, ensure_ascii=False)
    cut = whole.replace('"a"', '"b"').encode("utf-8")[:-4]  # inside 京
    (folder / file_name("20260105T100000", 1)).write_bytes(whole.encode() + b"\n" + cut + b"\n")
    read = read_recorded(folder)
    assert [line["request_id"] for line in read.lines] == ["a"]
    assert read.unreadable == 1
    assert read.first_unreadable is not None
    assert read.first_unreadable.endswith(":2")
