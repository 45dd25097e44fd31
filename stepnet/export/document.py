"""A worked example as a format-neutral document: headings, paragraphs, formulas, the lines
of a computation, tables and the NumPy code that recomputes each step. One builder writes
it (`worked`, `neuron`); each format renders it (`markdown`, `html`, `latex`, `notebook`).

Text in headings, paragraphs, items and cells may carry three marks of Markdown, which each
format renders its way: **bold**, *italic* and `code`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

#: what stands where a result is left for the student to compute
BLANK = "▢"


@dataclass(frozen=True)
class Heading:
    level: int  # 1 the title … 4 an operation
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Quote:
    text: str


@dataclass(frozen=True)
class Math:
    """A displayed formula, in LaTeX."""

    latex: str


@dataclass(frozen=True)
class Lines:
    """A computation written out, one element a line, in a fixed-width font: `z1[0,0] = …`."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: each column's alignment: "l" or "r"
    align: str


@dataclass(frozen=True)
class Code:
    """NumPy that recomputes a step (only a notebook shows it). `position` and `output` say
    which operation it is, for whoever checks what it computes."""

    source: str
    role: Literal["given", "step", "exercise", "answer", "show"] = "step"
    position: int | None = None
    output: str | None = None


Block = Heading | Paragraph | Items | Quote | Math | Lines | Table | Code


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)


Mark = Literal["text", "code", "bold", "italic"]
_MARKS = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def spans(text: str) -> list[tuple[Mark, str]]:
    """Text cut where its marks are: `[("text", "a "), ("bold", "b")]` of `a **b**`."""
    out: list[tuple[Mark, str]] = []
    end = 0
    for m in _MARKS.finditer(text):
        out.append(("text", text[end:m.start()]))
        out.append(("code", m[1]) if m[1] is not None else ("bold", m[2]) if m[2] is not None else ("italic", m[3]))
        end = m.end()
    return [(mark, part) for mark, part in [*out, ("text", text[end:])] if part]
