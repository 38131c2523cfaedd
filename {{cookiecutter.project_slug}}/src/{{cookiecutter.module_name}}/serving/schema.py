"""Request and response models for the prediction API, built from the saved schema.

The request model comes from the feature schema saved with the model, so a team's own
CSV gets a typed, validated API with no code changes. Unknown fields, missing fields,
wrong types, NaN or infinity, and categories the model never saw are all rejected with
422 naming the field. Types are strict: a number is a JSON number (not "50", not true),
a boolean is true/false, a date is text; nothing is converted on the client's behalf.
`null` is accepted for every feature: the model imputes it, as it did for missing
values in training. Dates are ISO 8601 text ("2024-01-31"); any date is accepted,
seen in training or not. A
categorical feature with more training values than core/dataset.py's
MAX_LISTED_CATEGORIES takes any text, and a value the model never saw counts as a rare
one (see stages/preprocess.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from ..core.dataset import DatasetSchema

MAX_BATCH = 1000
# The largest magnitude a number may have: far beyond any measurement or amount (a
# quadrillion), yet small enough that scaling, interactions and the estimator's sums
# stay finite. The OpenAPI schema states it, so a client knows what is valid.
NUMBER_LIMIT = 1e15
# The largest request body read, from the batch limit: a generous 256 bytes per value
# (long category names included) plus room for the JSON around them. A larger body is
# refused with 413 before it is read in full.
BYTES_PER_VALUE = 256
ENVELOPE_BYTES = 64 * 1024


def max_body_bytes(schema: DatasetSchema) -> int:
    return MAX_BATCH * max(len(schema.features), 1) * BYTES_PER_VALUE + ENVELOPE_BYTES


@dataclass(frozen=True)
class FeatureDoc:
    label: str
    unit: str
    help: str


# scikit-learn's diabetes data, unscaled: labels, units and help for the form and OpenAPI.
FEATURE_DOCS = {
    "age": FeatureDoc("Age", "years", "Age at baseline"),
    "sex": FeatureDoc("Sex", "1 or 2", "Coded as in the source study"),
    "bmi": FeatureDoc("Body mass index", "kg/m²", "Weight divided by height squared"),
    "bp": FeatureDoc("Blood pressure", "mmHg", "Average blood pressure"),
    "tc": FeatureDoc("Total cholesterol", "mg/dL", "Total serum cholesterol (s1)"),
    "ldl": FeatureDoc("LDL cholesterol", "mg/dL", "Low-density lipoproteins (s2)"),
    "hdl": FeatureDoc("HDL cholesterol", "mg/dL", "High-density lipoproteins (s3)"),
    "tch": FeatureDoc("Cholesterol ratio", "TC/HDL", "Total cholesterol over HDL (s4)"),
    "ltg": FeatureDoc("Triglycerides", "log", "Log of serum triglycerides (s5)"),
    "glu": FeatureDoc("Blood sugar", "mg/dL", "Blood glucose level (s6)"),
}


def feature_doc(name: str) -> FeatureDoc:
    return FEATURE_DOCS.get(name, FeatureDoc(name, "", ""))


def date_text(value: object) -> object:
    """Dates arrive as ISO 8601 text; a number would otherwise be read as seconds since
    1970, a date the client never meant."""
    if value is not None and not isinstance(value, str):
        raise ValueError('a date must be ISO 8601 text, such as "2024-01-31"')
    return value


DateText = Annotated[datetime, BeforeValidator(date_text)]


def field_type(name: str, schema: DatasetSchema) -> tuple[Any, dict[str, Any]]:
    """The Python type of a feature's field and its extra Field settings."""
    if name in schema.numeric:
        # strict: "50" and true are not numbers (an int such as 50 is).
        limits = {"ge": -NUMBER_LIMIT, "le": NUMBER_LIMIT}
        return float, {"allow_inf_nan": False, "strict": True, **limits}
    if name in schema.dates:
        return DateText, {}
    if schema.is_boolean(name):
        # stored as the text "True"/"False", which records_frame writes
        return bool, {"strict": True}
    listed = schema.listed_categories(name)
    return (Literal[tuple(listed)] if listed else str), {}


def record_model(schema: DatasetSchema) -> type[BaseModel]:
    """A pydantic model with one required (nullable) field per feature, named as in the
    data.

    Columns need not be Python identifiers ("blood pressure"), so each field has a safe
    internal name and the column name as its alias.
    """
    fields: dict[str, Any] = {}
    for index, name in enumerate(schema.features):
        doc = feature_doc(name)
        description = f"{doc.help} ({doc.unit})" if doc.unit else doc.help
        kind, settings = field_type(name, schema)
        fields[f"feature_{index}"] = (
            kind | None,
            Field(alias=name, title=doc.label, description=description or None, **settings),
        )
    return create_model(
        "Record",
        __config__=ConfigDict(extra="forbid", populate_by_name=False),
        **fields,
    )


class Prediction(BaseModel):
    model_version: int
    predictions: list[Any] = Field(description="One per record, in order")
    probabilities: list[float] | None = Field(
        default=None, description="Classification: probability of the positive class"
    )
    request_ids: list[str] | None = Field(
        default=None,
        description="One per record, when the service records its requests: send it back "
        "with the true outcome, so that monitoring can score the live model",
    )


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where: the body, a record's position, a field")
    msg: str
    type: str


class Errors(BaseModel):
    """What every refused request gets back (422, 413): each problem and where it is."""

    detail: list[ErrorItem]


class Unreadable(BaseModel):
    """FastAPI's answer to a body that is not text (invalid UTF-8)."""

    detail: str


# The answers /predict documents besides 200, so clients (and API fuzzers) know them.
PREDICT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Unreadable, "description": "The body is not UTF-8 text"},
    413: {"model": Errors, "description": "The body is larger than any valid request"},
    422: {"model": Errors, "description": "Invalid JSON, records or values, each named"},
}


class Health(BaseModel):
    status: Literal["ok"]
    model_version: int
