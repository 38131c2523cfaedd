"""The validated contents of params.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from .errors import PipelineError
from .models import ESTIMATORS

Task = Literal["regression", "classification"]
# scikit-learn's bundled diabetes data (442 patients), read without a download.
SAMPLE_SOURCE = "sklearn:diabetes"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(_Strict):
    source: str = "sklearn:diabetes"
    target: str
    holdout_fraction: Annotated[float, Field(gt=0, lt=1)] = 0.2
    numeric: list[str] = []
    categorical: list[str] = []
    dates: list[str] = []
    identifiers: list[str] = []
    drop: list[str] = []
    class_threshold: Literal["median"] | float | None = None
    # random | group | time: how the holdout is chosen (stages/splitting.py).
    split: Literal["random", "group", "time"] = "random"
    split_column: str | None = None  # the group, or the time, for those splits

    def named_columns(self) -> dict[str, list[str]]:
        """The columns params.yaml names, by the key that lists them."""
        keys = ("numeric", "categorical", "dates", "identifiers", "drop")
        return {key: getattr(self, key) for key in keys}

    @model_validator(mode="after")
    def _columns_listed_once(self) -> DataParams:
        listed = [name for names in self.named_columns().values() for name in names]
        repeated = sorted({name for name in listed if listed.count(name) > 1})
        if repeated:
            raise ValueError(f"column {repeated[0]!r} is listed more than once")
        if self.target in listed:
            raise ValueError(f"the target {self.target!r} cannot also be a feature list entry")
        return self

    @model_validator(mode="after")
    def _split_names_its_column(self) -> DataParams:
        if self.split != "random" and not self.split_column:
            raise ValueError(f"data.split {self.split!r} needs data.split_column to split by")
        if self.split == "random" and self.split_column:
            raise ValueError("data.split_column applies only when data.split is group or time")
        if self.split_column == self.target:
            raise ValueError("data.split_column cannot be the target")
        return self


class FeatureParams(_Strict):
    interactions: bool = False


HyperParameter = bool | int | float | str | None


class ModelParams(_Strict):
    name: str
    params: dict[str, HyperParameter] = {}
    # Two classes: the probability of the positive class from which it is predicted.
    # "value": the one cross-validation finds worth the most by the business goal's
    # value block (0.5 when the goal gives none); a number: that one.
    decision_threshold: Literal["value"] | float = "value"

    @field_validator("decision_threshold", mode="before")
    @classmethod
    def _threshold(cls, setting: object) -> object:
        number = isinstance(setting, int | float) and not isinstance(setting, bool)
        if setting == "value" or (number and 0 < float(setting) < 1):  # type: ignore[arg-type]
            return setting
        raise ValueError(f"must be 'value' or a probability between 0 and 1, not {setting!r}")


class SearchRange(_Strict):
    """Numbers from `low` to `high` (whole numbers with `integer`), drawn on a log
    scale with `log`: a regularisation strength spans orders of magnitude."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> SearchRange:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log range must start above 0 (low is {self.low:g})")
        if self.integer and not (self.low.is_integer() and self.high.is_integer()):
            raise ValueError(f"an integer range needs whole bounds ({self.low:g} to {self.high:g})")
        return self


class SearchChoices(_Strict):
    """One of a list of values (a criterion, a solver, on or off)."""

    choices: Annotated[list[HyperParameter], Field(min_length=1)]


def dimension_kind(value: Any) -> str:
    """Which form a tune.space entry takes, so that a mistake is reported against that
    form alone (not also as a failed attempt at the other)."""
    if isinstance(value, SearchChoices) or (isinstance(value, dict) and "choices" in value):
        return "choices"
    return "range"


SearchDimension = Annotated[
    Annotated[SearchRange, Tag("range")] | Annotated[SearchChoices, Tag("choices")],
    Discriminator(dimension_kind),
]


