"""Submit jobs to Azure ML and roll models out to its endpoints, through the `az` CLI.

Blue/green: the online endpoint has two deployments. `stage` puts a model version on
the one without traffic and smoke-tests it there while users stay on the other;
`shift` moves all traffic to it (and points the batch endpoint at the same version),
undoing the move if the endpoint then fails the smoke test; `rollback` moves traffic
back to the previous deployment, which is still running. Both point Azure ML's
monitoring schedule at the deployment that has the traffic.

Every call goes through an `Az` runner, so tests drive this module with a fake CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml

from ..core.errors import PipelineError
from ..core.model_io import reproduces
from ..registry.bundle import load_bundle
from .monitoring import SCHEDULE_FILE

SLOTS = ("blue", "green")
ONLINE_ENDPOINT_FILE = "online-endpoint.yml"
ONLINE_DEPLOYMENT_FILE = "online-deployment.yml"
BATCH_ENDPOINT_FILE = "batch-endpoint.yml"
BATCH_DEPLOYMENT_FILE = "batch-deployment.yml"
REGISTRATION_OUTPUT = "registration"
MONITORED_DEPLOYMENT = "create_monitor.monitoring_target.endpoint_deployment_id"


class Az(Protocol):
    def __call__(self, args: list[str], *, capture: bool = True) -> str:
        """Run `az <args>`; return its standard output (empty when not captured)."""
        ...


def run_az(args: list[str], *, capture: bool = True) -> str:
    """The real CLI. AZUREML_RESOURCE_GROUP and AZUREML_WORKSPACE name the workspace."""
    command = ["az", *args]
    if args[:1] == ["ml"]:
        # `az ml workspace` names the workspace with --name; the other groups need both.
        workspace_flag = "--name" if args[1:2] == ["workspace"] else "--workspace-name"
        for flag, variable in (
            ("--resource-group", "AZUREML_RESOURCE_GROUP"),
            (workspace_flag, "AZUREML_WORKSPACE"),
        ):
            if os.environ.get(variable):
                command += [flag, os.environ[variable]]
    try:
        result = subprocess.run(command, capture_output=capture, text=True, check=False)
    except FileNotFoundError as exc:
        raise PipelineError("the Azure CLI (az) is not installed or not on PATH") from exc
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()
        raise PipelineError(
            f"`az {' '.join(args[:3])}` failed: {detail[-1] if detail else result.returncode}"
        )
    return result.stdout or ""


@dataclass(frozen=True)
class Names:
    """The Azure resources this project uses, read from its azureml/ files."""

    online_endpoint: str
    batch_endpoint: str
    batch_deployment: str
    model: str
    folder: Path

    @classmethod
    def read(cls, folder: Path, model: str) -> Names:
        def name(file: str) -> str:
            path = folder / file
            if not path.is_file():
                raise PipelineError(f"{path} not found")
            spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not spec.get("name"):
                raise PipelineError(f"{path}: name is missing")
            return str(spec["name"])

        return cls(
            name(ONLINE_ENDPOINT_FILE),
            name(BATCH_ENDPOINT_FILE),
            name(BATCH_DEPLOYMENT_FILE),
            model,
            folder,
        )


def submit(az: Az, job_file: Path, reports_dir: Path) -> str:
    """Submit a job, stream its logs, fail unless it completed; copy its registration.json
    (when the job has that output) into reports_dir. Returns the job's name."""
    if not job_file.is_file():
        raise PipelineError(f"{job_file} not found")
    name = az(["ml", "job", "create", "--file", str(job_file), "--query", "name", "-o", "tsv"])
    name = name.strip()
    az(["ml", "job", "stream", "--name", name], capture=False)
    status = az(["ml", "job", "show", "--name", name, "--query", "status", "-o", "tsv"]).strip()
    if status != "Completed":
        raise PipelineError(f"Azure ML job {name} ended {status or 'without a status'}")
    outputs = (yaml.safe_load(job_file.read_text(encoding="utf-8")) or {}).get("outputs") or {}
    if REGISTRATION_OUTPUT in outputs:
        with tempfile.TemporaryDirectory() as scratch:
            az(
                [
                    "ml",
                    "job",
                    "download",
                    "--name",
                    name,
                    "--output-name",
                    REGISTRATION_OUTPUT,
                    "--download-path",
                    scratch,
                ]
            )
            found = sorted(Path(scratch).rglob("registration.json"))
            if not found:
                raise PipelineError(f"Azure ML job {name}: its registration output is empty")
            reports_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found[0], reports_dir / "registration.json")
    return name


