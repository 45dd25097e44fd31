"""wrap(), head() and cut(): a part's lines fitted to its width and height."""

from __future__ import annotations

import pytest

from stepnet.tui.widgets.part import cut, head, wrap

DIM = "formula--dim"


def plain(line) -> str:
    return "".join(text for text, _ in line)


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
    lines = wrap([(text, "")], width)
    assert [plain(line) for line in lines] == expected
    assert all(len(plain(line)) <= width for line in lines) or width == 0


def test_wrap_keeps_each_piece_in_its_style() -> None:
    lines = wrap([("next  ", DIM), ("z1 = W1·a0 + b1", "")], 12)
    assert [plain(line) for line in lines] == ["next  z1 =", "W1·a0 + b1"]
    assert lines[0] == [("next  ", DIM), ("z1 =", "")]
    assert {style for _, style in lines[1]} == {""}


@pytest.mark.parametrize("length, expected, marked", [
    (9, "abc defgh", False),  # room for it all: itself
    (5, "abc …", True),  # the last character says there was more
    (1, "…", True),
])
def test_cut_keeps_at_most_length_characters_and_marks_what_it_left_out(length, expected, marked) -> None:
    line = [("abc ", ""), ("defgh", DIM)]
    shown = cut(line, length)
    assert plain(shown) == expected and len(plain(shown)) <= length
    assert plain(head(line, length)) == "abc defgh"[:length]
    assert (shown != line) == marked