class TuneParams(_Strict):
    """What `tune` searches (per model name, each hyper-parameter's range or choices)
    and for how long: the trials, or the minutes, whichever ends first."""

    trials: Annotated[int, Field(ge=1)] = 30
    timeout_minutes: Annotated[float, Field(gt=0)] | None = 10
    space: dict[str, dict[str, SearchDimension]] = {}

    @field_validator("space")
    @classmethod
    def _known_models(
        cls, space: dict[str, dict[str, SearchDimension]]
    ) -> dict[str, dict[str, SearchDimension]]:
        known = {name for models in ESTIMATORS.values() for name in models}
        for name in space:
            if name not in known:
                raise ValueError(
                    f"{name!r} is not a model name; choose from {', '.join(sorted(known))}"
                )
        return space


class Params(_Strict):
    seed: int = 42
    task: Task
    data: DataParams
    features: FeatureParams = FeatureParams()
    cv_folds: Annotated[int, Field(ge=2, le=50)] = 5
    cv_max_rows: Annotated[int, Field(ge=100)] | None = 50_000
    model: ModelParams
    tune: TuneParams = TuneParams()

    @model_validator(mode="after")
    def _model_fits_task(self) -> Params:
        choices = ESTIMATORS[self.task]
        if self.model.name not in choices:
            raise ValueError(
                f"model.name {self.model.name!r} is not a {self.task} model; "
                f"choose one of {', '.join(sorted(choices))}"
            )
        if self.task == "regression" and self.data.class_threshold is not None:
            raise ValueError("data.class_threshold only applies when task is classification")
        return self


def with_overrides(
    params: Params,
    source: Path | None = None,
    hyperparameters: dict[str, HyperParameter] | None = None,
) -> Params:
    """params.yaml with a job's data file and hyper-parameters (a sweep trial's) applied,
    so the training record shows the values the model was trained with."""
    data = params.data if source is None else params.data.model_copy(update={"source": str(source)})
    given = whole_numbers(params, hyperparameters or {})
    model = params.model.model_copy(update={"params": {**params.model.params, **given}})
    return params.model_copy(update={"data": data, "model": model})


def search_space(params: Params) -> dict[str, SearchDimension]:
    """The ranges declared for the model params.yaml names: what `tune` and the Azure ML
    sweep search."""
    space = params.tune.space.get(params.model.name)
    if not space:
        raise PipelineError(
            f"params.yaml: tune.space has no ranges for model {params.model.name!r}; "
            f"add some under tune.space.{params.model.name}"
        )
    return space


def whole_numbers(
    params: Params, hyperparameters: dict[str, HyperParameter]
) -> dict[str, HyperParameter]:
    """`hyperparameters` with 120.0 as 120 where tune.space declares an integer range:
    an Azure ML sweep samples whole numbers (quniform) as floats, which an estimator
    asking for an int refuses."""
    space = params.tune.space.get(params.model.name, {})

    def as_declared(name: str, value: HyperParameter) -> HyperParameter:
        dimension = space.get(name)
        integer = isinstance(dimension, SearchRange) and dimension.integer
        return int(value) if integer and isinstance(value, float) and value.is_integer() else value

    return {name: as_declared(name, value) for name, value in hyperparameters.items()}


# Parts of a pydantic error location that are not keys of the file.
INTERNAL_PART = re.compile(r"[\[\]]|^(range|choices)$")


def error_line(error: ErrorDetails) -> str:
    """One pydantic error as `key.path: message` in the file's terms: "tune.space.ridge.
    alpha: low (10) must be below high (1)". pydantic's own markers (a validator's name,
    a union member's tag) name no key, and a check of several keys together carries its
    own words."""
    location = ".".join(str(part) for part in error["loc"] if not INTERNAL_PART.search(str(part)))
    message = error["msg"].removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def describe_validation_error(source: Path, error: ValidationError) -> str:
    """One line naming the file and the first key at fault."""
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: {error_line(error.errors()[0])}{suffix}"


def read_yaml_mapping(path: Path, text: str) -> dict[str, Any]:
    """Parse YAML that must be a mapping, naming the file on any problem."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise PipelineError(f"{path}:{line} is not valid YAML") from exc
    if not isinstance(loaded, dict):
        raise PipelineError(f"{path}: expected a mapping of keys to values")
    return loaded


def load_params(path: Path) -> Params:
    """Read and validate params.yaml."""
    if not path.is_file():
        raise PipelineError(f"params file not found: {path}")
    raw = read_yaml_mapping(path, path.read_text(encoding="utf-8"))
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(describe_validation_error(path, exc)) from exc