def az_json(az: Az, args: list[str]) -> Any:
    return json.loads(az([*args, "-o", "json"]) or "null")


def traffic(az: Az, names: Names) -> dict[str, int]:
    shown = az_json(az, ["ml", "online-endpoint", "show", "--name", names.online_endpoint])
    return {slot: int(share) for slot, share in (shown.get("traffic") or {}).items()}


def deployments(az: Az, names: Names) -> list[str]:
    listed = az_json(
        az, ["ml", "online-deployment", "list", "--endpoint-name", names.online_endpoint]
    )
    return [item["name"] for item in listed or []]


def live_slot(shares: dict[str, int]) -> str | None:
    serving = [slot for slot, share in shares.items() if share > 0]
    return max(serving, key=lambda slot: shares[slot]) if serving else None


def idle_slot(shares: dict[str, int]) -> str:
    """The deployment without traffic: where the next version goes."""
    live = live_slot(shares)
    return next(slot for slot in SLOTS if slot != live)


def deployed_version(az: Az, names: Names, slot: str) -> int:
    """The model version a deployment runs (model is "azureml:<name>:<version>" or an ID
    ending in /versions/<version>)."""
    model = az(
        [
            "ml",
            "online-deployment",
            "show",
            "--name",
            slot,
            "--endpoint-name",
            names.online_endpoint,
            "--query",
            "model",
            "-o",
            "tsv",
        ]
    ).strip()
    tail = model.rsplit("/", 1)[-1] if "/versions/" in model else model.rsplit(":", 1)[-1]
    try:
        return int(tail)
    except ValueError as exc:
        raise PipelineError(
            f"deployment {slot}: cannot read a model version from {model!r}"
        ) from exc


def smoke(az: Az, names: Names, bundle_dir: Path, slot: str | None) -> str:
    """Send the bundle's input example to the endpoint (or one deployment of it) and
    compare the answers with the predictions recorded at training time."""
    bundle = load_bundle(bundle_dir)
    with tempfile.TemporaryDirectory() as scratch:
        request = Path(scratch) / "request.json"
        request.write_text(json.dumps({"records": bundle.example["features"]}), encoding="utf-8")
        args = ["ml", "online-endpoint", "invoke", "--name", names.online_endpoint]
        args += ["--request-file", str(request)] + (["--deployment-name", slot] if slot else [])
        answer: Any = json.loads(az(args))
    # The CLI prints the scoring script's JSON body as a JSON string.
    if isinstance(answer, str):
        answer = json.loads(answer)
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    where = f"{names.online_endpoint}{'/' + slot if slot else ''}"
    if not isinstance(predictions, list) or not reproduces(
        np.asarray(predictions), bundle.example["predictions"]
    ):
        raise PipelineError(
            f"{where} does not reproduce the predictions recorded for version {bundle.version}"
        )
    return f"{where}: version {bundle.version} reproduced {len(predictions)} predictions"


def model_settings(names: Names, bundle_dir: Path) -> list[str]:
    entry = load_bundle(bundle_dir).entry
    return [
        "--set",
        f"model=azureml:{names.model}:{entry['version']}",
        f"environment_variables.MODEL_SHA256={entry['sha256']}",
    ]


