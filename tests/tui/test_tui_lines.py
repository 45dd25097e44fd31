"""wrap(): the formula and expectation lines cut to the panel's width."""

from __future__ import annotations

import pytest
from rich.style import Style

from stepnet.tui.parts.lines import cells, wrap

DIM = Style(dim=True)


@pytest.mark.parametrize("text, width, expected", [
    ("abcd", 4, ["abcd"]),  # exactly the width: one line
    ("aaaa bbbb", 4, ["aaaa", "bbbb"]),  # the space it breaks at is dropped, no blank line
    ("aa bb cc dd", 5, ["aa bb", "cc dd"]),
    ("aaaa bbbbbbbbb", 4, ["aaaa", "bbbb", "bbbb", "b"]),  # a word longer than the width is cut
    ("x = a-b + c-d", 6, ["x =", "a-b +", "c-d"]),  # not at hyphens: a minus is no hyphen
    ("", 10, [""]),
    ("abc def", 0, ["abc def"]),  # no width yet: left as it is
])
def test_wrap_cuts_at_spaces_within_the_width(text, width, expected) -> None:
    lines = wrap([(text, None)], width)
    assert ["".join(s.text for s in line) for line in lines] == expected
    assert all(cells(line) <= width for line in lines) or width == 0


def test_wrap_keeps_each_part_in_its_style() -> None:
    lines = wrap([("next  ", DIM), ("z1 = W1·a0 + b1", None)], 12)
    assert ["".join(s.text for s in line) for line in lines] == ["next  z1 =", "W1·a0 + b1"]
    assert [(s.text, s.style) for s in lines[0]] == [("next  ", DIM), ("z1 =", None)]
    assert {s.style for s in lines[1]} == {None}
