"""The project checked as a whole before any stage runs: params.yaml, the business goal
and the data file's header and target, every problem at once, one line each naming the
file and the key.

Problems are yielded as they are found, cheapest first: params.yaml, the goal and the
data are read without scikit-learn, so they show at once; the hyper-parameters are
checked last, against the estimator itself (the one check that imports scikit-learn).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from ..core.config import (
    SAMPLE_COLUMNS,
    SAMPLE_SOURCE,
    DataParams,
    Params,
    Task,
    error_line,
    read_yaml_mapping,
)
from ..core.errors import PipelineError
from ..core.goal import BusinessGoal, gate_problem, split_front_matter
from ..core.models import ESTIMATORS, estimator_class, unknown_hyperparameters
from ..core.paths import ProjectPaths
from ..core.texts import text

TARGET_ROWS_READ = 10_000  # rows of the target read to judge its type
MAX_CLASSES = 20  # more distinct numbers than this are a quantity, not classes
TASKS = get_args(Task)  # the tasks params.yaml may name


def located(path: Path, error: ValidationError) -> Iterator[str]:
    """Each pydantic error as `file: key.path: message`."""
    for item in error.errors():
        yield f"{path}: {error_line(item)}"


def read_mapping(
    path: Path, document: str | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """A YAML mapping from `document` (or the file), or the problem reading it."""
    if document is None and not path.is_file():
        return None, [text("error.not_found", path=path)]
    try:
        content = path.read_text(encoding="utf-8") if document is None else document
        return read_yaml_mapping(path, content), []
    except PipelineError as error:
        return None, [str(error)]


def params_problems(path: Path) -> tuple[dict[str, Any] | None, Params | None, list[str]]:
    """params.yaml's raw mapping, its validated form (None when invalid) and every
    problem in it."""
    raw, problems = read_mapping(path)
    if raw is None:
        return None, None, problems
    try:
        return raw, Params.model_validate(raw), []
    except ValidationError as error:
        return raw, None, list(located(path, error))


def goal_problems(path: Path, task: str | None) -> list[str]:
    """The business goal's front matter, and its metric and direction for the task."""
    if not path.is_file():
        return [text("error.goal_not_found", path=path)]
    front_matter = split_front_matter(path.read_text(encoding="utf-8"))
    if not front_matter:
        return [text("error.no_front_matter", path=path)]
    raw, problems = read_mapping(path, front_matter)
    if raw is None:
        return problems
    try:
        goal = BusinessGoal.model_validate(raw)
    except ValidationError as error:
        return list(located(path, error))
    if task is None:
        return []
    problem = gate_problem(goal, task)
    return [f"{path}: {problem}"] if problem else []


def repeated_column(names: list[str], where: str) -> str | None:
    """The problem with a header that names a column twice: pandas would keep both under
    new names ("age", "age.1") and the copy would reach training unnoticed."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            count = names.count(name)
            return text("error.repeated_column", where=where, column=repr(name), count=count)
        seen.add(name)
    return None


def first_row(reader: Iterator[list[str]]) -> list[str]:
    """A CSV file's header, each name stripped as prepare strips it."""
    return [name.strip() for name in next(reader, [])]


def csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return first_row(csv.reader(handle))