def stage(az: Az, names: Names, bundle_dir: Path) -> str:
    """Deploy the bundle's version to the deployment without traffic and smoke-test it;
    returns that deployment's name. Users keep calling the other one."""
    endpoints = az_json(az, ["ml", "online-endpoint", "list", "--query", "[].name"]) or []
    if names.online_endpoint not in endpoints:
        az(["ml", "online-endpoint", "create", "--file", str(names.folder / ONLINE_ENDPOINT_FILE)])
    slot = idle_slot(traffic(az, names))
    verb = "update" if slot in deployments(az, names) else "create"
    az(
        [
            "ml",
            "online-deployment",
            verb,
            "--file",
            str(names.folder / ONLINE_DEPLOYMENT_FILE),
            "--name",
            slot,
            "--endpoint-name",
            names.online_endpoint,
            *model_settings(names, bundle_dir),
        ]
    )
    smoke(az, names, bundle_dir, slot)
    return slot


def set_traffic(az: Az, names: Names, slot: str, existing: list[str]) -> None:
    shares = " ".join(f"{name}={100 if name == slot else 0}" for name in existing)
    az(["ml", "online-endpoint", "update", "--name", names.online_endpoint, "--traffic", shares])


def shift(az: Az, names: Names, bundle_dir: Path) -> str:
    """Move all traffic to the deployment running the bundle's version, smoke-test the
    endpoint, and point the batch endpoint at the same version. Returns the slot."""
    version = load_bundle(bundle_dir).version
    existing = deployments(az, names)
    staged = [slot for slot in existing if deployed_version(az, names, slot) == version]
    if not staged:
        raise PipelineError(f"version {version} is not deployed; run `stage` first")
    previous = live_slot(traffic(az, names))
    set_traffic(az, names, staged[0], existing)
    try:
        smoke(az, names, bundle_dir, None)
    except PipelineError:
        if previous is not None:
            set_traffic(az, names, previous, existing)
        raise
    update_batch(az, names, bundle_dir)
    watch(az, names, staged[0])
    return staged[0]


def watch(az: Az, names: Names, slot: str) -> None:
    """Create or update Azure ML's monitoring schedule, watching the deployment `slot`
    (the one with the traffic). A project without the schedule file skips it."""
    schedule = names.folder / SCHEDULE_FILE
    if not schedule.is_file():
        return
    target = f"{MONITORED_DEPLOYMENT}=azureml:{names.online_endpoint}:{slot}"
    az(["ml", "schedule", "create", "--file", str(schedule), "--set", target])


def update_batch(az: Az, names: Names, bundle_dir: Path) -> None:
    endpoints = az_json(az, ["ml", "batch-endpoint", "list", "--query", "[].name"]) or []
    if names.batch_endpoint not in endpoints:
        az(["ml", "batch-endpoint", "create", "--file", str(names.folder / BATCH_ENDPOINT_FILE)])
    listed = az_json(
        az, ["ml", "batch-deployment", "list", "--endpoint-name", names.batch_endpoint]
    )
    verb = (
        "update" if names.batch_deployment in [item["name"] for item in listed or []] else "create"
    )
    az(
        [
            "ml",
            "batch-deployment",
            verb,
            "--file",
            str(names.folder / BATCH_DEPLOYMENT_FILE),
            *model_settings(names, bundle_dir),
        ]
    )
    az(
        [
            "ml",
            "batch-endpoint",
            "update",
            "--name",
            names.batch_endpoint,
            "--set",
            f"defaults.deployment_name={names.batch_deployment}",
        ]
    )


def rollback(az: Az, names: Names) -> tuple[str, int]:
    """Give all traffic back to the deployment without it; returns it and its version."""
    existing = deployments(az, names)
    live = live_slot(traffic(az, names))
    others = [slot for slot in existing if slot != live]
    if live is None or not others:
        raise PipelineError(
            f"{names.online_endpoint}: no other deployment to roll back to (deployments: "
            f"{', '.join(existing) or 'none'})"
        )
    set_traffic(az, names, others[0], existing)
    watch(az, names, others[0])
    return others[0], deployed_version(az, names, others[0])


def workspace_tracking_uri(az: Az) -> str:
    """The workspace's MLflow URI, where the pipeline registered its models."""
    return az(["ml", "workspace", "show", "--query", "mlflow_tracking_uri", "-o", "tsv"]).strip()
