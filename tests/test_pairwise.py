"""Fast tier: the deep tier's variants cover every allowed pair once, without waste."""

from __future__ import annotations

from .conftest import CHOICES, allowed, variant_id
from .test_variants import TEXT_ONLY, VARIANTS, uncovered_pairs

BEHAVIOURAL = [key for key in CHOICES if key not in TEXT_ONLY]


def test_every_allowed_pair_of_behavioural_options_is_baked() -> None:
    assert uncovered_pairs(VARIANTS, BEHAVIOURAL) == []


def test_every_variant_meets_the_requirements_in_cookiecutter_json() -> None:
    refused = [variant_id(variant) for variant in VARIANTS if not allowed(variant)]
    assert refused == []


def test_no_variant_is_baked_twice() -> None:
    # Each deep-tier variant costs minutes: a repeat tests nothing new.
    ids = [variant_id(variant) for variant in VARIANTS]
    assert sorted(ids) == sorted(set(ids))
