"""Edits to params.yaml that keep its comments and layout (a round-trip YAML editor): the
file is documentation as much as settings, so `use-data` and `tune` change values in
place and leave every comment where the user reads it."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML


def represent_null(representer: Any, value: None) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def edited_yaml(path: Path, change: Callable[[Any], None]) -> tuple[str, Any]:
    """The text of `path` after `change` has edited its parsed document in place, and
    the document."""
    editor = YAML()
    editor.preserve_quotes = True
    editor.width = 4096  # a long flow mapping stays on its line, as the user wrote it
    # null written as `null`, as params.yaml writes it, not as an empty value.
    editor.representer.add_representer(type(None), represent_null)
    document: Any = editor.load(path.read_text(encoding="utf-8"))
    change(document)
    text = io.StringIO()
    editor.dump(document, text)
    return text.getvalue(), document


def set_values(mapping: Any, values: dict[str, Any]) -> None:
    """Set `values` in a round-trip mapping; keys it lacks go last, and the comment lines
    that followed its last key (the next section's heading) still follow the last key:
    the editor keeps them with the key they came after, and would leave them above the
    added ones. An inline comment stays on its own key's line."""
    added = [name for name in values if name not in mapping]
    last = list(mapping)[-1] if mapping else None
    trailing = mapping.ca.items.get(last) if added and last is not None else None
    for name, value in values.items():
        mapping[name] = value
    if trailing is None or trailing[2] is None:
        return
    token = trailing[2]
    inline, _, rest = (
        token.value.partition("\n") if token.value.startswith("#") else ("", "", token.value)
    )
    moved = copy.copy(token)
    moved.value = "\n" + rest if inline else rest  # a comment's text starts at its key's line end
    if inline:
        token.value = inline + "\n"
    else:
        mapping.ca.items.pop(last)
    mapping.ca.items[added[-1]] = [None, None, moved, None]
