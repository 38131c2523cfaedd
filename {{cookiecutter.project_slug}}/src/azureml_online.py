"""Scoring script of the Azure ML online endpoint (azureml/online-deployment.yml).

Azure ML's inference server calls init() once, then run() per request to /score. It
puts this folder (src/) on sys.path, so the package imports as usual. What each request
asked and was answered goes to Azure ML's data collector (the deployment's
data_collector), which azureml/monitoring-schedule.yml watches for drift.
"""

from __future__ import annotations

import json
import logging
from typing import NamedTuple

import pandas as pd
from azureml.ai.monitoring import Collector
from azureml_inference_server_http.api.aml_request import AMLRequest, rawhttp
from azureml_inference_server_http.api.aml_response import AMLResponse

from {{ cookiecutter.module_name }}.azureml.scoring import (
    ScoringModel,
    load_from_environment,
    predictions_for,
    request_frame,
)
from {{ cookiecutter.module_name }}.core.errors import PipelineError

logger = logging.getLogger(__name__)
reported: set[str] = set()


# A NamedTuple, not a dataclass: the inference server loads this file without adding it
# to sys.modules, where a dataclass looks its module up.
class Deployment(NamedTuple):
    """What init() loads once: the model, and the collectors of what it was asked and
    what it answered."""

    scorer: ScoringModel
    inputs: Collector
    outputs: Collector


deployment: Deployment | None = None


def collection_failed(error: Exception) -> None:
    """Collecting is for monitoring: its failure (or, outside Azure ML, the collector
    being off) is logged once per kind and never fails a prediction."""
    if str(error) not in reported:
        reported.add(str(error))
        logger.warning("data collector: %s", error)


def init() -> None:
    global deployment
    deployment = Deployment(
        scorer=load_from_environment(),
        inputs=Collector(name="model_inputs", on_error=collection_failed),
        outputs=Collector(name="model_outputs", on_error=collection_failed),
    )


@rawhttp  # type: ignore[untyped-decorator]  # the server package ships no type hints
def run(request: AMLRequest) -> AMLResponse:
    """POST {"records": [...]} -> 200 {"predictions": [...]}; 422 naming what is wrong."""
    assert deployment is not None, "init() runs before any request"
    body = request.get_data(as_text=True)
    try:
        features = request_frame(deployment.scorer, body)
        predictions = predictions_for(deployment.scorer, features)
    except PipelineError as error:
        return AMLResponse(json.dumps({"error": str(error)}), 422)
    # The outputs share the inputs' correlation id, so the monitor can join them.
    context = deployment.inputs.collect(features)
    answered = pd.DataFrame({deployment.scorer.schema.target: predictions})
    deployment.outputs.collect(answered, context)
    return AMLResponse({"predictions": predictions}, 200, json_str=True)
