"""Scoring script of the Azure ML online endpoint (azureml/online-deployment.yml).

Azure ML's inference server calls init() once, then run() per request to /score. It
puts this folder (src/) on sys.path, so the package imports as usual.
"""

from __future__ import annotations

import json

from azureml_inference_server_http.api.aml_request import AMLRequest, rawhttp
from azureml_inference_server_http.api.aml_response import AMLResponse

from {{ cookiecutter.module_name }}.azureml.scoring import (
    ScoringModel,
    load_from_environment,
    score_request,
)
from {{ cookiecutter.module_name }}.core.errors import PipelineError

scorer: ScoringModel | None = None


def init() -> None:
    global scorer
    scorer = load_from_environment()


@rawhttp  # type: ignore[untyped-decorator]  # the server package ships no type hints
def run(request: AMLRequest) -> AMLResponse:
    """POST {"records": [...]} -> 200 {"predictions": [...]}; 422 naming what is wrong."""
    assert scorer is not None, "init() runs before any request"
    body = request.get_data(as_text=True)
    try:
        return AMLResponse(score_request(scorer, body), 200, json_str=True)
    except PipelineError as error:
        return AMLResponse(json.dumps({"error": str(error)}), 422)
