"""The form page at GET /, laid out by templates/form.html.j2 in the project's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.dataset import DatasetSchema
from ..core.texts import environment, render_template
from ..registry.bundle import LoadedBundle
from .schema import feature_doc


@dataclass(frozen=True)
class FormField:
    id: str
    name: str
    label: str
    help: str
    value: Any
    kind: str  # the input: "number", "date", "text", or "choice" (from `options`)
    options: list[str]


def input_kind(name: str, schema: DatasetSchema) -> tuple[str, list[str]]:
    if name in schema.numeric:
        return "number", []
    if name in schema.dates:
        return "date", []
    listed = schema.listed_categories(name)
    return ("choice", listed) if listed else ("text", [])


def form_field(index: int, name: str, bundle: LoadedBundle, example: dict[str, Any]) -> FormField:
    """One input, prefilled from the example recorded at training time."""
    doc = feature_doc(name)
    kind, options = input_kind(name, bundle.schema)
    recorded = example.get(name)
    value = "" if recorded is None else recorded
    return FormField(
        id=f"feature-{index}",
        name=name,
        label=doc.label + (f" ({doc.unit})" if doc.unit else ""),
        help=doc.help,
        # A date input takes the day only; the example holds an ISO timestamp.
        value=str(value)[:10] if kind == "date" else value,
        kind=kind,
        options=options,
    )


def render_form(bundle: LoadedBundle, title: str) -> str:
    example = bundle.example["features"][0] if bundle.example["features"] else {}
    fields = [
        form_field(index, name, bundle, example)
        for index, name in enumerate(bundle.schema.features)
    ]
    context: dict[str, object] = {
        "title": title,
        "version": bundle.version,
        "target": bundle.schema.target,
        "fields": fields,
        "numeric": bundle.schema.numeric,
    }
    return render_template(environment("serving"), "form.html.j2", context)
