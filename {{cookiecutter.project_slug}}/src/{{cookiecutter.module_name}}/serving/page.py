"""The form page at GET /, laid out by templates/form.html.j2 in the project's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    options: list[str] | None  # None: a number input; else the categories to choose from


def form_field(index: int, name: str, bundle: LoadedBundle, example: dict[str, Any]) -> FormField:
    """One input, prefilled from the example recorded at training time."""
    doc = feature_doc(name)
    numeric = name in bundle.schema.numeric
    return FormField(
        id=f"feature-{index}",
        name=name,
        label=doc.label + (f" ({doc.unit})" if doc.unit else ""),
        help=doc.help,
        value=example.get(name, ""),
        options=None if numeric else list(bundle.schema.categories.get(name, [])),
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
