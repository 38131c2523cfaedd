"""The prediction API, in-process: good and bad payloads, the form page, and a property
test that no input whatsoever gets a 500."""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import schemathesis
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.core.result import Err

from {{ cookiecutter.module_name }}.core.dataset import records_frame
from {{ cookiecutter.module_name }}.core.feedback import QUIET
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import LANGUAGE, text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.bundle import (
    LoadedBundle,
    load_champion_bundle,
)
from {{ cookiecutter.module_name }}.serving.app import create_app
from {{ cookiecutter.module_name }}.serving.page import render_form
from {{ cookiecutter.module_name }}.serving.schema import (
    MAX_BATCH,
    NUMBER_LIMIT,
    max_body_bytes,
)
from {{ cookiecutter.module_name }}.serving.scoring import (
    UnscorableRecords,
    scored,
)
from {{ cookiecutter.module_name }}.serving.smoke import call, wait_for_health
from {{ cookiecutter.module_name }}.stages.pipeline import STAGES

from .conftest import sample_params, write_patients_csv, write_sample_files


def trained_project(
    root: Path, params: dict[str, Any] | None = None, goal: str | None = None
) -> LoadedBundle:
    """Run every stage in `root` and load the champion the way `serve` does."""
    write_sample_files(root)
    if goal is not None:
        (root / "docs" / "01_business_understanding.md").write_text(goal)
    (root / "params.yaml").write_text(yaml.safe_dump({**sample_params(), **(params or {})}))
    paths = ProjectPaths.at(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        for stage in STAGES:
            stage.run(paths, QUIET)
        return load_champion_bundle(open_registry(paths))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> LoadedBundle:
    return trained_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def client(bundle: LoadedBundle) -> Iterator[TestClient]:
    with TestClient(create_app(bundle)) as test_client:
        yield test_client


def example(bundle: LoadedBundle, index: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = bundle.example["features"][index]
    return dict(record)


def test_health_and_metadata(client: TestClient, bundle: LoadedBundle) -> None:
    assert client.get("/health").json() == {"status": "ok", "model_version": bundle.version}
    metadata = client.get("/metadata").json()
    assert metadata["model_version"] == bundle.version
    assert metadata["features"]["numeric"] == bundle.schema.numeric
    assert metadata["holdout"] == bundle.entry["holdout"]
    card = client.get(metadata["model_card"])
    assert card.status_code == 200
    assert card.headers["content-type"] == "text/markdown; charset=utf-8"
    assert bundle.entry["sha256"] in card.text


def test_one_record_and_a_batch_reproduce_the_recorded_predictions(
    client: TestClient, bundle: LoadedBundle
) -> None:
    one = client.post("/predict", json=example(bundle))
    assert one.status_code == 200, one.text
    assert one.json()["model_version"] == bundle.version
    assert one.json()["predictions"] == pytest.approx(bundle.example["predictions"][:1])

    batch = client.post("/predict", json=bundle.example["features"])
    assert batch.status_code == 200, batch.text
    assert batch.json()["predictions"] == pytest.approx(bundle.example["predictions"])
    if bundle.schema.task == "classification":
        assert all(0 <= p <= 1 for p in batch.json()["probabilities"])


def bad_payloads(bundle: LoadedBundle) -> dict[str, tuple[Any, str]]:
    """Each bad payload and the field its 422 must name."""
    first = bundle.schema.features[0]
    record = example(bundle)
    missing = {key: value for key, value in record.items() if key != first}
    return {
        "missing field": (missing, first),
        "wrong type": ({**record, first: "seventy"}, first),
        # Strict types: no conversion on the client's behalf.
        "number as text": ({**record, first: "50"}, first),
        "boolean as number": ({**record, first: True}, first),
        "unknown field": ({**record, "shoe_size": 42}, "shoe_size"),
        "empty batch": ([], "batch"),
        "oversized batch": ([record] * (MAX_BATCH + 1), "batch"),
        "not an object": ("hello", "body"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing field",
        "wrong type",
        "number as text",
        "boolean as number",
        "unknown field",
        "empty batch",
        "oversized batch",
        "not an object",
    ],
)
def test_bad_payload_gets_422_naming_the_field(
    client: TestClient, bundle: LoadedBundle, case: str
) -> None:
    payload, field = bad_payloads(bundle)[case]
    response = client.post("/predict", json=payload)
    assert response.status_code == 422, response.text
    locations = [error["loc"] for error in response.json()["detail"]]
    assert any(field in location for location in locations), locations


def test_null_is_imputed_like_a_missing_value_in_training(
    client: TestClient, bundle: LoadedBundle
) -> None:
    # The sample's features are numbers: a gap in a frame is NaN, as in the training data.
    record = example(bundle)
    first = bundle.schema.features[0]
    for sent in ({**record, first: None}, dict.fromkeys(record)):
        response = client.post("/predict", json=sent)
        assert response.status_code == 200, response.text
        gaps = pd.DataFrame([sent], columns=bundle.schema.features, dtype=float)
        assert response.json()["predictions"] == pytest.approx(bundle.model.predict(gaps).tolist())


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_get_422(client: TestClient, bundle: LoadedBundle, number: str) -> None:
    first = bundle.schema.features[0]
    body = json.dumps({**example(bundle), first: 0.0}).replace("0.0", number, 1)
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert any(first in error["loc"] for error in response.json()["detail"])


def test_malformed_json_gets_422(client: TestClient) -> None:
    response = client.post(
        "/predict", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_form_page_has_a_labelled_input_per_feature(
    client: TestClient, bundle: LoadedBundle
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for index, name in enumerate(bundle.schema.features):
        assert f'<label for="feature-{index}">' in page.text
        assert f'name="{name}"' in page.text
    if "bmi" in bundle.schema.features:
        assert "Body mass index (kg/m²)" in page.text
    assert f'<html lang="{LANGUAGE}">' in page.text
    assert text("form.predict") in page.text


def test_form_page_escapes_what_the_data_names(bundle: LoadedBundle) -> None:
    # Column names, categories and the target come from a team's CSV: none may turn into
    # markup on the page.
    odd = 'a"<b>&|'
    schema = dataclasses.replace(
        bundle.schema, numeric=[odd], categorical=["kind"], categories={"kind": ['x"<y>']},
        target="<target>",
    )  # fmt: skip
    page = render_form(dataclasses.replace(bundle, schema=schema), "<title>")
    assert 'name="a&#34;&lt;b&gt;&amp;|"' in page
    assert "<option>x&#34;&lt;y&gt;</option>" in page
    assert "<strong>&lt;target&gt;</strong>" in page
    assert "<b>" not in page
    assert 'x"<y>' not in page


def test_openapi_documents_every_feature(client: TestClient, bundle: LoadedBundle) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["Record"]["properties"]) == set(bundle.schema.features)


def test_own_csv_gets_a_typed_api_for_every_column_kind(tmp_path: Path) -> None:
    """A team's table: an id (not a field), a date (any date is scored), a few-valued
    category (an unseen value is refused by name), a many-valued one (any text), and a
    boolean (JSON true/false)."""
    source = write_patients_csv(tmp_path / "data/raw/patients.csv")
    table = pd.read_csv(source)
    table["clinic"] = [f"clinic {index % 80}" for index in range(len(table))]
    table["insured"] = [index % 3 == 0 for index in range(len(table))]
    table.to_csv(source, index=False)
    csv_bundle = trained_project(
        tmp_path,
        {
            "task": "regression",
            "model": {"name": "ridge", "params": {"alpha": 1.0}},
            "data": {
                "source": "data/raw/patients.csv",
                "target": "outcome",
                "class_threshold": None,
            },
        },
        goal="---\nmetric: rmse\ndirection: minimize\nthreshold: 10\nmust_beat: dummy\n---\n",
    )
    assert csv_bundle.schema.identifiers == ["patient_id"]
    with TestClient(create_app(csv_bundle)) as csv_client:
        record = {
            "visit_date": "2023-05-01",
            "age": 50.0,
            "bmi": 28.0,
            "smoker": "yes",
            "region": "north",
            "clinic": "clinic 7",
            "insured": True,
        }
        seen = csv_client.post("/predict", json=record)
        assert seen.status_code == 200, seen.text
        # The outcome drifts upwards with the visit date: a later date, never seen, is
        # scored higher, not refused.
        later = csv_client.post("/predict", json={**record, "visit_date": "2031-06-30T08:00Z"})
        assert later.status_code == 200, later.text
        assert later.json()["predictions"][0] > seen.json()["predictions"][0]
        new_clinic = csv_client.post("/predict", json={**record, "clinic": "new clinic"})
        assert new_clinic.status_code == 200, new_clinic.text
        response = csv_client.post("/predict", json={**record, "region": "moon"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "region"
        assert "north" in response.json()["detail"][0]["msg"]
        refused = csv_client.post("/predict", json={**record, "patient_id": 3})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"][-1] == "patient_id"
        features = csv_client.get("/metadata").json()["features"]
        assert features["dates"] == ["visit_date"]
        assert features["categorical"]["clinic"] is None
        assert features["categorical"]["region"] == ["east", "north", "south", "west"]
        # The recorded example is what a client sends: `models smoke --url` posts it.
        example = csv_client.post("/predict", json=csv_bundle.example["features"])
        assert example.status_code == 200, example.text
        assert example.json()["predictions"] == pytest.approx(csv_bundle.example["predictions"])
        for field, wrong in (("insured", "maybe"), ("insured", 1), ("visit_date", 1_700_000_000)):
            refused = csv_client.post("/predict", json={**record, field: wrong})
            assert refused.status_code == 422, (field, wrong, refused.text)
            assert field in refused.json()["detail"][0]["loc"], refused.text


def test_serve_with_two_workers_answers_as_recorded(tmp_path: Path) -> None:
    """`serve --workers 2`: two processes, each loading the champion exported once."""
    bundle = trained_project(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["serve", "--root", str(tmp_path), "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        [sys.executable, "-m", "{{ cookiecutter.module_name }}", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_health(url, 60)["model_version"] == bundle.version
        for _ in range(6):
            answer = call(f"{url}/predict", bundle.example["features"])
            assert answer["predictions"] == pytest.approx(bundle.example["predictions"])
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert text("cli.serving", version=bundle.version, url=f"{url}/", workers=2) in output
    # Each worker recorded what it answered in a file of its own; together, every record
    # (the workers wrote what was queued when they were stopped).
    files = list((tmp_path / "monitoring" / "requests").glob("requests-*.jsonl"))
    lines = [line for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6 * len(bundle.example["features"])


def test_a_body_over_the_limit_gets_413_unread(client: TestClient, bundle: LoadedBundle) -> None:
    limit = max_body_bytes(bundle.schema)
    padding = " " * (limit + 1)  # valid JSON around a valid record, but too long
    body = json.dumps(example(bundle)) + padding
    declared = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert declared.status_code == 413, declared.text
    assert str(limit) in declared.json()["detail"][0]["msg"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield json.dumps(example(bundle)).encode()
        for _ in range(limit // 65_536 + 2):
            yield b" " * 65_536

    streamed = client.post(
        "/predict", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413, streamed.text
    # A full batch still fits.
    assert client.post("/predict", json=[example(bundle)] * MAX_BATCH).status_code == 200


# Schemathesis, an OpenAPI fuzzer, with every check it has (server errors, undocumented
# status codes, responses that break the schema, valid data refused, invalid accepted):
# per operation, this many requests that fit the schema and as many that break it.
FUZZED_PER_MODE = 500


@pytest.mark.fuzz
def test_the_api_keeps_its_openapi_schema_under_fuzzing(bundle: LoadedBundle) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(bundle))
    sent = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        # Breaking the schema needs something to break: GET /health takes no input.
        modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if operation.body else [])]
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=FUZZED_PER_MODE,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Case[Any]) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate()

            call()
    assert sent >= 1000


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_payload_gets_a_500(
    client: TestClient, bundle: LoadedBundle, data: st.DataObject
) -> None:
    # Half arbitrary JSON, half records with the right keys and arbitrary values.
    values = st.floats() | st.integers() | st.text(max_size=10) | st.none() | st.booleans()
    shaped = st.fixed_dictionaries(dict.fromkeys(bundle.schema.features, values))
    payload = data.draw(JSON | shaped | st.lists(shaped, max_size=3))
    response = client.post(
        "/predict",
        content=json.dumps(payload, allow_nan=True),
        headers={"content-type": "application/json"},
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert None not in response.json()["predictions"], response.text


@pytest.mark.parametrize("value", [1e308, -1.7976931348623157e308, NUMBER_LIMIT * 1.5])
def test_numbers_beyond_the_limit_get_422_naming_the_field(
    client: TestClient, bundle: LoadedBundle, value: float
) -> None:
    example = dict(bundle.example["features"][0])
    first = bundle.schema.numeric[0]
    response = client.post("/predict", json={**example, first: value})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == first
    batch = client.post("/predict", json=[example, {**example, first: value}, example])
    assert batch.status_code == 422, batch.text
    assert [item["loc"][-2:] for item in batch.json()["detail"]] == [[1, first]]
    within = client.post("/predict", json=[{**example, first: NUMBER_LIMIT}, example])
    assert within.status_code == 200, within.text
    assert None not in within.json()["predictions"]


def test_records_the_model_cannot_compute_with_are_named(bundle: LoadedBundle) -> None:
    """The safety net behind the limit, for steps of your own that overflow sooner:
    records whose scaled values or predictions are not finite are refused by position."""
    rows = [dict(bundle.example["features"][0]) for _ in range(3)]
    rows[1] = {**rows[1], **dict.fromkeys(bundle.schema.numeric, 1e308)}
    with pytest.raises(UnscorableRecords) as refused:
        scored(bundle, records_frame(rows, bundle.schema), batch=True)
    assert refused.value.indexes == [1]
