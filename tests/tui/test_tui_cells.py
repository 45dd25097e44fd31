"""Numbers in cells: always a space before them, and never cut short into another number."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepnet.tui.cells import cell, number, width


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=1, max_value=12))
def test_a_cell_is_its_width_with_a_space_before_the_number_it_reads_as(x, digits) -> None:
    text = cell(x, digits)
    assert len(text) == width(digits) and text[0] == " "
    shown, exact = Decimal(text), Decimal(x)  # decimals: 1.5e308 rounds to 2e+308, past a float
    # at least one significant digit kept, rounded: within half a unit of the first digit
    unit = Decimal(10) ** math.floor(math.log10(abs(x))) if x else Decimal(0)
    assert abs(shown - exact) <= unit / 2 * Decimal("1.000001")


@pytest.mark.parametrize("x, digits, expected", [
    (-1.2857e300, 4, "-1.29e+300"),  # a three-digit exponent: one digit fewer, not glued to its neighbour
    (-1.2857e30, 4, "-1.286e+30"),
    (0.5933, 4, "0.5933"),
])
def test_a_long_exponent_costs_a_digit(x, digits, expected) -> None:
    assert cell(x, digits).strip() == expected


@pytest.mark.parametrize("x, room, expected", [
    (-2.573e300, 9, "-2.6e+300"),  # the diagram's column: not "-2.57e+30", another number
    (-2.573e300, 6, "…"),  # not even one digit fits
    (float("nan"), 3, "NaN"),
    (0.000123, 9, "1.23e-04"),
])
def test_number_fits_its_room_or_says_it_cannot(x, room, expected) -> None:
    assert number(x, 3, room) == expected
