"""Words that follow the data: each helper on the cases that change a sentence's meaning."""

from __future__ import annotations

import pytest

from kzchina import words


@pytest.mark.parametrize(
    ("change", "expected"), [(0.4, "rose"), (-0.01, "fell"), (0, "was unchanged")]
)
def test_rose_fell(change, expected):
    assert words.rose_fell(change) == expected


def test_tolerance_treats_small_changes_as_none():
    assert words.rose_fell(0.004, tolerance=0.005) == "was unchanged"
    assert words.up_down(-0.02, tolerance=0.005) == "down"


@pytest.mark.parametrize(("change", "expected"), [(3, "up"), (-3, "down"), (0.0, "unchanged")])
def test_up_down(change, expected):
    assert words.up_down(change) == expected


def test_higher_lower_and_neutral():
    assert words.higher_lower(6.41) == "higher"
    assert words.higher_lower(-0.2) == "lower"
    assert words.higher_lower(0) == "the same"
    assert words.above_below(0.17) == "above neutral"
    assert words.above_below(-0.04) == "below neutral"
    assert words.above_below(0.0) == "neutral"
    assert words.positive_negative(-0.18) == "negative"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "first"),
        (6, "sixth"),
        (12, "twelfth"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (111, "111th"),
    ],
)
def test_ordinal(n, expected):
    assert words.ordinal(n) == expected


def test_superlative():
    assert words.superlative(1) == "the largest"
    assert words.superlative(2) == "the second-largest"
    assert words.superlative(3, "biggest") == "the third-biggest"
    with pytest.raises(ValueError):
        words.superlative(0)


def test_counts_as_words():
    assert words.count(3) == "three"
    assert words.count(0) == "zero"
    assert words.count(16061) == "16,061"
    assert words.count_of(3, 4, "indicators") == "three of the four indicators"
    assert words.count_of(4, 4, "indicators") == "all four indicators"
    assert words.count_of(2, 2, "regions") == "both regions"
    assert words.count_of(0, 4, "indicators") == "none of the four indicators"
    assert words.counted(1, "region") == "one region"
    assert words.counted(3, "region") == "three regions"
    assert words.counted(2, "country", "countries") == "two countries"
    with pytest.raises(ValueError):
        words.count_of(5, 4, "indicators")


def test_name_lists():
    assert words.name_list(["Russia"]) == "Russia"
    assert words.name_list(["Russia", "France"]) == "Russia and France"
    assert words.name_list(["A", "B", "C"]) == "A, B and C"
    assert words.name_list(["A", "B"], "or") == "A or B"
    with pytest.raises(ValueError):
        words.name_list([])


def test_period():
    assert words.period(2017, 2021) == "2017\u20132021"
    assert words.period(2021, 2021) == "2021"
