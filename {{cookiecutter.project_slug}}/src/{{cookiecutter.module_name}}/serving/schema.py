"""Request and response models for the prediction API, built from the saved schema.

The request model comes from the feature schema saved with the model, so a team's own
CSV gets a typed, validated API with no code changes. Unknown fields, missing fields,
wrong types, NaN or infinity, and categories the model never saw are all rejected with
422 naming the field. `null` is accepted for every feature: the model imputes it, as it
did for missing values in training. A boolean column takes JSON true/false. Dates are
ISO 8601 text ("2024-01-31"); any date is accepted, seen in training or not. A
categorical feature with more training values than core/dataset.py's
MAX_LISTED_CATEGORIES takes any text, and a value the model never saw counts as a rare
one (see stages/preprocess.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..core.dataset import DatasetSchema

MAX_BATCH = 1000


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


def field_type(name: str, schema: DatasetSchema) -> tuple[Any, dict[str, Any]]:
    """The Python type of a feature's field and its extra Field settings."""
    if name in schema.numeric:
        return float, {"allow_inf_nan": False}
    if name in schema.dates:
        return datetime, {}
    if schema.is_boolean(name):
        return bool, {}  # stored as the text "True"/"False", which records_frame writes
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


class Health(BaseModel):
    status: Literal["ok"]
    model_version: int
