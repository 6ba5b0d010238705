"""Fixtures of the report's own tests: the 2022 edition's data and every figure drawn from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzchina import figures
from kzchina.data import load

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ds():
    return load(root=ROOT)


@pytest.fixture(scope="module")
def results(ds):
    """Every figure of the report, its layout settled as a saved figure has it."""
    out = {}
    for func in figures.ALL:
        result = func(ds)
        result.figure.draw_without_rendering()
        out[func.__name__] = result
    return out
