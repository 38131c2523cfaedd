"""The README's option table, generated from cookiecutter.json (`nox -s docs` rewrites it)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- options:start -->", "<!-- options:end -->"


def prompt_text(prompt: Any) -> str:
    return prompt["__prompt__"] if isinstance(prompt, dict) else str(prompt)


def option_table(options: dict[str, Any]) -> str:
    prompts = options.get("__prompts__", {})
    rows = ["| option | values (first is the default) | asks |", "| --- | --- | --- |"]
    for key, value in options.items():
        if key.startswith("_"):
            continue
        if isinstance(value, list):
            values = " / ".join(f"`{choice}`" for choice in value)
        else:
            values = f"`{value}`" + (" (derived)" if "{{" in str(value) else "")
        rows.append(
            f"| `{key}` | {values.replace('|', '&#124;')} | {prompt_text(prompts.get(key, ''))} |"
        )
    return "\n".join(rows)


def render_readme(readme: str, options: dict[str, Any]) -> str:
    pattern = re.compile(rf"{re.escape(START)}.*?{re.escape(END)}", re.S)
    return pattern.sub(f"{START}\n{option_table(options)}\n{END}", readme)


def main() -> int:
    options = json.loads((ROOT / "cookiecutter.json").read_text())
    README.write_text(render_readme(README.read_text(), options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
