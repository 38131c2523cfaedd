"""Which backend stores this project's registry.

{% if cookiecutter.tracking == "mlflow" -%}
This project's backend is MLflow's model registry (mlflow_backend.py).
{%- else -%}
This project's backend is a folder of files (files.py).
{%- endif %}
"""

from __future__ import annotations

from ..core.paths import ProjectPaths
from .base import ModelRegistry


def open_registry(paths: ProjectPaths) -> ModelRegistry:
    """The project's registry backend."""
{%- if cookiecutter.tracking == "mlflow" %}
    # Imported here, not at the top: mlflow takes seconds to import.
    from .mlflow_backend import MlflowRegistry

    return MlflowRegistry.open(paths)
{%- else %}
    from .files import FileRegistry

    return FileRegistry(paths.registry)
{%- endif %}
