"""Formulas worked by hand, for the tests that hold stepnet's numbers against them."""

from __future__ import annotations

import math


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))
