"""Fast tier: the deep tier's variants cover every allowed pair, checked against an
independent enumeration of cookiecutter.json (itertools.product, not covertable)."""

from __future__ import annotations

import itertools
from typing import Any

from .conftest import CHOICES, COOKIECUTTER_JSON, DEFAULTS, variant_id
from .test_variants import VARIANTS, lane_seconds, lanes

# Read from cookiecutter.json here, not from the deep tier's module.
EACH_VALUE_ONCE = COOKIECUTTER_JSON["_each_value_once"]
BEHAVIOURAL = [key for key in CHOICES if key not in EACH_VALUE_ONCE]
Pair = tuple[tuple[str, str], tuple[str, str]]


def meets_requirements(row: dict[str, str], requires: dict[str, Any]) -> bool:
    """cookiecutter.json's `_requires`, read here on its own: every chosen value's needs."""
    return all(
        row.get(needed_option, needed) == needed
        for option, by_value in requires.items()
        for needed_option, needed in by_value.get(row.get(option), {}).items()
    )


def allowed_pairs() -> set[Pair]:
    """Every pair of values of two behavioural options that some valid bake contains,
    found by enumerating every combination of their values."""
    requires = COOKIECUTTER_JSON["_requires"]
    pairs: set[Pair] = set()
    for values in itertools.product(*(CHOICES[key] for key in BEHAVIOURAL)):
        row = dict(zip(BEHAVIOURAL, values, strict=True))
        if meets_requirements(row, requires):
            pairs.update(itertools.combinations(sorted(row.items()), 2))
    return pairs


def missing_pairs(variants: list[dict[str, str]]) -> set[Pair]:
    covered = {pair for v in variants for pair in itertools.combinations(sorted(v.items()), 2)}
    return allowed_pairs() - covered


def test_every_allowed_pair_of_behavioural_options_is_baked() -> None:
    assert missing_pairs(VARIANTS) == set()


def test_the_coverage_check_catches_a_variant_taken_away() -> None:
    # A planted defect: without any one variant, some pair goes unbaked and the check
    # above would say which.
    for left_out in range(len(VARIANTS)):
        fewer = VARIANTS[:left_out] + VARIANTS[left_out + 1 :]
        assert missing_pairs(fewer), f"{variant_id(VARIANTS[left_out])} adds no pair"


def unbaked_values(variants: list[dict[str, str]]) -> set[tuple[str, str]]:
    """Values of the options baked once each that no variant has."""
    baked = {(key, variant[key]) for variant in variants for key in EACH_VALUE_ONCE}
    return {(key, value) for key in EACH_VALUE_ONCE for value in CHOICES[key]} - baked


def test_every_value_of_an_option_baked_once_is_baked() -> None:
    assert unbaked_values(VARIANTS) == set()


def test_the_value_check_catches_a_value_left_at_its_default() -> None:
    # A planted defect: the spread options left at their defaults everywhere.
    at_defaults = [{**v, **{key: DEFAULTS[key] for key in EACH_VALUE_ONCE}} for v in VARIANTS]
    assert ("ci", "gitlab") in unbaked_values(at_defaults)


def test_forbidden_pairs_are_not_required() -> None:
    # compute=azureml needs tracking=mlflow: that pair never appears in a valid bake.
    assert (("compute", "azureml"), ("tracking", "local")) not in allowed_pairs()
    assert (("compute", "azureml"), ("tracking", "mlflow")) in allowed_pairs()


def test_every_variant_meets_the_requirements_in_cookiecutter_json() -> None:
    refused = [
        variant_id(variant)
        for variant in VARIANTS
        if not meets_requirements(variant, COOKIECUTTER_JSON["_requires"])
    ]
    assert refused == []


def test_no_variant_is_baked_twice() -> None:
    # Each deep-tier variant costs minutes: a repeat tests nothing new.
    ids = [variant_id(variant) for variant in VARIANTS]
    assert sorted(ids) == sorted(set(ids))


def test_the_two_lanes_share_the_estimated_work() -> None:
    """Every variant runs in one of two lanes, and neither lane waits on the other for
    longer than one variant takes."""
    chosen = lanes(VARIANTS)
    assert sorted(set(chosen)) == [0, 1]
    totals = [
        sum(lane_seconds(variant) for variant, lane in zip(VARIANTS, chosen, strict=True)
            if lane == wanted)
        for wanted in (0, 1)
    ]  # fmt: skip
    assert abs(totals[0] - totals[1]) <= max(map(lane_seconds, VARIANTS))
