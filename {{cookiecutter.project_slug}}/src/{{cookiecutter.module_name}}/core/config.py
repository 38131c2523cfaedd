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
from .texts import plain, text

Task = Literal["regression", "classification"]
# scikit-learn's bundled diabetes data (442 patients), read without a download.
SAMPLE_SOURCE = "sklearn:diabetes"
# The bundled sample's columns: scikit-learn's names -> the ones the project uses.
DIABETES_COLUMNS = {
    "age": "age",
    "sex": "sex",
    "bmi": "bmi",
    "bp": "bp",
    "s1": "tc",
    "s2": "ldl",
    "s3": "hdl",
    "s4": "tch",
    "s5": "ltg",
    "s6": "glu",
}
SAMPLE_TARGET = "progression"
SAMPLE_COLUMNS = [*DIABETES_COLUMNS.values(), SAMPLE_TARGET]


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
            raise ValueError(text("error.listed_twice", column=repr(repeated[0])))
        if self.target in listed:
            raise ValueError(text("error.target_listed", target=repr(self.target)))
        return self

    @model_validator(mode="after")
    def _split_names_its_column(self) -> DataParams:
        if self.split != "random" and not self.split_column:
            raise ValueError(text("error.split_needs_column", split=repr(self.split)))
        if self.split == "random" and self.split_column:
            raise ValueError(plain("error.split_column_unused"))
        if self.split_column == self.target:
            raise ValueError(plain("error.split_column_is_target"))
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
        raise ValueError(text("error.threshold_setting", setting=repr(setting)))


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
            raise ValueError(text("error.range_order", low=self.low, high=self.high))
        if self.log and self.low <= 0:
            raise ValueError(text("error.range_log", low=self.low))
        if self.integer and not (self.low.is_integer() and self.high.is_integer()):
            raise ValueError(text("error.range_integer", low=self.low, high=self.high))
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
                choices = ", ".join(sorted(known))
                raise ValueError(text("error.not_a_model", name=repr(name), choices=choices))
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
                text(
                    "error.model_for_task",
                    name=repr(self.model.name),
                    task=self.task,
                    choices=", ".join(sorted(choices)),
                )
            )
        if self.task == "regression" and self.data.class_threshold is not None:
            raise ValueError(plain("error.threshold_for_regression"))
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
        raise PipelineError(text("error.no_ranges", model=params.model.name))
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


# pydantic's kinds of error a person makes in a YAML file, as the catalogue says them;
# other kinds keep pydantic's words (a validator's own message is already a sentence).
ERROR_SENTENCES = {
    "extra_forbidden": "error.setting.unknown",
    "missing": "error.setting.missing",
    "float_parsing": "error.setting.number",
    "float_type": "error.setting.number",
    "int_parsing": "error.setting.whole",
    "int_type": "error.setting.whole",
    "int_from_float": "error.setting.whole",
    "bool_parsing": "error.setting.bool",
    "bool_type": "error.setting.bool",
    "string_type": "error.setting.text",
    "list_type": "error.setting.list",
    "literal_error": "error.setting.one_of",
    "greater_than": "error.setting.above",
    "greater_than_equal": "error.setting.at_least",
    "less_than": "error.setting.below",
    "less_than_equal": "error.setting.at_most",
}


def in_own_words(error: ErrorDetails) -> str:
    """A pydantic error's message in the project's language where the catalogue has it."""
    key = ERROR_SENTENCES.get(error["type"])
    if key is None:
        return error["msg"].removeprefix("Value error, ")
    limits = error.get("ctx") or {}
    return text(
        key,
        **{name: limits[name] for name in ("expected", "gt", "ge", "lt", "le") if name in limits},
    )


def error_line(error: ErrorDetails) -> str:
    """One pydantic error as `key.path: message` in the file's terms: "tune.space.ridge.
    alpha: low (10) must be below high (1)". pydantic's own markers (a validator's name,
    a union member's tag) name no key, and a check of several keys together carries its
    own words."""
    location = ".".join(str(part) for part in error["loc"] if not INTERNAL_PART.search(str(part)))
    message = in_own_words(error)
    return f"{location}: {message}" if location else message


def describe_validation_error(source: Path, error: ValidationError) -> str:
    """One line naming the file and the first key at fault."""
    more = len(error.errors()) - 1
    return text("error.invalid", path=source, problem=error_line(error.errors()[0]), more=more)


def read_yaml_mapping(path: Path, document: str) -> dict[str, Any]:
    """Parse YAML that must be a mapping, naming the file on any problem."""
    try:
        loaded = yaml.safe_load(document)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PipelineError(text("error.yaml", path=path, line=line)) from exc
    if not isinstance(loaded, dict):
        raise PipelineError(text("error.not_a_mapping", path=path))
    return loaded


def load_params(path: Path) -> Params:
    """Read and validate params.yaml."""
    if not path.is_file():
        raise PipelineError(text("error.params_not_found", path=path))
    raw = read_yaml_mapping(path, path.read_text(encoding="utf-8"))
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(describe_validation_error(path, exc)) from exc
