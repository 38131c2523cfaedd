"""Check azureml/ offline the way `az ml ... create --file` would read it: Microsoft's
azure-ai-ml loaders parse and validate each file, no key is silently dropped, and every
pipeline step reads inputs and outputs that exist.

    python -m {{ cookiecutter.module_name }}.azureml.specs azureml

prints one line per problem, naming the file and the key, and exits 1 if there is any;
a sweep must also search what params.yaml declares (azureml/sweep.py), and the
monitoring schedule alert at the business goal's drift threshold (azureml/monitoring.py).
Needs azure-ai-ml (the `azureml` dependency group).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import PipelineError
from .local_runner import plan_job
from .monitoring import SCHEDULE_FILE, schedule_differences
from .sweep import differences

LOADERS_BY_FILE = {
    "environment.yml": "load_environment",
    "data.yml": "load_data",
    "compute.yml": "load_compute",
    "online-endpoint.yml": "load_online_endpoint",
    "online-deployment.yml": "load_online_deployment",
    "batch-endpoint.yml": "load_batch_endpoint",
    "batch-deployment.yml": "load_batch_deployment",
}


def loader_for(path: Path) -> Callable[..., Any]:
    """The azure-ai-ml loader for this file: components, named resources, else jobs."""
    import azure.ai.ml  # imported here: only checking needs it

    if path.parent.name == "components":
        return azure.ai.ml.load_component
    if path.name == SCHEDULE_FILE:
        # The loader `az ml schedule create` uses; azure.ai.ml does not export it.
        from azure.ai.ml.entities._load_functions import load_schedule

        return load_schedule
    loader: Callable[..., Any] = getattr(azure.ai.ml, LOADERS_BY_FILE.get(path.name, "load_job"))
    return loader


def dropped_keys(written: Any, loaded: Any, prefix: str = "") -> list[str]:
    """Keys of the file the loaded object no longer has: azure-ai-ml ignores some unknown
    keys (in components and in job settings) instead of refusing them."""
    if not isinstance(written, dict) or not isinstance(loaded, dict):
        return []
    found = []
    for key, value in written.items():
        if key == "$schema":
            continue
        if key not in loaded:
            # A mapping that lost every key is gone as a whole; name what was in it.
            inner = [f"{prefix}{key}.{name}" for name in value] if isinstance(value, dict) else []
            found += inner or [f"{prefix}{key}"]
        else:
            found += dropped_keys(value, loaded[key], f"{prefix}{key}.")
    return found


def first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines[:12]) if lines else type(error).__name__


def check_file(path: Path) -> list[str]:
    """Problems with one file, each a line naming the file."""
    try:
        written = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return [f"{path}: not valid YAML"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # azure-ai-ml warns about experimental classes
            loaded = loader_for(path)(path)
    except Exception as error:  # azure-ai-ml raises several types, all meaning "invalid"
        return [f"{path}: {first_line(error)}"]
    problems = []
    is_job = path.parent.name != "components" and written.get("type") in ("pipeline", "command")
    if is_job:
        result = loaded._validate()
        if not result.passed:
            problems.append(f"{path}: {result.error_messages}")
        try:
            plan_job(path)
            # A sweep searches what params.yaml declares for `tune` (azureml/sweep.py).
            problems += differences(path)
        except PipelineError as error:
            problems.append(str(error))
    if path.name == SCHEDULE_FILE:
        try:
            problems += schedule_differences(path)
        except PipelineError as error:
            problems.append(str(error))
    if path.parent.name == "components":
        unknown = sorted(set(written) - component_keys())
    elif written.get("type") == "command":
        unknown = []  # command jobs dump in another shape; their loader refuses unknown keys
    else:
        unknown = dropped_keys(written, loaded._to_dict())
    return problems + [f"{path}: unknown key {key!r}" for key in unknown]


def component_keys() -> set[str]:
    """The keys a command component may have. azure-ai-ml keeps unknown component keys
    instead of refusing them, and has no public list, hence its schema class."""
    from azure.ai.ml._schema.component.command_component import CommandComponentSchema
    from azure.ai.ml.constants._common import BASE_PATH_CONTEXT_KEY

    schema = CommandComponentSchema(context={BASE_PATH_CONTEXT_KEY: "."})
    return {field.data_key or name for name, field in schema.fields.items()}


def check_folder(folder: Path) -> list[str]:
    files = sorted(folder.rglob("*.yml"))
    if not files:
        return [f"{folder}: no .yml files"]
    return [problem for path in files for problem in check_file(path)]


def main(arguments: list[str]) -> int:
    problems = check_folder(Path(arguments[0] if arguments else "azureml"))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
