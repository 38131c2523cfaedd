{% raw -%}
"""The form page at GET /: one labelled input per feature and the prediction.

Plain HTML and a few lines of JavaScript that call POST /predict: no front-end build.
"""

from __future__ import annotations

import html
import json
from typing import Any

from ..registry.bundle import LoadedBundle
from .schema import feature_doc


def input_for(index: int, name: str, bundle: LoadedBundle, example: dict[str, Any]) -> str:
    doc = feature_doc(name)
    label = html.escape(doc.label + (f" ({doc.unit})" if doc.unit else ""))
    field_id = f"feature-{index}"
    attributes = f'id="{field_id}" name="{html.escape(name)}" required'
    if name in bundle.schema.numeric:
        value = html.escape(str(example.get(name, "")))
        control = f'<input type="number" step="any" value="{value}" {attributes}>'
    else:
        options = "".join(
            f"<option{' selected' if category == example.get(name) else ''}>"
            f"{html.escape(category)}</option>"
            for category in bundle.schema.categories.get(name, [])
        )
        control = f"<select {attributes}>{options}</select>"
    hint = f"<small>{html.escape(doc.help)}</small>" if doc.help else ""
    return f'<label for="{field_id}">{label}</label>{control}{hint}'


def render_form(bundle: LoadedBundle, title: str) -> str:
    example = bundle.example["features"][0] if bundle.example["features"] else {}
    inputs = "\n".join(
        input_for(index, name, bundle, example) for index, name in enumerate(bundle.schema.features)
    )
    numeric = json.dumps(bundle.schema.numeric)
    target = html.escape(bundle.schema.target)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }}
form {{ display: grid; grid-template-columns: 1fr 1fr; gap: .4rem 1rem; align-items: center; }}
small {{ grid-column: 1 / -1; color: #555; margin-top: -.3rem; }}
button {{ grid-column: 1 / -1; padding: .6rem; font-size: 1rem; }}
output {{ display: block; margin-top: 1rem; font-size: 1.3rem; }}
#error {{ color: #b00020; white-space: pre-line; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>Model version {bundle.version}. Enter one patient's measurements to predict
<strong>{target}</strong>.</p>
<form id="features">
{inputs}
<button type="submit">Predict</button>
</form>
<output id="prediction" aria-live="polite"></output>
<p id="error" role="alert"></p>
<script>
const numeric = new Set({numeric});
document.getElementById("features").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const record = {{}};
  for (const [name, value] of new FormData(event.target)) {{
    record[name] = numeric.has(name) ? Number(value) : value;
  }}
  const shown = document.getElementById("prediction");
  const error = document.getElementById("error");
  shown.textContent = ""; error.textContent = "";
  const response = await fetch("predict", {{
    method: "POST", headers: {{"Content-Type": "application/json"}}, body: JSON.stringify(record)
  }});
  const body = await response.json();
  if (!response.ok) {{
    error.textContent = body.detail.map((d) => `${{d.loc.at(-1)}}: ${{d.msg}}`).join("\\n");
    return;
  }}
  const value = body.predictions[0];
  const shownValue = typeof value === "number" ? value.toFixed(1) : value;
  const probability = body.probabilities
    ? ` (probability ${{body.probabilities[0].toFixed(2)}})` : "";
  shown.textContent = `Predicted {target}: ${{shownValue}}${{probability}}`;
}});
</script>
</body>
</html>
"""
{% endraw %}