"""A document as a Jupyter notebook: its text in Markdown cells (the formulas in `$$…$$`),
and code cells that set what it starts from and recompute each step in plain NumPy from the
ones before, so a student can run it, change a number and run it again.

Written with nbformat (the optional extra `stepnet[notebook]`), which validates the notebook
against Jupyter's schema. Cell ids are numbered, not random, so the same export gives the
same file. Each step's cell carries `{"stepnet": {"position", "output"}}` in its metadata:
which operation it recomputes.
"""

from __future__ import annotations

from typing import Any

from stepnet.export.document import Block, Code, Document
from stepnet.export.render import markdown
from stepnet.export.scope import ExportError

MISSING = "--format notebook needs nbformat: pip install 'stepnet[notebook]'"


def available() -> bool:
    try:
        import nbformat  # noqa: F401
    except ImportError:
        return False
    return True


def render(document: Document) -> str:
    import nbformat
    from nbformat import v4

    cells: list[Any] = []
    text: list[Block] = []

    def flush() -> None:
        if text:
            cells.append(v4.new_markdown_cell(markdown.blocks(text).rstrip("\n")))
            text.clear()

    for block in document.blocks:
        if not isinstance(block, Code):
            text.append(block)
            continue
        flush()
        if not block.source:
            raise ExportError(f"{block.output}: its operation has no NumPy code (a definition it uses gives none), "
                              "so it cannot be a notebook")
        meta = {"stepnet": {"position": block.position, "output": block.output}} if block.position else {}
        cells.append(v4.new_code_cell(block.source, metadata={**meta, "tags": [block.role]}))
    flush()
    for k, cell in enumerate(cells, start=1):
        cell["id"] = f"cell-{k}"
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}, "title": document.title})
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"
