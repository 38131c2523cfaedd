"""The prediction API: POST /predict, GET /health, GET /metadata, GET /model-card, the
form page at GET /.

The model is loaded once, before the app is built, from a hash-checked bundle (the
registry's champion by default); OpenAPI docs are at /docs. With a request log, every
answered record is recorded for `monitor`, and the answer carries each record's request
id, which the client sends back with the true outcome once it is known.
"""

# No `from __future__ import annotations`: FastAPI reads the request type from the
# annotation of `predict`, which refers to a model built at run time from the schema.

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import Discriminator, Field, Tag

from ..core.dataset import records_frame
from ..registry.bundle import LoadedBundle
from .limits import BodySizeLimit
from .page import render_form
from .request_log import RequestLog
from .schema import (
    MAX_BATCH,
    PREDICT_ERRORS,
    Health,
    Prediction,
    max_body_bytes,
    record_model,
)
from .scoring import UnscorableRecords, scored

MODEL_CARD_PATH = "/model-card"


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


# The project name as written at generation; any quotes in it stay escaped as they are.
TITLE = {{ cookiecutter.project_name | quoted }}  # fmt: skip


def record_or_batch(payload: Any) -> str:
    """One JSON object is one record; a JSON array is a batch."""
    return "batch" if isinstance(payload, list) else "record"


def validation_error(error: RequestValidationError) -> JSONResponse:
    """The field and the message, without echoing the input: the default response fails
    on NaN (not valid JSON) and would turn a client's mistake into a 500."""
    detail = [
        {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": detail})


def unscorable_error(error: UnscorableRecords) -> JSONResponse:
    message = "values too large for the model to compute with (scaling them overflows)"
    # A batch names each record at fault; a single record (or none found) is the body.
    locations = [["body", index] for index in error.indexes] if error.batch else []
    detail = [
        {"loc": location, "msg": message, "type": "overflow"}
        for location in locations or [["body"]]
    ]
    return JSONResponse(status_code=422, content={"detail": detail})


def metadata_of(bundle: LoadedBundle) -> dict[str, Any]:
    """The model version, its holdout metrics and the feature schema."""
    schema = bundle.schema
    return {
        "model_version": bundle.version,
        "model": bundle.entry.get("model"),
        "registered_at": bundle.entry.get("registered_at"),
        "sha256": bundle.entry["sha256"],
        "task": schema.task,
        "target": schema.target,
        "holdout": bundle.entry.get("holdout"),
        "features": {
            "numeric": schema.numeric,
            # The values each category may take; null where any text is accepted.
            "categorical": {name: schema.listed_categories(name) for name in schema.categorical},
            "dates": schema.dates,
        },
        "identifiers": schema.identifiers,
        "classes": schema.classes,
        # Two classes: the probability of the positive class it is predicted from.
        "decision_threshold": bundle.entry.get("decision_threshold"),
        # What the model is for, its data, scores and limitations (Markdown).
        "model_card": MODEL_CARD_PATH if bundle.card is not None else None,
    }


def create_app(bundle: LoadedBundle, request_log: RequestLog | None = None) -> FastAPI:
    """An app serving `bundle`'s model (built per model, since its request type is),
    recording what it answers in `request_log` when one is given."""
    record = record_model(bundle.schema)
    payload_type = Annotated[
        Annotated[record, Tag("record")]  # type: ignore[valid-type]
        | Annotated[list[record], Tag("batch"), Field(min_length=1, max_length=MAX_BATCH)],  # type: ignore[valid-type]
        Discriminator(record_or_batch),
    ]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if request_log is not None:  # the lines still queued, written before exiting
            request_log.close()

    app = FastAPI(
        title=TITLE,
        version=str(bundle.version),
        description=f"Predicts `{bundle.schema.target}` with model version {bundle.version}.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, limit=max_body_bytes(bundle.schema))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_error(error)

    @app.exception_handler(UnscorableRecords)
    async def unscorable(request: Request, error: UnscorableRecords) -> JSONResponse:
        return unscorable_error(error)

    # A plain def: FastAPI runs it in a worker thread, so the CPU work of one request
    # does not hold up the event loop (reading, validating and answering the others).
    @app.post("/predict", responses=PREDICT_ERRORS)
    def predict(payload: payload_type) -> Prediction:
        """Predict one record (a JSON object) or a batch (an array of up to 1000)."""
        received: Any = payload  # a record or a list of them; mypy cannot see payload_type
        records = received if isinstance(received, list) else [received]
        features = [item.model_dump(by_alias=True) for item in records]
        frame = records_frame(features, bundle.schema)
        predictions, probabilities = scored(bundle, frame, batch=isinstance(received, list))
        answer = Prediction(
            model_version=bundle.version,
            predictions=predictions.tolist(),
            probabilities=None if probabilities is None else probabilities.tolist(),
        )
        if request_log is not None:
            answer.request_ids = request_log.record(
                bundle.version, features, answer.predictions, answer.probabilities
            )
        return answer

    @app.get("/health")
    def health() -> Health:
        return Health(status="ok", model_version=bundle.version)

    @app.get("/metadata")
    def metadata() -> dict[str, Any]:
        """The model version, its holdout metrics and the feature schema."""
        return metadata_of(bundle)

    @app.get(
        MODEL_CARD_PATH,
        response_class=MarkdownResponse,
        responses={
            404: {
                "description": "The version was registered without a model card",
                "content": {"text/plain": {}},
            }
        },
    )
    def model_card() -> PlainTextResponse:
        """The model card of the version served, as Markdown."""
        if bundle.card is None:
            detail = f"model version {bundle.version} was registered without a model card"
            return PlainTextResponse(detail, status_code=404)
        return MarkdownResponse(bundle.card)

    # Rendered once, when the app is built: the page depends only on the model, and a
    # broken template edit stops `serve` at start rather than failing every request.
    page = render_form(bundle, TITLE)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def form() -> str:
        return page

    return app
