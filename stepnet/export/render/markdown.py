"""A document as Markdown with `$$…$$` formulas, as tutorials and Jupyter write them."""

from __future__ import annotations

from collections.abc import Iterable

from stepnet.export.document import Block, Code, Document, Heading, Items, Lines, Math, Paragraph, Quote, Table


def render(document: Document) -> str:
    return blocks(document.blocks)


def blocks(shown: Iterable[Block]) -> str:
    """Blocks as Markdown, a blank line between them (NumPy code is the notebook's)."""
    out: list[str] = []
    for block in shown:
        if not isinstance(block, Code):
            out += [*_lines(block), ""]
    return "\n".join(out).rstrip() + "\n"


def _lines(block: Block) -> list[str]:
    match block:
        case Heading(level, text):
            return [f"{'#' * level} {text}"]
        case Paragraph(text):
            return [text]
        case Items(items):
            return [f"- {item}" for item in items]
        case Quote(text):
            return [f"> {text}"]
        case Math(latex):
            return [f"$${latex}$$"]
        case Lines(lines):
            return ["```text", *lines, "```"]
        case Table(head, rows, align):
            rule = "|" + "".join("---:|" if a == "r" else "---|" for a in align)
            return [_row(head), rule, *map(_row, rows)]
    raise TypeError(f"no Markdown for {block!r}")


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