def csv_header_and_target(path: Path, target: str) -> tuple[list[str], list[str]]:
    """The header of a CSV file and the first non-empty values of its target column."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = first_row(reader)
        if target not in header:
            return header, []
        column = header.index(target)
        rows = itertools.islice(reader, TARGET_ROWS_READ)
        values = [row[column].strip() for row in rows if len(row) > column]
    return header, [value for value in values if value]


def parquet_header_and_target(path: Path, target: str) -> tuple[list[str], list[str]]:
    import pyarrow.parquet as pq  # a Parquet file's schema; not scikit-learn

    header = [str(name) for name in pq.read_schema(path).names]
    if target not in header:
        return header, []
    source = pq.ParquetFile(path)
    first = next(source.iter_batches(batch_size=TARGET_ROWS_READ, columns=[target]), None)
    values = [] if first is None else first.column(0).to_pylist()
    return header, [str(value) for value in values if value is not None]


def header_and_target(path: Path, target: str) -> tuple[list[str], list[str]]:
    """The header of a CSV or Parquet file and the first non-empty values of its target;
    a PipelineError naming the file when it is of another type or cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return csv_header_and_target(path, target)
        if suffix in (".parquet", ".pq"):
            return parquet_header_and_target(path, target)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PipelineError(text("error.unreadable", path=path, detail=first_line)) from error
    raise PipelineError(text("error.file_type", path=path, suffix=repr(suffix)))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def target_problems(where: str, data: DataParams, task: str | None, values: list[str]) -> list[str]:
    """The target's values against the task: numbers for regression; for classification,
    labels, or numbers with few values, or a threshold that splits them."""
    if not values or task is None:
        return []
    words = [value for value in values if not is_number(value)]
    if task == "regression" and words:
        return [
            text("error.target_words", where=where, target=repr(data.target), value=repr(words[0]))
        ]
    if task == "classification" and words and len(set(values)) > MAX_CLASSES:
        count = len(set(values))
        target = repr(data.target)
        return [
            text("error.too_many_labels", where=where, target=target, count=count, most=MAX_CLASSES)
        ]
    a_quantity = not words and len(set(values)) > MAX_CLASSES
    if task == "classification" and a_quantity and data.class_threshold is None:
        return [
            text("error.too_many_classes", where=where, target=repr(data.target), most=MAX_CLASSES)
        ]
    return []


def data_problems(paths: ProjectPaths, data: DataParams, task: str | None) -> list[str]:
    """The data file params.yaml names (relative to the project root, as prepare reads
    it): present, readable, with every column named, and a target that fits the task."""
    params_path = paths.params
    if data.source == SAMPLE_SOURCE:  # its columns are known without reading it
        return column_problems(params_path, SAMPLE_SOURCE, SAMPLE_COLUMNS, data)
    path = paths.root / data.source
    if not path.is_file():
        return [text("error.source_missing", params=params_path, path=path)]
    try:
        header, values = header_and_target(path, data.target)
    except PipelineError as error:
        return [f"{params_path}: data.source: {error}"]
    if not header:
        return [text("error.empty", path=path)]
    repeated = repeated_column(header, str(path))
    problems = [repeated] if repeated else []
    problems += column_problems(params_path, path, header, data)
    return [*problems, *target_problems(str(path), data, task, values)]


def column_problems(
    params_path: Path, source: Path | str, header: list[str], data: DataParams
) -> list[str]:
    """The target and every column params.yaml names, against the table's header."""
    problems = []
    if data.target not in header:
        shown = ", ".join(header[:12])
        missing = text(
            "error.target_not_in",
            params=params_path,
            target=repr(data.target),
            path=source,
            columns=shown,
        )
        problems.append(missing)
    named = {**data.named_columns(), "split_column": [data.split_column or ""]}
    for key, names in named.items():
        for name in names:
            if name and name not in header:
                problems.append(
                    text(
                        "error.column_not_in",
                        params=params_path,
                        setting=key,
                        column=repr(name),
                        path=source,
                    )
                )
    return problems


def hyperparameter_problems(path: Path, params: Params) -> list[str]:
    """model.params against the estimator's own parameters (imports scikit-learn)."""
    estimator = estimator_class(ESTIMATORS[params.task][params.model.name])()
    unknown = unknown_hyperparameters(estimator, params.model.name, params.model.params)
    searched = dict(params.tune.space.get(params.model.name, {}))
    where = f"tune.space.{params.model.name}"
    unknown += unknown_hyperparameters(estimator, params.model.name, searched, where)
    return [f"{path}: {problem}" for problem in unknown]


def project_problems(paths: ProjectPaths) -> Iterator[str]:
    """Every problem of the project's params, goal and data, cheapest checks first."""
    raw, params, problems = params_problems(paths.params)
    yield from problems
    task = raw.get("task") if raw is not None else None
    task = task if task in TASKS else None
    yield from goal_problems(paths.business_goal, task)
    data: DataParams | None = params.data if params is not None else None
    if data is None and raw is not None and isinstance(raw.get("data"), dict):
        try:
            data = DataParams.model_validate(raw["data"])
        except ValidationError:
            data = None  # already reported with the rest of params.yaml
    if data is not None:
        yield from data_problems(paths, data, task)
    if params is not None:
        yield from hyperparameter_problems(paths.params, params)
